// sharetest.c: mini-share, the test guest of page sharing (grade/share.py;
// vmos/share.c). At boot it fills SHARE_PAGES pages of its kernel's free
// memory with a pattern that is the same in every mini-share, so the host's
// scan can merge them across VMs. Lines typed to it then drive the test:
//   write C   fill the pages with pattern C (a letter) and read them back: a
//             write to a shared page must give this VM its own copy
//   check     say which pattern every page holds: another VM's write must
//             not show here
//   probe     time one write to each page (rdtsc) and say how many were slow:
//             a write to a shared page is a host entry and a copy, a timing
//             side channel that tells a VM which of its pages another VM has
// The plain mini and the other variants build this file to nothing.
#include "mini.h"
#include "hcall.h"

#ifdef MINI_SHARE
#define SHARE_PAGES 64
#define PGSIZE 4096

extern char __kernel_end[];          // mini.ld: the end of the kernel's image
static uint *region;                 // SHARE_PAGES pages after it
static char seed;                    // the pattern they hold

static uint
word(char c, uint page, uint i)
{
  return (uint)(unsigned char)c * 0x01010101u ^ page << 16 ^ i;
}

// The first word that does not hold pattern c, or -1.
static int
verify(char c, uint *page)
{
  for (uint p = 0; p < SHARE_PAGES; p++)
    for (uint i = 0; i < PGSIZE / 4; i++)
      if (region[p * PGSIZE / 4 + i] != word(c, p, i)) {
        *page = p;
        return p * PGSIZE / 4 + i;
      }
  return -1;
}

static void
fill(char c)
{
  for (uint p = 0; p < SHARE_PAGES; p++)
    for (uint i = 0; i < PGSIZE / 4; i++)
      region[p * PGSIZE / 4 + i] = word(c, p, i);
  seed = c;
}

static void
check(const char *what)
{
  uint p = 0;
  int w = verify(seed, &p);
  if (w < 0)
    kprintf("mini: share: %s: %d pages hold pattern %c\n", what, SHARE_PAGES, seed);
  else
    kprintf("mini: share: %s: page %u word %u is 0x%x, not pattern %c's 0x%x\n", what, p,
            w % (PGSIZE / 4), region[w], seed, word(seed, p, w % (PGSIZE / 4)));
}

static inline unsigned long long
rdtsc(void)
{
  unsigned int lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (unsigned long long)hi << 32 | lo;
}

static uint
cycles(volatile uint *w)
{
  unsigned long long t0 = rdtsc();
  *w = *w;
  unsigned long long t1 = rdtsc();
  return t1 - t0 > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint)(t1 - t0);
}

// One write of the word already there to each page, timed against the same
// write to a page of its own (the fastest of SHARE_PAGES). A VM that sees
// some of its writes take far longer has learnt which of its pages are
// shared: which contents another VM holds too.
static void
probe(void)
{
  static volatile uint own;          // in its data: written at boot, its own page
  uint base = ~0u, min = ~0u, max = 0, slow = 0, t;
  own = 1;                           // (its page is its own from here on)
  for (uint p = 0; p < SHARE_PAGES; p++)
    if ((t = cycles(&own)) < base)
      base = t;
  for (uint p = 0; p < SHARE_PAGES; p++) {
    t = cycles(&region[p * PGSIZE / 4]);
    min = t < min ? t : min;
    max = t > max ? t : max;
    slow += t > 100 * base;
  }
  kprintf("mini: share: probe: %d writes, %u to %u cycles (a write to its own page: %u); "
          "%u over 100x that\n", SHARE_PAGES, min, max, base, slow);
}

void
sharetest_boot(void)
{
  region = (uint *)(((uint)__kernel_end + PGSIZE - 1) & ~(PGSIZE - 1));
  if ((uint)(region + SHARE_PAGES * PGSIZE / 4) > FLAT_USER) {
    kprintf("mini: share: no room for %d pages below the tasks\n", SHARE_PAGES);
    hcall2(HC_EXIT, 1, "no room for the test pages");
  }
  fill('A');
  kprintf("mini: share: %d pages of pattern A at 0x%x\n", SHARE_PAGES, (uint)region);
}

void
sharetest_line(const char *s)
{
  if (s[0] == 'w' && s[1] == 'r' && s[5] == ' ' && s[6] && !s[7]) {   // "write C"
    fill(s[6]);
    check("wrote and read back");
  } else if (s[0] == 'c' && s[1] == 'h') {
    check("check");
  } else if (s[0] == 'p' && s[1] == 'r') {
    probe();
  }
}
#else
void sharetest_boot(void) {}
void sharetest_line(const char *s) {}
#endif
