// trapio.c: a PC kernel that puts the trap-mode emulator's decoder through
// its forms (grade/trapemu.py): in and out with an 8-bit port and with dx, in
// every width; ins and outs with rep and without, in every width, with a 0x66
// prefix, a segment override and the direction flag set; mov to and from cr0,
// cr3 and cr4; invlpg with a SIB operand and a displacement. Each case is
// checked by its effect, on the VM's trap-mode IDE disk (a sector written one
// way and read back another), its virtual 8259 (a mask written and read
// back) and its page tables (a translation left stale until the invlpg);
// and the sti shadow: with a timer interrupt waiting, `sti; cli` takes none
// and `sti; nop; cli` takes it right before the cli (its frame says so); and a
// hypercall is refused.
// It says `trapio: ok: CASE` or `trapio: FAIL: CASE` on COM1 (polled), then
// `trapio: done, cases N` and `trapio: all ok` (or not), and ends through
// port 0xF4.
#include "vmos/abi.h"

typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;
#define V2P(a) ((uint)(a) - GUEST_KERNBASE)
#define SECTOR 900                // a sector of the scratch disk (snapshot)

static uint pd[1024] __attribute__((aligned(4096)));
static uint pt[1024] __attribute__((aligned(4096)));
static uint page_a[1024] __attribute__((aligned(4096)));
static uint page_b[1024] __attribute__((aligned(4096)));
static ushort out[256], in[256];
static int failed, cases;
static struct { ushort off_lo, sel; uchar zero, type; ushort off_hi; } idt[256];
static struct { ushort lim; uint base; } __attribute__((packed)) idtr;
volatile uint taken, taken_eip;  // timer interrupts taken, and where (timer_entry)
extern char timer_entry[], before_cli[];

// The timer's handler: note the interrupted eip, end the interrupt, return.
// (In ring 1 its iret leaves the virtual IF off: the code after cli wants it so.)
asm(".text\n"
    "timer_entry:\n"
    "  pushl %eax\n"
    "  movl 4(%esp), %eax\n"
    "  movl %eax, taken_eip\n"
    "  incl taken\n"
    "  movb $0x20, %al\n"
    "  outb %al, $0x20\n"
    "  popl %eax\n"
    "  iret\n");

