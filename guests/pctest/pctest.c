// pctest.c: a flat test guest that drives the virtual PC (vmos/vpc/) with
// plain in/out instructions, as a trap-mode kernel does: each one faults in
// ring 1 and the host emulates the device. It uses hypercalls only for what
// the PC does not model here (its trap table, the shared page's virtual IF,
// idling and yielding); everything it says goes out through COM1.
// Boot it with a PC: vms=pctest:pc,mini (grade/vpc.py), or with a trap-mode
// disk too: vms=pctest:2M:hd0:pc. In order it:
//   - tries bad input: a port with no device, widths the devices do not
//     take, an ICW sequence out of order and a vector base the CPU owns, an
//     EOI to a chip never initialized (the host refuses each and says so);
//   - initializes both 8259s (vectors 0x50 and 0x58) and programs the PIT
//     at 100 Hz (lobyte/hibyte, mode 2), reads its count back by a latch;
//   - counts timer interrupts, ending each with a non-specific EOI, and reads
//     ISR in the handler before and after it (OCW3);
//   - masks IRQ 0: no interrupt comes, IRR shows it waiting; unmasks: back;
//   - leaves one timer interrupt unended: nothing more comes (the 8259 holds
//     its level off), ISR and IRR show why; ends it: back;
//   - runs the PIT once in mode 0 (one interrupt), loops COM1 back on itself
//     and takes its transmitter-empty interrupt (IIR 0x02);
//   - with a trap-mode disk: masks IRQ 14 on the slave, reads a sector (no
//     interrupt, the slave's IRR has it), unmasks it behind an unended timer
//     interrupt (it still waits: IR0 outranks the cascade), ends that (the
//     disk's comes at 0x5E, through the master's IR2; both ISRs show it),
//     ends both;
//   - echoes a line typed to it, taken by COM1's receive interrupt (IRQ 4,
//     specific EOI);
//   - exits through port 0xF4 with status 100 + the checks that failed.
// Built with -DPCTEST_FUZZ it is pctest-fuzz: FUZZ_N accesses of random
// ports of the PC (all but 0xF4, a few with no device), widths, directions
// and values, with its virtual IF off; then it sets the devices up again and
// checks the timer works: the host must have refused or taken every one.
#include "guests/hcall.h"

typedef unsigned int uint;

#define PIC1  0x20
#define PIC2  0xA0
#define PIT   0x40
#define COM1  0x3F8
#define MBASE 0x50               // the master's vectors (ICW2); entry.S agrees
#define SBASE 0x58               // the slave's
#define HZ_GUEST 100
#define COUNT ((1193182 + HZ_GUEST / 2) / HZ_GUEST)   // 11932: PIT clocks a period

static char shared_page[4096] __attribute__((aligned(4096)));
#define shared ((volatile struct vm_shared *)shared_page)
static struct vm_info info;
extern unsigned int stubs[16];

static inline unsigned char inb(int p) { unsigned char v; asm volatile("inb %w1,%0" : "=a"(v) : "d"(p)); return v; }
static inline unsigned short inw(int p) { unsigned short v; asm volatile("inw %w1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outb(int p, int v) { asm volatile("outb %b0,%w1" : : "a"(v), "d"(p)); }
static inline void outw(int p, int v) { asm volatile("outw %w0,%w1" : : "a"(v), "d"(p)); }
static inline void insl(int p, void *a, int n) { asm volatile("cld; rep insl" : "+D"(a), "+c"(n) : "d"(p) : "memory"); }

#define hc(nr, a) vmos_hcall(nr, (uint)(a), 0, 0, 0)

// ---- COM1, polled for output ----

static void
putc(int c)
{
  while (!(inb(COM1 + 5) & 0x20))    // LSR THRE: room in the transmitter
    ;
  outb(COM1, c);
}

static void
putnum(uint v, int base)
{
  char buf[12];
  int n = 0;
  do
    buf[n++] = "0123456789abcdef"[v % base];
  while (v /= base);
  while (n > 0)
    putc(buf[--n]);
}

// A small printf: %d (unsigned), %x, %s, %c.
static void
say(const char *fmt, ...)
{
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') {
      putc(*p);
      continue;
    }
    switch (*++p) {
    case 'd': putnum(__builtin_va_arg(ap, uint), 10); break;
    case 'x': putnum(__builtin_va_arg(ap, uint), 16); break;
    case 'c': putc(__builtin_va_arg(ap, int)); break;
    case 's':
      for (const char *s = __builtin_va_arg(ap, const char *); *s; s++)
        putc(*s);
      break;
    default: putc(*p); break;
    }
  }
  __builtin_va_end(ap);
}

