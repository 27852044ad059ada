// trap.c: every trap and virtual interrupt mini receives, dispatched. The host
// reflects them onto mini's ring-1 stack (route mode), building what an x86
// gate would; entry.S turns that into a struct tf and calls trap().
//   - a fault of a task: that task is killed, the others go on;
//   - a fault of mini's own kernel never arrives: its handlers are registered
//     with TT_RING3, so the host stops the VM instead (mini has no recovery);
//   - the virtual timer: a tick, maybe another task's turn;
//   - console input; a task's system call.
#include "mini.h"
#include "hcall.h"

_Static_assert(__builtin_offsetof(struct tf, esp) == 68, "TF_ESP_OFF in entry.S");

extern char vector0[], vector1[], vector2[], vector3[], vector4[], vector5[], vector6[],
    vector7[], vector8[], vector9[], vector10[], vector11[], vector12[], vector13[],
    vector14[], vector15[], vector16[], vector17[], vector18[], vector19[],
    vector32[], vector33[], vector48[], devirq3[], devirq14[], devirq15[];

static char *const faults[20] = {
  vector0, vector1, vector2, vector3, vector4, vector5, vector6, vector7, vector8,
  vector9, vector10, vector11, vector12, vector13, vector14, vector15, vector16,
  vector17, vector18, vector19,
};

static const char *names[20] = {
  "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
  "invalid opcode", "device not available", "double fault", "coprocessor overrun",
  "invalid TSS", "segment not present", "stack fault", "general protection",
  "page fault", "reserved", "x87 error", "alignment check", "machine check",
  "SIMD error",
};

const char*
trap_name(uint trapno)
{
  return trapno < 20 ? names[trapno] : "interrupt";
}

void
trap_init(void)
{
  for (int v = 0; v < 20; v++) {
    if (v == 2 || v == 8)
      continue;                  // the host keeps NMI and double fault
    hcall3(HC_SET_TRAP, v, (uint)faults[v], TT_RING3 | (v == 3 ? 3 : 0));
  }
  hcall3(HC_SET_TRAP, VIRQ_VECTOR(VIRQ_TIMER), (uint)vector32, 0);
  hcall3(HC_SET_TRAP, VIRQ_VECTOR(VIRQ_CONSOLE), (uint)vector33, 0);
  hcall3(HC_SET_TRAP, SYSCALL_VECTOR, (uint)vector48, 3);
  // Other VMs' devices' interrupts: in swap and defer modes they reach mini
  // directly, and go back (entry.S). In route mode these entries go unused.
  hcall3(HC_SET_TRAP, VIRQ_VECTOR(3), (uint)devirq3, 0);
  hcall3(HC_SET_TRAP, VIRQ_VECTOR(14), (uint)devirq14, 0);
  hcall3(HC_SET_TRAP, VIRQ_VECTOR(15), (uint)devirq15, 0);
}

void
trap(struct tf *tf)
{
  switch (tf->trapno) {
  case VIRQ_VECTOR(VIRQ_TIMER):
    balloon_tick();              // (before task_tick, which may idle inside)
    task_tick(tf);
    return;
  case VIRQ_VECTOR(VIRQ_CONSOLE):
    console_intr();
    return;
  case SYSCALL_VECTOR:
    syscall(tf);
    return;
  }
  if ((tf->cs & 3) == 3) {
    kprintf("mini: task %d (%s) killed: %s (trap %u, err 0x%x) at eip 0x%x\n", cur->pid,
            cur->name, trap_name(tf->trapno), tf->trapno, tf->err, tf->eip);
    task_kill(tf, "fault");
    return;
  }
  if (hostile_fault(tf))
    return;                      // (a test variant that asked for its own faults)
  // Only reachable if the host delivered a kernel fault after all.
  hcall3(HC_EXIT, 2, (uint)"mini: unexpected trap in its kernel", 0);
}
