// bench.c: a guest that measures what the host makes guests pay (make bench):
//   a null hypercall, a system call of its process reflected by the host (route
//   mode), a world switch (two bench VMs yielding to each other), and host
//   entries per virtual timer tick. Costs are rdtsc deltas: under QEMU's
//   `-icount shift=0` they count retired instructions, host's included; without
//   it, cycles of real time. Each figure is the least over BATCHES batches of N
//   operations, so a timer interrupt inside one batch does not count. HC_MARK
//   around a batch makes the host print its event counters (grade/bench.py reads
//   them). The bench guest is a flat guest like mini: kernel in ring 1 at
//   FLAT_BASE, its one user program in ring 3 at FLAT_USER.
#include "guests/hcall.h"

#define N 1000
#define BATCHES 7
#define SYS_NULL 0x30
#define SYS_REPORT 0x31
#define SYS_DONE 0x32

typedef unsigned int uint;
extern char sys_null[], sys_report[], sys_done[], virq_null[], user_main[];
void enter_user(uint eip, uint esp);

static char ustack[4096] __attribute__((section(".udata"), aligned(4096)));
static char kstack1[4096] __attribute__((aligned(16)));
static uint reported;        // least batch cost the user program reported

#define hc(nr, a, b, c) vmos_hcall(nr, a, b, c, 0)

static inline uint
rdtsc32(void)
{
  uint lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return lo;
}

static uint
len(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  return n;
}

static void
puts(const char *s)
{
  hc(HC_CONSOLE_WRITE, (uint)s, len(s), 0);
}

static void
putu(uint v)
{
  char buf[12];
  int i = sizeof(buf);
  buf[--i] = 0;
  do {
    buf[--i] = '0' + v % 10;
    v /= 10;
  } while (v);
  puts(&buf[i]);
}

// "bench: NAME per-op X (N ops x BATCHES, least batch)"
static void
result(const char *name, uint batch)
{
  puts("bench: ");
  puts(name);
  puts(" per-op ");
  putu(batch / N);
  puts(".");
  uint frac = (batch % N) * 10 / N;
  putu(frac);
  puts("\n");
}

void
report(uint batch)
{
  if (reported == 0 || batch < reported)
    reported = batch;
}

static uint
least_hcall(int nr)
{
  uint best = ~0u;
  for (int b = 0; b < BATCHES; b++) {
    uint t0 = rdtsc32();
    for (int i = 0; i < N; i++)
      hc(nr, 0, 0, 0);
    uint t = rdtsc32() - t0;
    if (t < best)
      best = t;
  }
  return best;
}

void
bench_main(void)
{
  struct vm_info info;
  hc(HC_VM_INFO, (uint)&info, 0, 0);

  hc(HC_MARK, (uint)"hcall-begin", 0, 0);
  uint t = least_hcall(HC_NULL);
  hc(HC_MARK, (uint)"hcall-end", 0, 0);
  result("null-hypercall", t);

  hc(HC_SET_TRAP, SYS_NULL, (uint)sys_null, 3 | TT_TRAPGATE);
  hc(HC_SET_TRAP, SYS_REPORT, (uint)sys_report, 3 | TT_TRAPGATE);
  hc(HC_SET_TRAP, SYS_DONE, (uint)sys_done, 3 | TT_TRAPGATE);
  hc(HC_STACK_SWITCH, (uint)kstack1 + sizeof(kstack1), 0, 0);
  hc(HC_MARK, (uint)"syscall-begin", 0, 0);
  enter_user((uint)user_main, (uint)ustack + sizeof(ustack));
  hc(HC_MARK, (uint)"syscall-end", 0, 0);
  result("reflected-syscall", reported);

  if (info.nvms >= 2) {
    hc(HC_MARK, (uint)"yield-begin", 0, 0);
    t = least_hcall(HC_YIELD);
    hc(HC_MARK, (uint)"yield-end", 0, 0);
    result("yield-round-trip", t);
  }

  // Virtual timer: idle through TICKS ticks; the marks give host entries per tick.
  hc(HC_SET_TRAP, VIRQ_VECTOR(VIRQ_TIMER), (uint)virq_null, TT_TRAPGATE);
  static char shared[4096] __attribute__((aligned(4096)));
  hc(HC_SET_SHARED, (uint)shared, 0, 0);
  hc(HC_SET_TIMER, 10, 0, 0);
  hc(HC_MARK, (uint)"timer-begin", 0, 0);
  for (int i = 0; i < 50; i++)
    hc(HC_IDLE, 0, 0, 0);
  hc(HC_MARK, (uint)"timer-end", 0, 0);
  hc(HC_EXIT, 0, (uint)"bench done", 0);
}