static uint fails;

static void
check(int ok, const char *what)
{
  if (!ok) {
    fails++;
    say("pctest: FAILED: %s\n", what);
  }
}

// ---- interrupts ----

static volatile uint nticks;     // timer interrupts taken
static volatile int hold;        // leave the next timer interrupt unended
static volatile int sampled;     // the ISR was read in the handler once
static volatile uint isr_in, isr_after;
static volatile char rx[128];    // bytes COM1's receive interrupt took
static volatile uint rx_w, nrx;
static volatile uint nthre;      // transmitter-empty interrupts (IIR 0x02)
static volatile uint ncom1;      // COM1 interrupts of any cause
static volatile uint ndisk, disk_slave_isr, disk_master_isr;
static volatile uint stray, stray_vec;

static uint
read_isr(int pic)
{
  outb(pic, 0x0B);                   // OCW3: the next read is ISR
  uint v = inb(pic);
  outb(pic, 0x0A);                   // ... and back to IRR
  return v;
}

static uint
read_irr(int pic)
{
  outb(pic, 0x0A);
  return inb(pic);
}

// Every interrupt, from entry.S, with its vector.
void
intr(uint vec)
{
  if (vec == MBASE + 0) {
    nticks++;
    if (hold) {
      hold = 0;                      // main ends this one itself, later
      return;
    }
    uint before = sampled ? 0 : read_isr(PIC1);
    outb(PIC1, 0x20);                // OCW2: non-specific EOI
    if (!sampled) {
      isr_in = before;
      isr_after = read_isr(PIC1);
      sampled = 1;
    }
  } else if (vec == MBASE + 4) {
    ncom1++;
    uint id = inb(COM1 + 2) & 0x0F;  // IIR: why (reading 0x02 ends that cause)
    if (id == 0x02)
      nthre++;
    if (id == 0x04)
      nrx++;
    while (inb(COM1 + 5) & 0x01)     // LSR DR: take all that came
      rx[rx_w++ % sizeof(rx)] = inb(COM1);
    outb(PIC1, 0x64);                // OCW2: specific EOI of IR4
  } else if (vec == SBASE + 6) {
    ndisk++;
    disk_slave_isr = read_isr(PIC2);
    disk_master_isr = read_isr(PIC1);
    inb(0x1F7);                      // the drive's status: its request is seen
    outb(PIC2, 0x66);                // specific EOIs: the slave's IR6, then
    outb(PIC1, 0x62);                // the master's IR2 (the cascade)
  } else {
    stray++;
    stray_vec = vec;
  }
}

// Idle until *v reaches want. The virtual IF goes off for the test and
// HC_IDLE turns it on with the host's check for pending, atomically: no
// interrupt slips in between.
static void
wait_for(volatile uint *v, uint want)
{
  for (;;) {
    shared->vif = 0;
    if (*v >= want)
      break;
    hc(HC_IDLE, 0);
  }
  shared->vif = 1;
}

static uint
host_ticks(void)
{
  hc(HC_VM_INFO, &info);
  return info.host_ticks;
}

// Let n host ticks go by, interrupts on, giving the CPU to the others.
static uint
let_pass(uint n)
{
  uint t0 = host_ticks(), t;
  while ((t = host_ticks()) - t0 < n)
    hc(HC_YIELD, 0);
  return t - t0;
}

// ---- the devices ----

