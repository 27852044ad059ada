// balloon.c: mini's balloon driver (lab 4; vmos/abi.h, "Ballooning"). mini
// never allocates memory: its kernel and its tasks' code and data are where
// the image put them (mini.ld), its tasks' stacks at the top of memory
// (task.c). The pages between the two are used by nobody, so the balloon
// gives from there, the highest first, when the host's target (the shared
// page, read at each timer tick) asks it to hold less, and takes them back,
// the lowest first, when the target rises. Given pages are always the top of
// that free range: [hi - nout pages, hi).
#include "mini.h"
#include "hcall.h"

extern char __user_end[];      // mini.ld: the end of the tasks' code and data

#define TICK_PAGES 1024        // pages it moves at most in one tick
#define RETRY 100              // ticks before it tries again when stuck

static int on;                 // the host took our BALLOON_HELLO
static uint nout;              // pages given back
static uint batch[BALLOON_BATCH];
static uint target;            // the target acted on (bytes; 0: none)
static uint retry_at;
static int told = 1;           // what it said of this target: 1 reached, 2 stuck

uint balloon_free_lo(void) { return ((uint)__user_end + 4095) & ~4095u; }
uint balloon_free_hi(void) { return task_stacks_low() & ~4095u; }

void
balloon_init(void)
{
  on = hcall1(HC_BALLOON, BALLOON_HELLO) == 0;
}

static void
say(int what, const char *why)
{
  if (told == what)
    return;
  told = what;
  kprintf("mini: balloon: holds %u KiB, %u pages given back (target %u KiB)%s\n",
          info.mem_size / 1024 - nout * 4, nout, target / 1024, why);
}

// Guest-physical address of the k-th page from the top of the free range.
static uint
page(uint k)
{
  return balloon_free_hi() - (k + 1) * 4096 - info.mem_base;
}

void
balloon_tick(void)
{
  if (!on)
    return;
  if (shared.s.balloon_target != target) {
    target = shared.s.balloon_target;
    told = 0;
    retry_at = ticks;
  }
  if ((int)(ticks - retry_at) < 0)
    return;
  uint want = target && target < info.mem_size ? (info.mem_size - target) / 4096 : 0;
  uint most = (balloon_free_hi() - balloon_free_lo()) / 4096;
  int capped = want > most;
  if (capped)
    want = most;
  for (uint moved = 0; moved < TICK_PAGES && nout != want; ) {
    uint n = nout < want ? want - nout : nout - want;
    if (n > BALLOON_BATCH)
      n = BALLOON_BATCH;
    int r;
    if (nout < want) {         // the next n pages below those given
      for (uint i = 0; i < n; i++)
        batch[i] = page(nout + i);
      r = hcall3(HC_BALLOON, BALLOON_GIVE, batch, n);
      if (r > 0)
        nout += r;
    } else {                   // the n lowest given ones, lowest first
      for (uint i = 0; i < n; i++)
        batch[i] = page(nout - 1 - i);
      r = hcall3(HC_BALLOON, BALLOON_TAKE, batch, n);
      if (r > 0)
        nout -= r;
    }
    if (r > 0)
      moved += r;
    if (r < (int)n) {          // refused, or the host is short of memory
      if (r < 0)
        kprintf("mini: balloon: the host refused %u pages (error %d)\n", n, r);
      retry_at = ticks + RETRY;
      say(2, nout < want ? ": the host refused" : ": the host is short of memory");
      return;
    }
  }
  if (nout == want)
    say(1, capped ? ": the rest is in use" : "");
}
