// hostile.c: attacks on the host from mini's kernel (ring 1), one per test
// variant (guests/mini/mini.mk builds each with -DMINI_<NAME>); the plain mini
// runs none. grade/hostile.py boots each beside an honest mini and checks that
// the attempt is refused, or that the attacker alone is stopped, with a reason.
// Each attack prints what it saw, so a test can tell a refusal from a success.
// main() calls hostile_kernel() once the kernel has its traps, its ring-1
// stack and its timer, before the first task runs.
#include "mini.h"
#include "hcall.h"

#if defined(MINI_KLDT)
// A call gate in the LDT: x86 takes a selector with TI=1 from the table LDTR
// names. Were LDTR left as the CPU resets it (base 0, limit 0xFFFF), linear
// 0..0xFFFF would be the table, and a gate there to the host's code selector
// would run the guest's code in ring 0. The host must make such selectors
// invalid (a null LDTR): the lcall below must raise #GP.
static void
attack(void)
{
  uint sel = 0 << 3 | 4 | 1;          // LDT entry 0, RPL 1
  uint ok;
  asm volatile("lar %1, %0; setz %b0; movzbl %b0, %0" : "=r"(ok) : "r"(sel) : "cc");
  kprintf("mini: lar on LDT selector 0x%x: %s\n", sel, ok ? "valid (an LDT is live)" : "invalid");
  struct { uint off; unsigned short sel; } __attribute__((packed)) far = { 0, sel };
  kprintf("mini: calling through LDT selector 0x%x\n", sel);
  asm volatile("lcall *%0" : : "m"(far) : "memory");
  kprintf("mini: the LDT call returned (wrong)\n");
}