static void
uart_init(void)
{
  outb(COM1 + 1, 0);                 // no interrupts yet
  outb(COM1 + 3, 0x80);              // DLAB: the divisor
  outb(COM1 + 0, 1);                 // 115200 baud
  outb(COM1 + 1, 0);
  outb(COM1 + 3, 0x03);              // 8N1
  outb(COM1 + 2, 0x07);              // FIFOs on and cleared
  outb(COM1 + 4, 0x0B);              // DTR, RTS, OUT2 (the IRQ line's gate)
  outb(COM1 + 1, 0x01);              // an interrupt for received data
  inb(COM1 + 2);
  inb(COM1 + 5);
}

static void
pic_init(void)
{
  outb(PIC1, 0x11);                  // ICW1: edge, cascade, ICW4 follows
  outb(PIC1 + 1, MBASE);             // ICW2: vectors
  outb(PIC1 + 1, 0x04);              // ICW3: the slave on IR2
  outb(PIC1 + 1, 0x01);              // ICW4: 8086 mode, normal EOI
  outb(PIC2, 0x11);
  outb(PIC2 + 1, SBASE);
  outb(PIC2 + 1, 0x02);              // ICW3: its number on the master
  outb(PIC2 + 1, 0x01);
  outb(PIC1 + 1, 0xFB);              // OCW1: all masked but the cascade
  outb(PIC2 + 1, 0xFF);
}

static void
pit_start(uint count)
{
  outb(PIT + 3, 0x34);               // channel 0, lobyte/hibyte, mode 2
  outb(PIT, count & 0xFF);
  outb(PIT, count >> 8);
}

static uint
pit_count(void)
{
  outb(PIT + 3, 0x00);               // latch channel 0
  uint lo = inb(PIT);
  return lo | inb(PIT) << 8;
}

// ---- the tests ----

static void
bad_input(void)
{
  uint u = inb(0x2E8);               // COM4's port: nothing there
  outb(0x2E8, 'x');                  // (counted, not said again)
  uint w = inw(PIC1 + 1);            // the 8259 takes bytes
  outw(COM1, 0x4142);                // ... so does the 16550: nothing goes out
  say("pctest: unknown port 0x2e8 reads 0x%x, inw from 0x21 reads 0x%x\n", u, w);
  check(u == 0xFF, "a port with no device reads as 0xff");
  check(w == 0xFFFF, "a refused inw reads as 0xffff");
  // An ICW sequence out of order: an OCW2 where ICW2 belongs, then a vector
  // base in the CPU's exceptions (a real PC BIOS's 0x08): refused.
  outb(PIC1, 0x11);
  outb(PIC1, 0x20);
  outb(PIC1 + 1, 0x08);
  outb(PIC1 + 1, 0x04);
  outb(PIC1 + 1, 0x01);
  outb(PIC2, 0x20);                  // an EOI to a slave never initialized
  // With the master refused, the timer must bring nothing, anywhere.
  pit_start(COUNT);
  outb(PIC1 + 1, 0x00);
  hc(HC_IRQ_ENABLE, 0);
  uint dt = let_pass(10);
  say("pctest: refused 8259: %d interrupts in %d host ticks\n", nticks + stray, dt);
  check(nticks + stray == 0, "an 8259 whose ICW2 was refused delivers nothing");
}

static void
timer(void)
{
  pic_init();
  pit_start(COUNT);
  uint c = pit_count();
  say("pctest: 8259s at 0x%x and 0x%x, PIT at %d Hz (count %d, latched %d)\n", MBASE, SBASE,
      HZ_GUEST, COUNT, c);
  check(c > 0 && c <= COUNT, "the latched count is within the reload");
  outb(PIC1 + 1, 0xFA);              // IR0 and the cascade
  wait_for(&nticks, 50);
  say("pctest: timer: %d interrupts, ISR in the handler 0x%x, after its EOI 0x%x\n", nticks,
      isr_in, isr_after);
  check(isr_in == 0x01 && isr_after == 0x00, "ISR has IR0 in service until the EOI");

  // Masked: nothing comes; IRR says it waits. Unmasked: it comes.
  outb(PIC1 + 1, 0xFB);
  uint n0 = nticks;
  uint dt = let_pass(20);
  uint n1 = nticks, irr = read_irr(PIC1);
  say("pctest: masked: %d interrupts in %d host ticks, IRR 0x%x\n", n1 - n0, dt, irr);
  check(n1 == n0 && (irr & 1), "a masked IRQ 0 waits in IRR and brings nothing");
  outb(PIC1 + 1, 0xFA);
  wait_for(&nticks, n1 + 1);
  say("pctest: unmasked: the timer is back (%d)\n", nticks);

  // Unended: one interrupt left in service holds its level off.
  hold = 1;
  wait_for(&nticks, nticks + 1);
  n0 = nticks;
  dt = let_pass(20);
  n1 = nticks;
  uint isr = read_isr(PIC1);
  irr = read_irr(PIC1);
  say("pctest: unended: %d interrupts in %d host ticks, ISR 0x%x IRR 0x%x\n", n1 - n0, dt, isr,
      irr);
  check(n1 == n0 && (isr & 1) && (irr & 1), "an unended IRQ 0 holds the next one off");
  outb(PIC1, 0x20);                  // its EOI, at last
  wait_for(&nticks, n1 + 1);
  say("pctest: after its EOI the timer is back (%d)\n", nticks);
}

