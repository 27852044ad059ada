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
