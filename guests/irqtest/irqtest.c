// irqtest.c: a flat test guest for lab 2 that owns an IDE channel in pass
// mode and reads its disk by interrupts, to show how each interrupt reached
// it: straight from the CPU through its own gate (swap and defer modes, while
// it runs) or as a virtual interrupt the host reflected (route mode, or when it
// was not running). Two rounds of reads, between HC_MARKs so that
// the host's counters can be read off (grade/lab2.py, make bench):
//   own   it spins until the interrupt comes, so it is running when it does;
//   away  it idles (HC_IDLE) until the interrupt comes: another VM runs (a
//         mini beside it takes it in swap mode and hands it back) or the host.
// It prints how many came directly, how many were reflected, how many never
// came, and the mean cycles (TSC) from the read command to its handler.
// Boot it with its disk in pass mode: vms=irqtest:2M:hd0:pass:swap,mini. A
// throttled drive (QEMU -drive ...,throttling.iops-total=400) makes each read
// take a few ms, so that "away" is away when the interrupt comes.
#include "guests/hcall.h"

typedef unsigned int uint;
typedef unsigned long long u64;

#define ROUNDS 20               // reads in the round "own"; "away" does twice as many
#define SPIN   50000000          // iterations a round waits at most while spinning

static char shared_page[4096] __attribute__((aligned(4096)));
#define shared ((volatile struct vm_shared *)shared_page)
static struct vm_info info;
static char sector[512];

static volatile int done;        // the interrupt of this round came
static volatile int direct;      // ... and came straight from the CPU
static volatile u64 t_irq;       // when the handler ran

#define hc(nr, a) vmos_hcall(nr, a, 0, 0, 0)

static inline unsigned char inb(int p) { unsigned char v; asm volatile("inb %w1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outb(int p, int v) { asm volatile("outb %b0,%w1" : : "a"(v), "d"(p)); }
static inline void insl(int p, void *a, int n) { asm volatile("cld; rep insl" : "+D"(a), "+c"(n) : "d"(p) : "memory"); }
static inline u64 rdtsc(void) { u64 v; asm volatile("rdtsc" : "=A"(v)); return v; }

static void
sayn(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  vmos_hcall(HC_CONSOLE_WRITE, (uint)s, n, 0, 0);
}

// A line "irqtest: WHAT: a direct, b reflected, c lost, mean d cycles".
static void
report(const char *what, uint a, uint b, uint c, uint d)
{
  char buf[120], *p = buf;
  const char *parts[] = { "irqtest: ", what, ": " };
  uint nums[] = { a, b, c, d };
  const char *after[] = { " direct, ", " reflected, ", " lost, mean ", " cycles\n" };
  for (int i = 0; i < 3; i++)
    for (const char *s = parts[i]; *s; s++)
      *p++ = *s;
  for (int i = 0; i < 4; i++) {
    char tmp[12];
    int k = 0;
    do
      tmp[k++] = '0' + nums[i] % 10;
    while (nums[i] /= 10);
    while (k > 0)
      *p++ = tmp[--k];
    for (const char *s = after[i]; *s; s++)
      *p++ = *s;
  }
  *p = 0;
  sayn(buf);
}

// The disk interrupt, from entry.S, with its real IRQ number.
void
irq(int n)
{
  uint vector = VIRQ_VECTOR(n);
  if (shared->reflect == R_IRQ && shared->trapno == vector) {
    shared->reflect = R_NONE;        // reflected by the host: a virtual interrupt
  } else if (!(info.irqs & (1u << n)) || !shared->vif) {
    hc(HC_INVOKE_VMOS, n);           // not ours, or not now: back to the host
    return;
  } else {
    direct = 1;                      // straight from the CPU
  }
  t_irq = rdtsc();
  inb(info.disk_port + 7);           // the status read ends the drive's request
  done = 1;
  if (direct && n >= 8)
    hc(HC_EOI, n);                   // the slave 8259 cannot end it itself
}

static void
start_read(uint lba)
{
  int port = info.disk_port;
  while ((inb(port + 7) & 0xC0) != 0x40)
    ;
  done = direct = 0;
  outb(port + 2, 1);
  outb(port + 3, lba);
  outb(port + 4, lba >> 8);
  outb(port + 5, lba >> 16);
  outb(port + 6, 0xE0 | ((lba >> 24) & 0x0F));
  outb(port + 7, 0x20);
}

static void
run_round(const char *what, int spin, int rounds)
{
  uint nd = 0, nr = 0, lost = 0;
  u64 cycles = 0;
  char begin[24] = "", end[24] = "";      // the marks: WHAT-begin, WHAT-end
  int k = 0;
  for (; what[k]; k++)
    begin[k] = end[k] = what[k];
  for (int i = 0; "-begin"[i]; i++)
    begin[k + i] = "-begin"[i];
  for (int i = 0; "-end"[i]; i++)
    end[k + i] = "-end"[i];
  hc(HC_YIELD, 0);                   // a fresh time slice for the round
  hc(HC_MARK, (uint)begin);
  for (int r = 0; r < rounds; r++) {
    start_read(r);
    u64 t0 = rdtsc();
    if (spin) {
      for (uint i = 0; i < SPIN && !done; i++)
        asm volatile("pause");
    } else {
      for (int i = 0; i < 1000 && !done; i++)
        hc(HC_IDLE, 0);              // blocks until a virtual interrupt is pending
    }
    if (!done) {
      lost++;
      continue;
    }
    cycles += t_irq - t0;
    if (direct)
      nd++;
    else
      nr++;
    insl(info.disk_port, sector, 128);
  }
  hc(HC_MARK, (uint)end);
  uint got = nd + nr, mean = 0, hi = cycles >> 32, lo = cycles, r;
  if (got && hi < got)               // a 64-by-32 divide (no libgcc here)
    asm("divl %3" : "=a"(mean), "=d"(r) : "a"(lo), "rm"(got), "d"(hi));
  report(what, nd, nr, lost, mean);
}

extern char irqstub14[], irqstub15[];

void
main(void)
{
  hc(HC_SET_SHARED, (uint)shared_page);
  hc(HC_VM_INFO, (uint)&info);
  if (info.disk_mode != DISK_PASS) {
    sayn("irqtest: needs its disk in pass mode (vms=irqtest:2M:hd0:pass)\n");
    vmos_hcall(HC_EXIT, 1, (uint)"no pass-mode disk", 0, 0);
  }
  char *stub = info.disk_irq == 15 ? irqstub15 : irqstub14;
  vmos_hcall(HC_SET_TRAP, VIRQ_VECTOR(info.disk_irq), (uint)stub, TT_TRAPGATE, 0);
  outb(info.disk_port + 0x206, 0);   // nIEN clear: the drive interrupts
  hc(HC_IRQ_ENABLE, 0);              // virtual IF on, for good
  do                                 // let the VMs beside it boot and run first
    hc(HC_YIELD, 0);
  while (hc(HC_VM_INFO, (uint)&info) == 0 && info.host_ticks < 50);
  sayn("irqtest: reading by interrupts\n");
  run_round("own", 1, ROUNDS);
  run_round("away", 0, 2 * ROUNDS);
  vmos_hcall(HC_EXIT, 0, (uint)"irqtest done", 0, 0);
}