// PIT mode 0: one interrupt when the count runs out, then none.
static void
oneshot(void)
{
  outb(PIT + 3, 0x30);               // channel 0, lobyte/hibyte, mode 0: stopped
  let_pass(2);                       // (an interrupt of the old mode may still come)
  uint n0 = nticks;
  outb(PIT, 0xFF);
  outb(PIT, 0xFF);                   // 65535 clocks: 55 ms, 6 host ticks
  uint dt = let_pass(20);
  uint n = nticks - n0;
  say("pctest: one-shot: %d interrupts in %d host ticks\n", n, dt);
  check(n == 1, "mode 0 interrupts once");
  pit_start(COUNT);                  // the rate generator again
}

// COM1 looped back on itself, and its transmitter-empty interrupt.
static void
uart_more(void)
{
  outb(COM1 + 4, 0x1B);              // loopback, DTR, RTS, OUT2
  outb(COM1, 'Z');                   // to itself, not to the console
  uint lsr = inb(COM1 + 5), c = inb(COM1), msr = inb(COM1 + 6);
  outb(COM1 + 4, 0x0B);
  say("pctest: loopback: LSR 0x%x, got '%c', MSR 0x%x\n", lsr, c, msr);
  check((lsr & 1) && c == 'Z' && msr == 0xB0, "loopback returns the byte and MCR's lines");
  outb(PIC1 + 1, 0xEA);              // IR0, the cascade, IR4
  outb(COM1 + 1, 0x03);              // received data and transmitter empty
  wait_for(&nthre, 1);
  outb(COM1 + 1, 0x01);
  say("pctest: transmitter-empty interrupts: %d\n", nthre);
  outb(PIC1 + 1, 0xFA);
}

static void
disk(void)
{
  static char sector[512];
  outb(0x3F6, 0);                    // nIEN clear: the drive interrupts
  while ((inb(0x1F7) & 0xC0) != 0x40)
    ;
  outb(0x1F2, 1);
  outb(0x1F3, 0);
  outb(0x1F4, 0);
  outb(0x1F5, 0);
  outb(0x1F6, 0xE0);
  outb(0x1F7, 0x20);                 // read sector 0: it interrupts at once
  let_pass(5);
  uint irr = read_irr(PIC2);
  say("pctest: disk masked on the slave: %d interrupts, slave IRR 0x%x\n", ndisk, irr);
  check(ndisk == 0 && (irr & 0x40), "a masked IRQ 14 waits in the slave's IRR");
  // Unmasked, but behind a timer interrupt left unended: IR0 outranks the
  // cascade's IR2, so the disk waits for IR0's EOI.
  hold = 1;
  wait_for(&nticks, nticks + 1);
  outb(PIC2 + 1, 0xBF);              // unmask the slave's IR6
  let_pass(5);
  uint n = ndisk, isr = read_isr(PIC1), mirr = read_irr(PIC1);
  say("pctest: disk behind an unended timer: %d interrupts, master ISR 0x%x IRR 0x%x\n", n, isr,
      mirr);
  check(n == 0 && (isr & 1) && (mirr & 4), "IRQ 14 waits while IRQ 0 is in service");
  outb(PIC1, 0x20);                  // IR0's EOI: the disk's turn comes
  wait_for(&ndisk, 1);
  insl(0x1F0, sector, 128);
  sector[40] = 0;
  say("pctest: disk: its interrupt at 0x%x, slave ISR 0x%x, master ISR 0x%x; sector 0 says: %s\n",
      SBASE + 6, disk_slave_isr, disk_master_isr, sector);
  check(disk_slave_isr == 0x40 && (disk_master_isr & 0x04),
        "a slave IRQ is in service on the slave and on the master's IR2");
}

