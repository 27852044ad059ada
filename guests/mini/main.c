// main.c: mini's boot. entry.S calls main() on the boot stack in ring 1. mini
// tells the host where its shared page and iret sequence are, learns about its
// VM, registers its trap table, and starts its tasks. The test variants
// (-DMINI_KDIV and the others, see mini.mk) misbehave on purpose right after
// boot, so the host's containment can be seen.
#include "mini.h"
#include "hcall.h"

union sharedpage shared __attribute__((aligned(4096)));
struct vm_info info;

uint
memtop(void)
{
  return info.mem_base + info.mem_size;
}

static void
misbehave(void)
{
#if defined(MINI_KDIV)
  kprintf("mini: dividing by zero in the kernel\n");
  // In assembly: gcc would turn 1/x into compares, with no divide to fault.
  asm volatile("xorl %%ecx, %%ecx; movl $1, %%eax; xorl %%edx, %%edx; divl %%ecx"
               : : : "eax", "ecx", "edx");
  kprintf("mini: still here after dividing by zero (wrong)\n");
#elif defined(MINI_WSWITCH)
  kprintf("mini: writing the switcher region\n");
  *(volatile uint *)ABI_SWITCHER_BASE = 1;
#elif defined(MINI_RHOST)
  kprintf("mini: reading host memory at 0xc0100000\n");
  kprintf("mini: read 0x%x (wrong)\n", *(volatile uint *)0xC0100000);
#elif defined(MINI_BADPTR)
  int r1 = hcall2(HC_CONSOLE_WRITE, 0xC0100000, 16);
  int r2 = hcall2(HC_CONSOLE_WRITE, memtop() - 8, 16);
  kprintf("mini: bad pointer hypercall returned %d and %d\n", r1, r2);
  // Lab 2: a device vector's handler in the host; interrupts that never came.
  int r3 = hcall3(HC_SET_TRAP, VIRQ_VECTOR(14), 0xC0100000, 0);
  int r4 = hcall1(HC_INVOKE_VMOS, 14), r5 = hcall1(HC_INVOKE_VMOS, 99), r6 = hcall1(HC_EOI, 14);
  kprintf("mini: device handler in the host %d; hand-backs of nothing %d %d; EOI of "
          "nothing %d\n", r3, r4, r5, r6);
#elif defined(MINI_FASTBAD)
  // Direct gates (TT_DIRECT) only for a system-call vector from ring 3...
  extern char vector48[];
  int r1 = hcall3(HC_SET_TRAP, 14, (uint)vector48, 3 | TT_DIRECT);
  int r2 = hcall3(HC_SET_TRAP, SYSCALL_VECTOR, (uint)vector48, 1 | TT_DIRECT);
  kprintf("mini: direct gates for a fault and for ring 1 returned %d and %d\n", r1, r2);
  // ...and one with no ring-1 stack (no HC_STACK_SWITCH in main): the CPU
  // itself fails to push the first system call's frame.
  hcall3(HC_SET_TRAP, SYSCALL_VECTOR, (uint)vector48, 3 | TT_DIRECT);
  kprintf("mini: a direct system-call gate and no ring-1 stack\n");
#elif defined(MINI_FLOOD)
  // A console flood: megabytes through HC_CONSOLE_WRITE, first as lines, then
  // as one endless line, again and again, taking up each short count at once.
  // The host must make this cost the flooder, not the VMs beside it.
  char *buf = (char *)FLAT_BASE + (2 << 20);   // free memory: above the tasks'
  uint len = info.mem_size - (3 << 20);        // text, below their stacks
  if (info.mem_size < (4 << 20)) {
    kprintf("mini: the flood needs 4 MiB, has %u KiB\n", info.mem_size / 1024);
    hcall2(HC_EXIT, 1, "too little memory to flood");
  }
  for (uint i = 0; i < len; i++)
    buf[i] = i < len / 2 && i % 80 == 79 ? '\n' : 'a' + i % 26;
  kprintf("mini: flooding the console with %u KiB a round\n", len / 1024);
  for (uint round = 1;; round++) {
    uint calls = 0, short_calls = 0;
    for (uint off = 0; off < len; calls++) {
      int r = hcall2(HC_CONSOLE_WRITE, buf + off, len - off);
      if (r < 0)
        hcall2(HC_EXIT, 1, "console write failed");
      short_calls += (uint)r < len - off;
      off += r;
    }
    kprintf("\nmini: flood round %u: %u calls, %u short\n", round, calls, short_calls);
  }
#elif defined(MINI_FORGE)
  // Guest text dressed as host lines: on the console (after a carriage return,
  // with escape sequences that clear the terminal and set its title), as a mark
  // label (a line of its own, counters of its own) and, last, as the reason it
  // exits with. The host must print none of it as a line of its own.
  static const char fake[] =
    "\r\nvmos: stopped VM 2 (mini.2): forged on the console (eip 0x0)\r\n"
    "text\rvmos: forged after a carriage return\n"
    "\x1b[2J\x1b[H\x1b]0;forged title\x07\x1b[31mred\x1b[0m\n";
  kputs(fake, sizeof(fake) - 1);
  hcall1(HC_MARK, "x\r\nvmos: stopped VM 2 (mini.2)");
  hcall1(HC_MARK, "a: exits 999 hcalls 999");
  hcall2(HC_EXIT, 7, "bye\r\nvmos: stopped VM 2 (mini.2): forged exit\x1b]0;t\x07");
#elif defined(MINI_SHARE)
  sharetest_boot();                  // pages for the page-sharing tests (sharetest.c)
#elif defined(MINI_IDLETEST)
  idletest();
#elif defined(MINI_BADSTACK)
  kprintf("mini: idling on a bad stack\n");
  hcall1(HC_SET_TIMER, 10);
  asm volatile("movl $0xC0000000, %%esp; int $0x82; 1: jmp 1b" : : "a"(HC_IDLE), "b"(0));
#endif
}

void
main(void)
{
  hcall1(HC_SET_SHARED, &shared);
  hcall2(HC_SET_IRET, iret_start, iret_end);
  hcall1(HC_VM_INFO, &info);
  if (info.mem_size < 3 * 512 * 1024) {
    kprintf("mini: needs 1536 KiB, has %u KiB\n", info.mem_size / 1024);
    hcall2(HC_EXIT, 1, "too little memory");
  }
  task_init();
  kprintf("mini: booted as VM %d (%s), %u KiB, %d tasks\n", info.id, info.name,
          info.mem_size / 1024, ntasks);
  trap_init();
  misbehave();
#ifndef MINI_FASTBAD                // (no timer either: its interrupt would
  hcall1(HC_STACK_SWITCH, kstack + sizeof(kstack));   // find the stack missing first)
  hcall1(HC_SET_TIMER, 10);
  idle_clock_init();
#endif
  if (info.idle_spin)
    kprintf("mini: idle=spin: it spins when idle, with interrupts on\n");
  balloon_init();
  hostile_kernel();
  task_start();
}
