// irqtest.c: a flat test guest for lab 2 that owns devices in pass mode (an
// IDE channel, COM2) and serves them by their interrupts, to show how each
// interrupt reached it: straight from the CPU through its own gate (swap and
// defer modes, while it runs) or as a virtual interrupt the host reflected
// (route mode, or when it was not running). With a disk, two rounds of reads, between HC_MARKs so that
// the host's counters can be read off (grade/lab2.py, make bench):
//   own   it spins until the interrupt comes, so it is running when it does;
//   away  it idles (HC_IDLE) until the interrupt comes: another VM runs (a
//         mini beside it takes it in swap mode and hands it back) or the host.
// It prints how many came directly, how many were reflected, how many never
// came, and the mean cycles (TSC) from the read command to its handler. With
// COM2, a round "serial": it idles until a byte comes (the tester types it:
// so it is never running when the interrupt comes), echoes it, and ends at
// '.', printing the same counts.
// Boot it with its disk in pass mode: vms=irqtest:2M:hd0:pass:swap,mini. A
// throttled drive (QEMU -drive ...,throttling.iops-total=400) makes each read
// take a few ms, so that "away" is away when the interrupt comes.
// After each round's line it prints, for make bench (grade/bench_irq.py), the
// TSC at the round's start and end and per interrupt: when the read was
// commanded, in a spinning round the last TSC it read before the interrupt
// took the CPU from it, and when the handler began (the TSC is the host's, so
// these line up with the host's trace; under -icount they count instructions).
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
static volatile uint spin_lo;    // a spinning round's last TSC read (low half: one store)
static volatile u64 t_spin;      // ... as the handler found it

// What make bench reads, per interrupt of the last round (see the head comment):
// room for the longest round, "away".
#define MAXREADS (2 * ROUNDS)
static u64 st_cmd[MAXREADS], st_spin[MAXREADS], st_irq[MAXREADS];
static char st_how[MAXREADS];    // 'd' direct, 'r' reflected, 'l' lost
static u64 st_from, st_to;       // the round's first command, its end

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

// A line for make bench, built a piece at a time: text, hex TSC values.
static char line[120];
static uint line_n;

static void
put(const char *s)
{
  while (*s && line_n < sizeof(line) - 1)
    line[line_n++] = *s++;
  line[line_n] = 0;
}

static void
puthex(u64 v)
{
  char buf[17];
  for (int i = 15; i >= 0; i--, v >>= 4)
    buf[i] = "0123456789abcdef"[v & 15];
  buf[16] = 0;
  put(buf);
}

static void
putdec(uint v)
{
  char buf[12], *p = buf + sizeof(buf);
  *--p = 0;
  do
    *--p = '0' + v % 10;
  while (v /= 10);
  put(p);
}

static void
say_line(void)
{
  put("\n");
  sayn(line);
  line_n = 0;
}

// "irqtest: WHAT: tsc FROM to TO", then per interrupt
// "irqtest: WHAT N: cmd T spin T irq T HOW" (cmd and spin only for the disk;
// spin only when the round spun, else "-").
static void
say_stamps(const char *what, uint n, int disk)
{
  put("irqtest: "); put(what); put(": tsc "); puthex(st_from); put(" to "); puthex(st_to);
  say_line();
  for (uint i = 0; i < n; i++) {
    put("irqtest: "); put(what); put(" "); putdec(i); put(":");
    if (disk) {
      put(" cmd "); puthex(st_cmd[i]); put(" spin ");
      if (st_spin[i])
        puthex(st_spin[i]);
      else
        put("-");
    }
    put(" irq "); puthex(st_irq[i]);
    put(st_how[i] == 'd' ? " direct" : st_how[i] == 'r' ? " reflected" : " lost");
    say_line();
  }
}

// COM2's 16550: received bytes, kept by the handler for main to echo.
#define COM2 0x2F8
static volatile char rx[64];
static volatile uint rx_w;
static uint rx_r, sdirect, sreflected;

static void
serial_intr(int direct_one, u64 now)
{
  while (inb(COM2 + 5) & 0x01) {
    rx[rx_w % sizeof(rx)] = inb(COM2);
    if (rx_w < MAXREADS) {
      st_irq[rx_w] = now;
      st_how[rx_w] = direct_one ? 'd' : 'r';
    }
    rx_w++;
    if (direct_one)
      sdirect++;
    else
      sreflected++;
  }
}

