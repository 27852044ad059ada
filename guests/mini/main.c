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
#elif defined(MINI_BADSTACK)
  kprintf("mini: idling on a bad stack\n");
  hcall1(HC_SET_TIMER, 10);
  asm volatile("movl $0xC0000000, %%esp; int $0x82; 1: jmp 1b" : : "a"(HC_IDLE));
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
#endif
  hostile_kernel();
  task_start();
}
