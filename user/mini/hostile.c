// hostile.c: attacks on the host from a mini task (ring 3), for
// grade/hostile.py. Only the variant mini-tattack runs them (guests/mini/task.c
// lists them there); each ordinary task of that variant keeps running, so the
// test sees the attacker's VM survive the attacks its kernel gets to handle.
#include "user/mini/ulib.h"

// A far call through LDT entry 0 (selector 0x7: TI=1, RPL 3). With a null LDTR
// the CPU refuses it with #GP and mini kills this task; with the reset LDTR
// (base 0, limit 0xFFFF) the CPU would read a descriptor from linear 0.
void
ldt_main(void)
{
  struct { unsigned int off; unsigned short sel; } __attribute__((packed)) far = { 0, 0x7 };
  printf("ldt: calling through LDT selector 0x7\n");
  asm volatile("lcall *%0" : : "m"(far) : "memory");
  printf("ldt: the call returned (wrong)\n");
  exit(1);
}

// The direction flag set in ring 3 while timer ticks and system calls enter
// the host and mini: both must clear it before they run C.
void
df_main(void)
{
  volatile unsigned int n = 0;
  asm volatile("std" : : : "cc");
  for (unsigned int i = 0; i < (1u << 22); i++)
    n++;                               // timer ticks arrive with DF set
  for (int i = 0; i < 200; i++) {
    asm volatile("std" : : : "cc");
    getpid();                          // system calls with DF set
  }
  asm volatile("cld" : : : "cc");
  printf("df: survived DF\n");
  exit(0);
}

// Single-step: TF set by popf. The CPU raises #DB after the next instruction;
// the host reflects it and mini kills the task (its gate cleared TF, so
// neither the host nor mini is stepped).
void
tf_main(void)
{
  printf("tf: setting TF\n");
  asm volatile("pushfl; orl $0x100, (%%esp); popfl; nop" : : : "cc");
  printf("tf: no debug trap (wrong)\n");
  exit(1);
}

// The debug registers are ring 0's: mov from DR7 in ring 3 is #GP.
void
dr_main(void)
{
  unsigned int v;
  printf("dr: reading DR7\n");
  asm volatile("movl %%db7, %0" : "=r"(v));
  printf("dr: DR7 is 0x%x (wrong)\n", v);
  exit(1);
}

// The one TSS is a descriptor of DPL 0: a far jump to it (a task switch, which
// would load every register from it, CR3 included) is #GP from ring 3.
void
tss_main(void)
{
  struct { unsigned int off; unsigned short sel; } __attribute__((packed)) far = { 0, 0x38 };
  printf("tss: jumping to the TSS\n");
  asm volatile("ljmp *%0" : : "m"(far) : "memory");
  printf("tss: the jump returned (wrong)\n");
  exit(1);
}

// SSE registers are state too, which the host does not switch: with CR4.OSFXSR
// clear every SSE instruction is #UD, so no VM can leave anything in them.
void
sse_main(void)
{
  printf("sse: xorps\n");
  asm volatile(".byte 0x0f, 0x57, 0xc0");    // xorps %xmm0, %xmm0 (mini is built without SSE)
  printf("sse: SSE ran (wrong)\n");
  exit(1);
}

// A device interrupt faked with int: in swap mode vector 0x2E (IRQ 14) is a gate
// into mini's kernel, of DPL 0, so the CPU refuses int from ring 3 (#GP).
void
fakeirq_main(void)
{
  printf("fakeirq: int $0x2e\n");
  asm volatile("int $0x2e");
  printf("fakeirq: the interrupt came (wrong)\n");
  exit(1);
}

// The switcher region from ring 3: its pages are supervisor-only, so on x86 the
// task takes a page fault, which its kernel handles (mini kills the task).
void
swreg_main(void)
{
  printf("swreg: reading 0xffc00000\n");
  printf("swreg: read 0x%x (wrong)\n", *(volatile unsigned int *)0xFFC00000);
  exit(1);
}