// A device interrupt, from entry.S, with its real IRQ number.
void
irq(int n)
{
  u64 now = rdtsc();
  int reflected = shared->reflect == R_IRQ && shared->trapno == VIRQ_VECTOR(n);
  if (reflected) {
    shared->reflect = R_NONE;        // the host's virtual interrupt: read, so cleared
  } else if (!(info.irqs & (1u << n)) || !shared->vif) {
    hc(HC_INVOKE_VMOS, n);           // straight from the CPU, but not ours, or not
    return;                          // now: back to the host
  }
  if (n == 3) {
    serial_intr(!reflected, now);    // COM2 (the master 8259 ends it itself)
    return;
  }
  t_irq = now;
  t_spin = now - (uint)((uint)now - spin_lo);
  inb(info.disk_port + 7);           // the status read ends the drive's request
  direct = !reflected;
  done = 1;
  if (!reflected && n >= 8)
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
  st_from = rdtsc();
  for (int r = 0; r < rounds; r++) {
    spin_lo = rdtsc();               // (if it comes before the spin, from here)
    start_read(r);
    u64 t0 = rdtsc();
    if (spin) {
      // It reads the TSC each time round, so the value the handler finds is
      // from when the interrupt took the CPU from it: to the host (route) or
      // straight to the handler (swap, defer). Not a look at the drive's
      // status: QEMU holds a port read while it finishes the drive's request.
      for (uint i = 0; i < SPIN && !done; i++) {
        spin_lo = rdtsc();
        asm volatile("pause");
      }
    } else {
      // The virtual IF goes off before the test and HC_IDLE turns it on again
      // with the host's check for pending ones, atomically. Were it on, a
      // direct interrupt between the test and the hypercall would be handled
      // at once and the hypercall would wait for an interrupt already gone:
      // with it off, the handler hands it back and HC_IDLE finds it pending.
      for (;;) {
        shared->vif = 0;
        if (done)
          break;
        hc(HC_IDLE, 0);              // until a virtual interrupt: the disk's
      }
      shared->vif = 1;
    }
    if (r < MAXREADS) {
      st_cmd[r] = t0;
      st_spin[r] = spin && done ? t_spin : 0;
      st_irq[r] = done ? t_irq : 0;
      st_how[r] = !done ? 'l' : direct ? 'd' : 'r';
    }
    if (!done) {                     // (only a spin can give up)
      lost++;
      insl(info.disk_port, sector, 128);
      continue;
    }
    cycles += t_irq - t0;
    if (direct)
      nd++;
    else
      nr++;
    insl(info.disk_port, sector, 128);
  }
  st_to = rdtsc();
  hc(HC_MARK, (uint)end);
  uint got = nd + nr, mean = 0, hi = cycles >> 32, lo = cycles, r;
  if (got && hi < got)               // a 64-by-32 divide (no libgcc here)
    asm("divl %3" : "=a"(mean), "=d"(r) : "a"(lo), "rm"(got), "d"(hi));
  report(what, nd, nr, lost, mean);
  say_stamps(what, rounds < MAXREADS ? rounds : MAXREADS, 1);
}

// The serial round: echo what is typed on COM2 until '.'.
static void
serial_round(void)
{
  hc(HC_MARK, (uint)"serial-begin");
  sayn("irqtest: serial: type on COM2, '.' ends\n");
  st_from = rdtsc();
  for (int end = 0; !end; ) {
    for (;;) {                       // idle until a byte came (as in run_round)
      shared->vif = 0;
      if (rx_r != rx_w)
        break;
      hc(HC_IDLE, 0);
    }
    shared->vif = 1;
    while (rx_r != rx_w) {
      char c = rx[rx_r++ % sizeof(rx)];
      while (!(inb(COM2 + 5) & 0x20))
        ;
      outb(COM2, c);                 // the echo, on COM2 too
      end |= c == '.';
    }
  }
  st_to = rdtsc();
  hc(HC_MARK, (uint)"serial-end");
  report("serial", sdirect, sreflected, 0, 0);
  say_stamps("serial", rx_w < MAXREADS ? rx_w : MAXREADS, 0);
}

extern char irqstub3[], irqstub14[], irqstub15[];

void
main(void)
{
  hc(HC_SET_SHARED, (uint)shared_page);
  hc(HC_VM_INFO, (uint)&info);
  if (info.disk_mode != DISK_PASS && !info.com2) {
    sayn("irqtest: needs a disk in pass mode or COM2 (vms=irqtest:2M:hd0:pass:com2)\n");
    vmos_hcall(HC_EXIT, 1, (uint)"no device of its own", 0, 0);
  }
  if (info.disk_mode == DISK_PASS) {
    char *stub = info.disk_irq == 15 ? irqstub15 : irqstub14;
    vmos_hcall(HC_SET_TRAP, VIRQ_VECTOR(info.disk_irq), (uint)stub, TT_TRAPGATE, 0);
    outb(info.disk_port + 0x206, 0); // nIEN clear: the drive interrupts
  }
  if (info.com2) {
    vmos_hcall(HC_SET_TRAP, VIRQ_VECTOR(3), (uint)irqstub3, TT_TRAPGATE, 0);
    outb(COM2 + 1, 0);               // 115200 8N1, FIFO, OUT2 (it gates the IRQ line)
    outb(COM2 + 3, 0x80);
    outb(COM2, 1);
    outb(COM2 + 1, 0);
    outb(COM2 + 3, 0x03);
    outb(COM2 + 2, 0x07);
    outb(COM2 + 4, 0x0B);
    outb(COM2 + 1, 0x01);            // an interrupt for each received byte
  }
  hc(HC_IRQ_ENABLE, 0);              // virtual IF on, but while it idles
  do                                 // let the VMs beside it boot and run first
    hc(HC_YIELD, 0);
  while (hc(HC_VM_INFO, (uint)&info) == 0 && info.host_ticks < 50);
  if (info.disk_mode == DISK_PASS) {
    sayn("irqtest: reading by interrupts\n");
    run_round("own", 1, ROUNDS);
    run_round("away", 0, 2 * ROUNDS);
  }
  if (info.com2)
    serial_round();
  vmos_hcall(HC_EXIT, 0, (uint)"irqtest done", 0, 0);
}
