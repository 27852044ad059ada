// trap.c: xv6a's traps and interrupts. trapinit installs the handlers through
// the pv layer (an IDT on bare QEMU, the host's trap table under vmos); trap()
// dispatches: the timer, the console, faults.
#include "xv6a.h"
#include "pv.h"

extern char vector0[];           // trapasm.S: stub n at vector0 + 16*n
uint ticks;

void
trapinit(void)
{
  for (int v = 0; v < 256; v++) {
    if (v < 20 || (v >= T_IRQ0 && v < T_IRQ0 + 16))
      pv_set_trap(v, (void (*)(void))(vector0 + 16 * v), 0, 0);
  }
  pv_set_trap(T_SYSCALL, (void (*)(void))(vector0 + 16 * T_SYSCALL), 3, 1);
}

void
trap(struct trapframe *tf)
{
  switch (tf->trapno) {
  case T_IRQ0 + IRQ_TIMER:
    ticks++;
    pv_eoi(IRQ_TIMER);
    break;
  default:
    if (tf->trapno >= T_IRQ0 && tf->trapno < T_IRQ0 + 16) {
      pv_eoi(tf->trapno - T_IRQ0);
      break;
    }
    cprintf("xv6a: unexpected trap %d err %x eip %x cs %x\n", tf->trapno, tf->err, tf->eip,
            tf->cs);
    panic("trap");
  }
  pv_trap_done();
}