static void
echo(void)
{
  char line[64];
  uint n = 0, r = 0;
  outb(PIC1 + 1, 0xEA);              // IR0, the cascade, IR4
  say("pctest: type a line\n");
  for (int end = 0; !end; ) {
    wait_for(&rx_w, r + 1);
    while (r != rx_w) {
      char c = rx[r++ % sizeof(rx)];
      putc(c);                       // the echo
      if (c == '\n')
        end = 1;
      else if (n < sizeof(line) - 1)
        line[n++] = c;
    }
  }
  line[n] = 0;
  say("pctest: got '%s' by %d receive interrupts\n", line, nrx);
  check(n > 0 && nrx > 0, "a line came by receive interrupts");
}

#ifdef PCTEST_FUZZ
#define FUZZ_N 20000

static uint seed = 12345;

static uint
rnd(void)
{
  seed = seed * 1103515245 + 12345;
  return seed >> 8;
}

static void
fuzz(void)
{
  static const unsigned short ports[] = {
    0x20, 0x21, 0xA0, 0xA1, 0x40, 0x41, 0x42, 0x43, 0x3F8, 0x3F9, 0x3FA, 0x3FB,
    0x3FC, 0x3FD, 0x3FE, 0x3FF, 0x80, 0x61, 0x2E8, 0x4D0,
  };
  shared->vif = 0;                   // whatever the chips raise waits
  for (uint i = 0; i < FUZZ_N; i++) {
    uint r = rnd(), p = ports[r % (sizeof(ports) / sizeof(ports[0]))], v = rnd();
    uint width = (r >> 8) % 8;       // mostly bytes
    if ((r >> 12) & 1) {
      if (width == 0)
        asm volatile("inw %w1,%w0" : "=a"(v) : "d"(p));
      else if (width == 1)
        asm volatile("inl %w1,%0" : "=a"(v) : "d"(p));
      else
        v = inb(p);
    } else {
      if (width == 0)
        outw(p, v);
      else if (width == 1)
        asm volatile("outl %0,%w1" : : "a"(v), "d"(p));
      else
        outb(p, v);
    }
  }
  uart_init();                       // everything set up again
  pic_init();
  pit_start(COUNT);
  outb(PIC1 + 1, 0xFA);
  say("\npctest: fuzz: %d random accesses done\n", FUZZ_N);
  wait_for(&nticks, nticks + 5);
  say("pctest: fuzz: the timer works again (%d interrupts)\n", nticks);
}
#endif

void
main(void)
{
  hc(HC_SET_SHARED, shared_page);
  hc(HC_VM_INFO, &info);
  for (int i = 0; i < 16; i++)
    vmos_hcall(HC_SET_TRAP, (i < 8 ? MBASE : SBASE - 8) + i, stubs[i], TT_TRAPGATE, 0);
  uart_init();
  say("pctest: COM1 up; the host ticks at %d Hz\n", info.host_hz);
#ifdef PCTEST_FUZZ
  fuzz();
  outb(PIC1 + 1, 0xFF);
  outb(0xF4, 100 + fails);
  for (;;)
    ;
#endif
  bad_input();
  timer();
  oneshot();
  uart_more();
  if (info.disk_mode == DISK_TRAP)
    disk();
  echo();
  outb(PIC1 + 1, 0xFF);              // no more interrupts: the counts are final
  outb(PIC2 + 1, 0xFF);
  say("pctest: %d timer interrupts in all, %d COM1 interrupts, %d stray (last 0x%x), %d checks "
      "failed\n", nticks, ncom1, stray, stray_vec, fails);
  outb(0xF4, 100 + fails);           // the host stops it with this status
  for (;;)
    ;
}