#elif defined(MINI_KDF)
// The direction flag: a guest kernel may set it, and the CPU keeps it on entry
// to the host. A host whose string copies ran backwards with it would copy
// its trap frame over its own data. Hypercalls and timer interrupts with DF set.
// The words below the frame on the vCPU page are ours to choose: a host that
// copied backwards would take them for its own data (a VM's saved registers, its
// shadow log, another VM's state), so the test boots a VM on each side of us.
static int
hc_df(int nr, uint a, uint b)
{
  int r;
  asm volatile("std; int $0x82; cld" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory", "cc");
  return r;
}

static void
attack(void)
{
  kprintf("mini: hypercalls and timer ticks with the direction flag set\n");
  volatile uint *vcpu = (volatile uint *)(ABI_SWITCHER_BASE + 0x5000);
  for (int i = 0; i < 1024 - 64; i++)
    vcpu[i] = i & 1 ? 0x40000000 : 0;
  for (int i = 0; i < 2000; i++)
    hc_df(HC_NULL, 0, 0);
  for (int i = 0; i < 20; i++) {
    hc_df(HC_SET_SHARED, (uint)&shared, 0);
    hc_df(HC_VM_INFO, (uint)&info, 0);
    hc_df(HC_CONSOLE_WRITE, (uint)"", 0);
  }
  // NT and AC too: the host's own iret must not become a task switch, and
  // the guest keeps the flags it set (IOPL stays 0, IF stays 1).
  uint kept = 0;
  for (int i = 0; i < 100; i++) {
    uint f;
    asm volatile("pushfl; orl $0x44000, (%%esp); popfl; int $0x82; pushfl; popl %0;"
                 "pushfl; andl $~0x44000, (%%esp); popfl"
                 : "=r"(f) : "a"(HC_NULL) : "memory", "cc");
    kept += (f & 0x47200) == 0x44200;    // NT, AC and IF set, IOPL 0
  }
  kprintf("mini: NT and AC kept over %u of 100 hypercalls, IOPL 0, IF 1\n", kept);
  uint t0 = shared.s.ticks;
  asm volatile("std");
  hcall0(HC_IRQ_ENABLE);               // let the virtual timer in
  while (shared.s.ticks - t0 < 20)     // ticks arrive (entry.S clears DF for trap())
    asm volatile("std" : : : "cc");    // and the host is entered with DF set
  asm volatile("cld");
  shared.s.vif = 0;
  kprintf("mini: survived DF (%u ticks)\n", shared.s.ticks - t0);
}

#elif defined(MINI_VCPU)
// The vCPU page (ABI_SWITCHER_BASE + 0x5000) is writable by ring 1: the CPU
// pushes the trap frame there. Were it one page for all VMs, two VMs would
// talk through it and each would read the other's registers. Write our mark
// at its bottom, let the others run, read it back.
static void
attack(void)
{
  volatile uint *vcpu = (volatile uint *)(ABI_SWITCHER_BASE + 0x5000);
  uint mark = 0x5EC00000 | info.id;
  vcpu[0] = mark;
  for (int i = 0; i < 5; i++) {
    hcall0(HC_YIELD);
    uint seen = vcpu[0];
    if (seen != mark) {
      kprintf("mini: vcpu page: saw 0x%x, VM %u's mark: shared\n", seen, seen & 0xFFFF);
      return;
    }
  }
  kprintf("mini: vcpu page: private (own mark kept over 5 yields)\n");
}

#elif defined(MINI_IDTPEEK)
// Every VM's IDT page once lay in the switcher region, readable by every guest
// kernel: another VM's handlers for all to see. Only the running VM's may be
// mapped. Read the page after our own IDT's.
static void
attack(void)
{
  volatile uint *idt = (volatile uint *)(ABI_SWITCHER_BASE + 0x10000);
  kprintf("mini: reading the switcher region after our IDT\n");
  uint v = idt[1024 + 0x30 * 2];
  kprintf("mini: read another VM's IDT: 0x%x (wrong)\n", v);
}

#elif defined(MINI_FPU)
// x87 state belongs to a VM: were it not switched, the value we load would be
// overwritten by the next VM's, and it would read ours.
static void
attack(void)
{
  uint mine = info.id * 1000 + 7, seen = 0;
  asm volatile("fninit; fildl %0" : : "m"(mine));
  for (int i = 0; i < 20; i++) {
    hcall0(HC_YIELD);
    asm volatile("fistl %0" : "=m"(seen));
    if (seen != mine) {
      kprintf("mini: fpu: st0 was %u, now %u: another VM's\n", mine, seen);
      return;
    }
  }
  kprintf("mini: fpu: st0 kept %u over 20 yields\n", seen);
}

#elif defined(MINI_DISKOVER)
// The emulated disk's data port, one element across the end of the sector
// buffer: a 4-byte access at byte 511. Were position plus size not checked,
// the write would land 3 bytes past the host's buffer and the read would
// bring them back. Boot with a trap-mode disk (vms=mini-diskover:2M:hd0).
static inline uint inb(int p) { unsigned char v; asm volatile("inb %w1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outb(int p, uint v) { asm volatile("outb %b0,%w1" : : "a"(v), "d"(p)); }
static inline uint inl(int p) { uint v; asm volatile("inl %w1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outl(int p, uint v) { asm volatile("outl %0,%w1" : : "a"(v), "d"(p)); }

static void
command(int cmd)
{
  while ((inb(0x1F7) & 0xC0) != 0x40)
    ;
  outb(0x1F2, 1);
  outb(0x1F3, 1);                      // sector 1
  outb(0x1F4, 0);
  outb(0x1F5, 0);
  outb(0x1F6, 0xE0);
  outb(0x1F7, cmd);
}

static void
attack(void)
{
  command(0x30);                       // write: 511 bytes, then 4 across the end
  for (int i = 0; i < 511; i++)
    outb(0x1F0, 0xAA);
  outl(0x1F0, 0x04030201);
  command(0x20);                       // read it back the same way
  while (!(inb(0x1F7) & 0x08))
    ;
  for (int i = 0; i < 511; i++)
    inb(0x1F0);
  kprintf("mini: disk overrun: 4 bytes at 511 read back 0x%x\n", inl(0x1F0));
}

#elif defined(MINI_REPIO)
// One rep outsb of a megabyte to the emulated controller's command port: a
// single instruction. Emulated in one go, it would hold the host until done;
// hardware takes interrupts between elements, and so must the host. Boot with
// 4 MiB and a trap-mode disk (vms=mini-repio:4M:hd0): the megabyte is the
// (zeroed) memory from 2 MiB up, so every byte is command 0, refused.
static void
attack(void)
{
  if (info.mem_size < (3u << 20)) {
    kprintf("mini: repio needs 3 MiB\n");
    return;
  }
  hcall1(HC_MARK, "repio-begin");
  kprintf("mini: repio: start\n");
  const char *p = (const char *)(info.mem_base + (2u << 20));
  uint n = 1u << 20;
  asm volatile("cld; rep outsb" : "+S"(p), "+c"(n) : "d"(0x1F7) : "memory");
  hcall1(HC_MARK, "repio-end");
  kprintf("mini: repio: done, %u left\n", n);
}

#elif defined(MINI_FUZZ)
// 100,000 hypercalls with random numbers and arguments, from ring 1 (issue 10
// item 6). The arguments come from a list of the values an attacker would try
// (the host's kernel and its map of all memory, the switcher region and its
// vCPU page, ranges that wrap around 4 GiB, huge lengths, the last bytes of
// its own memory) and from plain random words. Calls that would change this
// mini's own machine (its shared page, traps, stacks, timer, iret sequence)
// or that take the CPU away (idle, yield, exit) get only arguments the host
// must refuse; each such call that succeeds is a hole, counted and printed.
// Afterwards the mini runs its tasks as usual: the host kept it intact.
static uint seed = 0x2545F491;

static uint
rnd(void)
{
  seed ^= seed << 13;                 // xorshift32
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

// Addresses that are never this VM's to hand the host.
static uint
bad_ptr(void)
{
  uint top = info.mem_base + info.mem_size;
  static const uint fixed[] = {
    0, 4, 0x1000, 0x100000, 0xC0000000u, 0xC0100000u, 0xC0400000u, 0xBFFFFFFCu,
    ABI_SWITCHER_BASE, ABI_SWITCHER_BASE + 0x5000, 0xFFFFF000u, 0xFFFFFFF0u, 0xFFFFFFFFu,
    FLAT_BASE - 4, FLAT_BASE - 0x1000,
  };
  uint n = sizeof(fixed) / sizeof(fixed[0]);
  uint k = rnd() % (n + 3);
  if (k < n)
    return fixed[k];
  if (k == n)
    return top;                       // the first byte past its memory
  if (k == n + 1)
    return top + (rnd() & 0xFFFFF);
  uint r = rnd();                     // random, but never inside its memory
  return r - info.mem_base < info.mem_size ? top : r;
}

// A length or count: small, at an edge, or huge (wrapping a pointer around).
static uint
any_len(void)
{
  static const uint fixed[] = { 0, 1, 8, 9, 512, 1024, 1025, 4096, 0x7FFFFFFFu,
                                0x80000000u, 0xFFFFFFFFu, 0xFFFFF000u };
  uint k = rnd() % 16;
  return k < 12 ? fixed[k] : rnd();
}

// One random call; returns 1 if it had to be refused and was not.
static int
fuzz_one(uint *refused)
{
  uint nr = rnd() % 8 == 0 ? rnd() : rnd() % (HC_MAX + 4);
  uint a = bad_ptr(), b = any_len(), c = any_len(), d = any_len();
  switch (nr) {
  case HC_SET_TRAP:                   // a handler outside its memory, any vector
    a = rnd() & 0x1FF;
    b = bad_ptr();
    c = rnd() & ~TT_CLEAR;
    break;
  case HC_CONSOLE_WRITE: case HC_CONSOLE_READ:
    b = b ? b : 1;                    // (nothing at a bad pointer is nothing)
    break;
  case HC_STACK_SWITCH:               // (a stack may end where its memory does)
    a = a == info.mem_base + info.mem_size ? a + 4 : a;
    break;
  case HC_VM_INFO: case HC_SET_SHARED: case HC_MARK: case HC_BLK_SETUP:
    break;                            // a's pointer is bad: refused
  case HC_SET_IRET:                   // a range not inside it
    b = bad_ptr();
    break;
  case HC_SET_TIMER:                  // periods out of range
    a = 100001 + (rnd() & 0x7FFFFFFF);
    break;
  case HC_BLOCK_IO:                   // it has no disk
    b = bad_ptr();
    break;
  case HC_BALLOON:                    // give or take pages named by a bad pointer,
    a = rnd() % 2 ? BALLOON_GIVE + rnd() % 2 : rnd() | 4;   // or an op that is none
    b = bad_ptr();                    // (BALLOON_HELLO is fine: never made here)
    break;
  case HC_IRQ_ENABLE: case HC_YIELD: case HC_IDLE: case HC_EXIT: case HC_NULL:
    return 0;                         // fine and well tested, or they end the fuzz
  default:                            // anything else: random words; mini is not
    a = rnd() % 4 ? rnd() : bad_ptr();  // paged and owns no device, so every
    break;                            // other call is refused
  }
  int r = vmos_hcall(nr, a, b, c, d);
  if (r < 0) {
    (*refused)++;
    return 0;
  }
  kprintf("mini: fuzz: hypercall %u (0x%x, 0x%x, 0x%x, 0x%x) returned %d: accepted\n",
          nr, a, b, c, d, r);
  return 1;
}

static void
attack(void)
{
  uint refused = 0, holes = 0, n = 100000;
  kprintf("mini: fuzz: %u random hypercalls\n", n);
  hcall1(HC_MARK, "fuzz-begin");
  for (uint i = 0; i < n; i++)
    holes += fuzz_one(&refused);
  hcall1(HC_MARK, "fuzz-end");
  kprintf("mini: fuzz: %u calls, %u refused, %u accepted that must not be\n", n, refused,
          holes);
}

#elif defined(MINI_KPRIV)
// Every privileged instruction from a paravirtual kernel (ring 1, IOPL 0):
// each must raise #GP, which the host reflects to this kernel (not carry it
// out: only a trap-mode VM has instructions emulated, and this one is not).
// The attack asks for its own #GPs (vector 13 without TT_RING3) and resumes
// after each one; then it runs what x86 lets ring 1 run silently and prints
// what that shows.
static volatile uint resume, faults;
extern char vector13[];              // entry.S: the #GP stub

int
hostile_fault(struct tf *tf)
{
  if (tf->trapno != 13 || (tf->cs & 3) != 1 || resume == 0)
    return 0;
  faults++;
  tf->eip = resume;
  resume = 0;
  return 1;
}

// Run insn with resume set to the address after it; 1 if it faulted.
#define TRY(insn, ...) ({ \
  uint before = faults; \
  asm volatile("movl $1f, %0\n\t" insn "\n1:\n\tmovl $0, %0" : "=m"(resume) : __VA_ARGS__ \
               : "memory", "eax", "ecx", "edx"); \
  faults != before; })

static void
attack(void)
{
  static unsigned short desc[3];
  uint n = 0, gp = 0;
  hcall3(HC_SET_TRAP, 13, (uint)vector13, 0);    // its kernel's #GP comes to it now
  struct { const char *name; int faulted; } r[] = {
    { "cli", TRY("cli", "i"(0)) },
    { "sti", TRY("sti", "i"(0)) },
    { "hlt", TRY("hlt", "i"(0)) },
    { "mov-from-cr0", TRY("movl %%cr0, %%eax", "i"(0)) },
    { "mov-to-cr0", TRY("movl $0x80000011, %%eax; movl %%eax, %%cr0", "i"(0)) },
    { "mov-from-cr3", TRY("movl %%cr3, %%eax", "i"(0)) },
    { "mov-to-cr3", TRY("movl $0, %%eax; movl %%eax, %%cr3", "i"(0)) },
    { "mov-to-cr4", TRY("movl $0, %%eax; movl %%eax, %%cr4", "i"(0)) },
    { "mov-to-dr7", TRY("movl $0x3ff, %%eax; movl %%eax, %%dr7", "i"(0)) },
    { "invlpg", TRY("invlpg (%1)", "r"(FLAT_BASE)) },
    { "lidt", TRY("lidt %1", "m"(desc)) },
    { "lgdt", TRY("lgdt %1", "m"(desc)) },
    { "lldt", TRY("movl $0, %%eax; lldt %%ax", "i"(0)) },
    { "ltr", TRY("movl $0x28, %%eax; ltr %%ax", "i"(0)) },
    { "clts", TRY("clts", "i"(0)) },
    { "wbinvd", TRY("wbinvd", "i"(0)) },
    { "rdmsr", TRY("movl $0x10, %%ecx; rdmsr", "i"(0)) },
    { "inb-pic", TRY("inb $0x21, %%al", "i"(0)) },
    { "outb-pic", TRY("movb $0xff, %%al; outb %%al, $0x21", "i"(0)) },
    { "outb-com1", TRY("movb $0x41, %%al; movw $0x3f8, %%dx; outb %%al, %%dx", "i"(0)) },
  };
  for (uint i = 0; i < sizeof(r) / sizeof(r[0]); i++, n++) {
    gp += r[i].faulted;
    if (!r[i].faulted)
      kprintf("mini: kpriv: %s ran in ring 1 (wrong)\n", r[i].name);
  }
  kprintf("mini: kpriv: %u of %u privileged instructions raised #GP\n", gp, n);
  hcall3(HC_SET_TRAP, 13, (uint)vector13, TT_RING3);   // as before
  uint fl, cs;
  unsigned short msw, tr;
  struct { unsigned short limit; uint base; } __attribute__((packed)) gdt, idt;
  asm volatile("pushfl; popl %0" : "=r"(fl));
  asm volatile("movl %%cs, %0" : "=r"(cs));
  asm volatile("sgdt %0" : "=m"(gdt));
  asm volatile("sidt %0" : "=m"(idt));
  asm volatile("smsw %0" : "=r"(msw));
  asm volatile("str %0" : "=r"(tr));
  kprintf("mini: kpriv: ring 1 sees: eflags 0x%x (IF %u, IOPL %u), cs 0x%x (ring %u), "
          "gdt 0x%x, idt 0x%x, msw 0x%x, tr 0x%x\n", fl, (fl >> 9) & 1, (fl >> 12) & 3, cs,
          cs & 3, gdt.base, idt.base, msw, tr);
}

#elif defined(MINI_VIFSPIN)
// A kernel that turns its virtual IF off and spins for ever: it never takes
// another virtual interrupt, but the host's timer is the host's (design.md
// section 7), so it is preempted at each slice's end as any VM is, and the
// VM beside it keeps its share.
static void
attack(void)
{
  kprintf("mini: vifspin: spinning with the virtual IF off\n");
  shared.s.vif = 0;
  for (volatile uint i = 0; ; i++)
    ;
}

#elif defined(MINI_BALBAD)
// HC_BALLOON with batches the host must refuse whole (lab 4, vmos/abi.h
// "Ballooning"), each result printed, then a give and a take that are right,
// so a test sees the refusals changed nothing: pages beyond its memory, its
// shared page, a page given twice, a page it never gave, a duplicate in one
// batch, a batch too long, a bad array pointer, an unknown op.
static uint b[BALLOON_BATCH + 1];

static int
balloon(uint op, uint n)
{
  return hcall3(HC_BALLOON, op, b, n);
}

static void
attack(void)
{
  uint lo = balloon_free_lo() - info.mem_base, p0 = lo, p1 = lo + 4096, p2 = lo + 8192;
  b[0] = info.mem_size;
  kprintf("mini: balbad: give beyond its memory: %d\n", balloon(BALLOON_GIVE, 1));
  b[0] = (uint)&shared - info.mem_base;
  kprintf("mini: balbad: give its shared page: %d\n", balloon(BALLOON_GIVE, 1));
  b[0] = p0 + 12;
  kprintf("mini: balbad: give an unaligned address: %d\n", balloon(BALLOON_GIVE, 1));
  b[0] = p1;
  b[1] = p1;
  kprintf("mini: balbad: give one page twice in a batch: %d\n", balloon(BALLOON_GIVE, 2));
  b[0] = p0;
  kprintf("mini: balbad: give a free page: %d\n", balloon(BALLOON_GIVE, 1));
  kprintf("mini: balbad: give it again: %d\n", balloon(BALLOON_GIVE, 1));
  b[0] = p1;
  b[1] = p0;
  kprintf("mini: balbad: give a batch with a given page last: %d\n",
          balloon(BALLOON_GIVE, 2));
  b[0] = p2;
  kprintf("mini: balbad: take a page it never gave: %d\n", balloon(BALLOON_TAKE, 1));
  b[0] = p0;
  b[1] = p1;
  kprintf("mini: balbad: take a given page and one never given: %d\n",
          balloon(BALLOON_TAKE, 2));
  for (uint i = 0; i <= BALLOON_BATCH; i++)
    b[i] = lo + i * 4096;
  kprintf("mini: balbad: give a batch of %u: %d\n", BALLOON_BATCH + 1,
          balloon(BALLOON_GIVE, BALLOON_BATCH + 1));
  kprintf("mini: balbad: give 0 pages: %d\n", balloon(BALLOON_GIVE, 0));
  kprintf("mini: balbad: give from a bad pointer: %d\n",
          hcall3(HC_BALLOON, BALLOON_GIVE, 0xC0100000, 1));
  kprintf("mini: balbad: op 7: %d\n", balloon(7, 1));
  // The first page given is still given (and only it): taking it back works
  // once, and it comes back zeroed.
  *(volatile uint *)(info.mem_base + p1) = 0x1234;   // p1 was never given: still ours
  b[0] = p0;
  kprintf("mini: balbad: take the given page back: %d\n", balloon(BALLOON_TAKE, 1));
  kprintf("mini: balbad: take it back again: %d\n", balloon(BALLOON_TAKE, 1));
  kprintf("mini: balbad: it reads 0x%x; the page never given reads 0x%x\n",
          *(volatile uint *)(info.mem_base + p0), *(volatile uint *)(info.mem_base + p1));
}

#elif defined(MINI_BALTOUCH)
// A kernel that gives a page back to the host and writes it afterwards: the
// host must stop it (the page may be another VM's by now), naming the page.
static uint b[1];

static void
attack(void)
{
  uint va = balloon_free_lo() + 4096;
  b[0] = va - info.mem_base;
  *(volatile uint *)va = 1;
  kprintf("mini: baltouch: gave guest-physical 0x%x: %d\n", b[0],
          hcall3(HC_BALLOON, BALLOON_GIVE, b, 1));
  kprintf("mini: baltouch: writing it\n");
  *(volatile uint *)va = 2;
  kprintf("mini: baltouch: the write went through (wrong)\n");
}

#else
static void
attack(void)
{
}
#endif

void
hostile_kernel(void)
{
  attack();
}

#ifndef MINI_KPRIV
int
hostile_fault(struct tf *tf)
{
  return 0;                      // no variant but kpriv expects its kernel to fault
}
#endif