static inline uchar inb_dx(ushort p) { uchar v; asm volatile("inb %1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outb_dx(ushort p, uchar v) { asm volatile("outb %0,%1" : : "a"(v), "d"(p)); }

static void
putc(int c)
{
  for (int i = 0; i < 1000 && !(inb_dx(0x3FD) & 0x20); i++)
    ;
  outb_dx(0x3F8, c);
}

static void
say(const char *a, const char *b)
{
  for (; *a; a++)
    putc(*a);
  for (; *b; b++)
    putc(*b);
  putc('\n');
}

static void
check(int ok, const char *what)
{
  say(ok ? "trapio: ok: " : "trapio: FAIL: ", what);
  failed += !ok;
  cases++;
}

// The IDE primary master at 0x1F0: a one-sector command on SECTOR.
static void
command(uchar cmd)
{
  while (inb_dx(0x1F7) & 0x80)    // BSY
    ;
  outb_dx(0x1F6, 0xE0);           // the master, LBA
  outb_dx(0x1F2, 1);
  outb_dx(0x1F3, SECTOR & 0xFF);
  outb_dx(0x1F4, SECTOR >> 8);
  outb_dx(0x1F5, 0);
  outb_dx(0x1F7, cmd);
  while ((inb_dx(0x1F7) & 0x88) != 0x08)   // DRQ, not BSY
    ;
}

static void
fill(int seed)
{
  for (int i = 0; i < 256; i++)
    out[i] = (ushort)(i * 2654435761u >> 7) ^ seed;
  for (int i = 0; i < 256; i++)
    in[i] = 0;
}

static int
same(void)
{
  for (int i = 0; i < 256; i++)
    if (in[i] != out[i])
      return 0;
  return 1;
}

// A string instruction on the data port (0x1F0): buf in both esi and edi
// (the instruction uses its own), count in ecx; all three it may change.
#define string_io(insn, buf, count) do {                                     \
    void *p_ = (buf), *q_ = p_;                                              \
    uint c_ = (count);                                                       \
    asm volatile(insn : "+S"(p_), "+D"(q_), "+c"(c_) : "d"(0x1F0) : "memory", "cc"); \
  } while (0)

static void
settle(void)                      // a write's end: status ready again
{
  while (inb_dx(0x1F7) & 0x88)
    ;
}

void
main(uint magic, uint info)
{
  check(magic == 0x2BADB002, "entered by a multiboot loader (eax 0x2BADB002)");

  // in/out with an 8-bit port, 8 bits: the master 8259's mask, written and read.
  uchar m;
  asm volatile("movb $0xA5, %%al; outb %%al, $0x21; xorl %%eax, %%eax; inb $0x21, %%al"
               : "=a"(m));
  check(m == 0xA5, "outb/inb imm8 (the 8259 mask reads back)");
  asm volatile("movb $0xFF, %%al; outb %%al, $0x21" : : : "eax");
  outb_dx(0xA1, 0x5A);
  check(inb_dx(0xA1) == 0x5A, "outb/inb dx (the slave's mask reads back)");
  outb_dx(0xA1, 0xFF);

  // rep outsw (0x66 prefix) with a %es override; read back with rep insl.
  fill(1);
  command(0x30);
  string_io("cld; rep outsw %%es:(%%esi), (%%dx)", out, 256);
  settle();
  command(0x20);
  string_io("cld; rep insl (%%dx), %%es:(%%edi)", in, 128);
  check(same(), "rep outsw with an %es override, rep insl");

  // outsl one at a time (no rep); inw with dx, in a loop.
  fill(2);
  command(0x30);
  for (int i = 0; i < 128; i++)
    string_io("outsl (%%esi), (%%dx)", (uint *)out + i, 0);
  settle();
  command(0x20);
  for (int i = 0; i < 256; i++) {
    ushort w;
    asm volatile("inw %%dx, %%ax" : "=a"(w) : "d"(0x1F0));
    in[i] = w;
  }
  check(same(), "outsl without rep, inw dx");

  // outl dx and outw dx; rep insb; then insw with the direction flag set.
  fill(3);
  command(0x30);
  for (int i = 0; i < 64; i++) {
    asm volatile("outl %%eax, %%dx" : : "a"(((uint *)out)[2 * i]), "d"(0x1F0));
    asm volatile("outw %%ax, %%dx" : : "a"(out[4 * i + 2]), "d"(0x1F0));
    asm volatile("outw %%ax, %%dx" : : "a"(out[4 * i + 3]), "d"(0x1F0));
  }
  settle();
  command(0x20);
  string_io("cld; rep insb (%%dx), (%%edi)", in, 512);
  check(same(), "outl and outw dx, rep insb");
  command(0x20);
  static ushort rev[256];
  string_io("std; rep insw (%%dx), (%%edi); cld", &rev[255], 256);
  int ok = 1;
  for (int i = 0; i < 256; i++)
    ok &= rev[255 - i] == out[i];
  check(ok, "rep insw with the direction flag set (backwards)");

  // rep outsb, then inl dx in a loop.
  fill(4);
  command(0x30);
  string_io("cld; rep outsb (%%esi), (%%dx)", out, 512);
  settle();
  command(0x20);
  for (int i = 0; i < 128; i++) {
    uint l;
    asm volatile("inl %%dx, %%eax" : "=a"(l) : "d"(0x1F0));
    ((uint *)in)[i] = l;
  }
  check(same(), "rep outsb, inl dx");

  // The control registers as the guest believes them.
  uint cr0, cr4, cr3;
  asm volatile("movl %%cr0, %0" : "=r"(cr0));
  check((cr0 & 0x80000001) == 0x80000001, "mov from cr0: paging and protection on");
  asm volatile("movl %0, %%cr4; movl %%cr4, %%esi" : "=S"(cr4) : "r"(0x90u));
  check(cr4 == 0x90, "mov to cr4 and back (through esi)");

  // Our own page tables: the kernel as a 4 MiB page, and 0x400000 -> page_a.
  pd[GUEST_KERNBASE >> 22] = 0x83;                 // 0 .. 4 MiB, present, writable, 4 MiB
  pd[1] = V2P(pt) | 3;
  pt[0] = V2P(page_a) | 3;
  page_a[5] = 0xAAAA;
  page_b[5] = 0xBBBB;
  asm volatile("movl %0, %%cr3" : : "r"(V2P(pd)) : "memory");
  asm volatile("movl %%cr3, %%edi" : "=D"(cr3));
  check(cr3 == V2P(pd), "mov to cr3 and back (through edi)");
  volatile uint *x = (uint *)0x400000;
  check(x[5] == 0xAAAA, "our own page tables: 0x400000 is page_a");
  pt[0] = V2P(page_b) | 3;                         // the translation is stale now
  check(x[5] == 0xAAAA, "a changed entry is stale until invlpg (as in a TLB)");
  // invlpg 0x10(%ebx,%ecx,4) = 0x400000 + 8: the page, by a SIB address.
  asm volatile("invlpg 0x10(%%ebx,%%ecx,4)" : : "b"(0x400000 - 0x10 - 4 * 2), "c"(4) : "memory");
  check(x[5] == 0xBBBB, "invlpg with SIB and displacement drops the right page");

  // The sti shadow. The 8259s at 0x20 with only the timer unmasked, the PIT
  // at 100 Hz, a gate for vector 0x20; wait (virtual IF off) until the
  // master's IRR holds IRQ 0.
  outb_dx(0x20, 0x11); outb_dx(0x21, 0x20); outb_dx(0x21, 4); outb_dx(0x21, 1);
  outb_dx(0xA0, 0x11); outb_dx(0xA1, 0x28); outb_dx(0xA1, 2); outb_dx(0xA1, 1);
  outb_dx(0x21, 0xFE); outb_dx(0xA1, 0xFF);
  uint h = (uint)timer_entry;
  idt[0x20].off_lo = h; idt[0x20].sel = SEL_GKCODE; idt[0x20].type = 0x80 | 1 << 5 | 0xE;
  idt[0x20].off_hi = h >> 16;
  idtr.lim = sizeof(idt) - 1;
  idtr.base = (uint)idt;
  asm volatile("lidt %0" : : "m"(idtr));
  asm volatile("cli");
  outb_dx(0x43, 0x34); outb_dx(0x40, 11932 & 0xFF); outb_dx(0x40, 11932 >> 8);
  int irr = 0;
  for (int i = 0; i < 10000000 && !irr; i++) {
    outb_dx(0x20, 0x0A);                       // OCW3: read the IRR
    irr = inb_dx(0x20) & 1;
  }
  check(irr, "the timer's IRQ 0 waits in the 8259's IRR (virtual IF off)");
  for (int i = 0; i < 20; i++)
    asm volatile("sti; cli" : : : "memory");
  check(taken == 0, "sti; cli takes no interrupt (the sti shadow)");
  asm volatile("sti; nop\n"
               ".globl before_cli\n"
               "before_cli: cli" : : : "memory");
  check(taken == 1 && taken_eip == (uint)before_cli,
        "sti; nop; cli takes the interrupt after the nop, before the cli");
  outb_dx(0x21, 0xFF);

  // A PC kernel makes no hypercalls: the gate is there (DPL 1), the host refuses.
  int r;
  asm volatile("int $0x82" : "=a"(r) : "a"(HC_NULL) : "memory");
  check(r == E_PERM, "a hypercall is refused (E_PERM)");

  // Done: say so and end the run through the exit port.
  char n[3] = { '0' + cases / 10 % 10, '0' + cases % 10, 0 };
  say("trapio: done, cases ", n);
  say("trapio: ", failed ? "something FAILED" : "all ok");
  asm volatile("outl %0, $0xF4" : : "a"(failed ? 1 : 0));
  for (;;)
    ;
}
