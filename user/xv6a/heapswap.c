// heapswap: two processes that each keep a thousand heap pages busy, taking
// turns on the CPU at every timer tick, for the host's shadow cache
// (vmos/shadow.c, issue 11). Each mallocs HEAP_PAGES one-page blocks, then
// re-touches all of them, pass after pass, for many ticks: xv6a's scheduler
// switches between the two at each tick, a guest page-directory load. A host
// that empties its shadow at each load refills every page with a hidden fault
// (about a thousand per load); one that keeps the shadows of recently used
// address spaces needs none. Prints, as bench does,
//   bench: heapswap n N total T
// (N passes of each process, T the rdtsc difference around them) between two
// host marks (heapswap-begin, heapswap-end), then "bench: done".
// Usage: heapswap [PASSES]
#include "types.h"
#include "user.h"

#define HEAP_PAGES 1000

static char *blocks[HEAP_PAGES];

static void
die(const char *why)
{
  printf(1, "heapswap: FAIL %s\n", why);
  exit();
}

// The passes: a byte of every block (each its own page) written, and the
// previous pass's byte checked: a page that went wrong under a switch shows.
static void
passes(int n, int tag)
{
  for (int i = 0; i < n; i++)
    for (int j = 0; j < HEAP_PAGES; j++) {
      if (i > 0 && blocks[j][0] != (char)(tag + i - 1 + j))
        die("a heap page lost what was written to it");
      blocks[j][0] = tag + i + j;
    }
}

// A 64-bit count in decimal with 32-bit arithmetic only (no libgcc):
// base-65536 digits divided by 10 one decimal digit at a time.
static void
print64(uint hi, uint lo)
{
  uint d[4] = { hi >> 16, hi & 0xFFFF, lo >> 16, lo & 0xFFFF };
  char s[24];
  int k = 0;
  do {
    uint rem = 0;
    for (int i = 0; i < 4; i++) {
      uint cur = rem << 16 | d[i];
      d[i] = cur / 10;
      rem = cur % 10;
    }
    s[k++] = '0' + rem;
  } while (d[0] | d[1] | d[2] | d[3]);
  while (k > 0)
    printf(1, "%c", s[--k]);
}

// Both processes exist and have touched their pages before the first mark
// and until after the last (pipes say when): the fork, the child's first
// touches and its exit are not measured, only the turns.
int
main(int argc, char *argv[])
{
  int n = argc > 1 ? atoi(argv[1]) : 15000;
  int ready[2], go[2];
  char c = 'x';
  uint lo0, hi0, lo1, hi1;
  for (int j = 0; j < HEAP_PAGES; j++)
    if ((blocks[j] = malloc(4096 - 8)) == 0)
      die("malloc");
  passes(1, 0);                     // the heap is there before the fork: both have it
  if (pipe(ready) < 0 || pipe(go) < 0)
    die("pipe");
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    close(go[1]);                    // (so that the parent's close is its end of file)
    passes(1, 0);
    if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
      die("child's pipes");
    passes(n, 7);
    if (write(ready[1], &c, 1) != 1)     // done; then wait for the last mark
      die("child's pipes");
    read(go[0], &c, 1);
    exit();
  }
  close(go[0]);
  if (read(ready[0], &c, 1) != 1)
    die("parent's pipes");
  passes(1, 0);                     // its pages again after a switch (and a fork)
  hostmark("heapswap-begin");
  asm volatile("rdtsc" : "=a"(lo0), "=d"(hi0));
  if (write(go[1], &c, 1) != 1)
    die("parent's pipes");
  passes(n, 3);
  if (read(ready[0], &c, 1) != 1)
    die("parent's pipes");
  asm volatile("rdtsc" : "=a"(lo1), "=d"(hi1));
  hostmark("heapswap-end");
  close(go[1]);
  wait();
  printf(1, "bench: heapswap n %d total ", n);
  print64(hi1 - hi0 - (lo1 < lo0), lo1 - lo0);
  printf(1, "\nbench: done\n");
  exit();
}
