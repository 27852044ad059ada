// balloon.c: xv6a's balloon driver (lab 4). Under vmos the host may ask a VM
// to hold less memory (its operator's `balloon N SIZE`, read here from the
// shared page at every timer tick): the driver takes free pages from kalloc
// and gives them to the host (HC_BALLOON), so they are gone from xv6a's free
// memory; when the target rises it takes them back from the host and frees
// them to kalloc. What it can give is only what is free: it keeps RESERVE
// pages for the kernel's own needs, and memory processes use stays theirs (a
// process that wants more than is left gets what sbrk gives when memory is
// short: nothing). Bare and in trap mode the pv layer says there is no host
// to give to, and this file does nothing.
// Why polling at the tick and no interrupt: a target is no hurry (a tick is
// 10 ms), the tick already comes, and reading a word is all it costs.
// It runs in the timer interrupt, which never arrives while the kernel runs
// (trap.c: xv6a's kernel runs with interrupts off), so kalloc is never busy.
#include "xv6a.h"
#include "pv.h"
#include "vmos/abi.h"

#define RESERVE    64            // free pages it keeps whatever the host asks
#define TICK_PAGES 1024          // pages it moves at most in one tick
#define RETRY      100           // ticks before it tries again when stuck

static int on;                   // the host has a balloon for it (pv_balloon_hello)
static uint out[MAXPHYS / PGSIZE / 32];   // bit n: page n is the host's now
static uint nout;                // pages given and not taken back
static uint batch[BALLOON_BATCH];         // physical addresses of one call
static uint target;              // the host's target acted on (bytes; 0: none)
static uint retry_at;            // stuck: the tick to try again at
static int told = 1;             // what it said about this target: 1 reached, 2 stuck
                                 // (1 at boot: no target, nothing to say)

void
balloon_init(void)
{
  on = pv_balloon_hello() == 0;
}

// Pages the target wants out of xv6a.
static uint
wanted(void)
{
  if (target == 0 || target >= physmem)
    return 0;
  return (physmem - target) / PGSIZE;
}

static void
say(int what, const char *why)
{
  if (told == what)
    return;
  told = what;
  cprintf("xv6a: balloon: holds %d KiB, %d pages given back (target %d KiB)%s\n",
          (physmem / PGSIZE - nout) * 4, nout, target / 1024, why);
}

// Give up to n (<= BALLOON_BATCH) free pages to the host: how many went, 0 if none could (no
// free page beyond the reserve), -1 if the host refused them.
static int
inflate(uint n)
{
  int k = 0;
  char *p;
  while (k < (int)n && kfreecount() > RESERVE && (p = kalloc()) != 0)
    batch[k++] = V2P(p);
  if (k == 0)
    return 0;
  int r = pv_balloon_give(batch, k);
  if (r != k) {                  // refused: the pages are still ours
    for (int i = 0; i < k; i++)
      kfree(P2V(batch[i]));
    cprintf("xv6a: balloon: the host refused %d pages (error %d)\n", k, r);
    return -1;
  }
  for (int i = 0; i < k; i++)
    out[batch[i] / PGSIZE / 32] |= 1u << (batch[i] / PGSIZE % 32);
  nout += k;
  return k;
}

// Take up to n (<= BALLOON_BATCH) pages back from the host and free them: how many came (fewer
// when the host is short of memory), -1 if it refused.
static int
deflate(uint n)
{
  int k = 0;
  for (uint w = 0; w < (physmem / PGSIZE + 31) / 32 && k < (int)n; w++)
    for (uint bits = out[w]; bits && k < (int)n; bits &= bits - 1)
      batch[k++] = (w * 32 + __builtin_ctz(bits)) * PGSIZE;
  if (k == 0)
    return 0;
  int r = pv_balloon_take(batch, k);
  if (r < 0) {
    cprintf("xv6a: balloon: the host refused to give back %d pages (error %d)\n", k, r);
    return -1;
  }
  for (int i = 0; i < r; i++) {
    out[batch[i] / PGSIZE / 32] &= ~(1u << (batch[i] / PGSIZE % 32));
    kfree(P2V(batch[i]));
  }
  nout -= r;
  return r;
}

// At every timer tick: move towards the host's target, a bounded amount.
void
balloon_tick(uint now)
{
  if (!on)
    return;
  uint t = pv_balloon_target();
  if (t != target) {             // a new request: act on it at once
    target = t;
    told = 0;
    retry_at = now;
  }
  if ((int)(now - retry_at) < 0)
    return;
  uint want = wanted();
  for (uint moved = 0; moved < TICK_PAGES && nout != want; ) {
    uint n = nout < want ? want - nout : nout - want;
    if (n > BALLOON_BATCH)
      n = BALLOON_BATCH;
    int r = nout < want ? inflate(n) : deflate(n);
    if (r > 0)
      moved += r;
    if (r < (int)n) {
      // Stuck: nothing more is free, the host refused, or it had no memory
      // for all it was asked. Try again later, quietly.
      retry_at = now + RETRY;
      say(2, nout < want ? ": the rest is in use" : ": the host is short of memory");
      return;
    }
  }
  if (nout == want)
    say(1, "");
}
