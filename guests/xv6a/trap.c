// trap.c: xv6a's traps and interrupts. trapinit installs the handlers through
// the pv layer (an IDT on bare QEMU, the host's trap table under vmos); every
// one is an interrupt gate (under vmos the system call's is a direct trap gate
// whose stub turns the virtual IF off, and so are the device vectors in swap
// and defer modes: trapasm.S's irq_entry), so the kernel runs with interrupts
// off. trap() dispatches: system calls, the timer, the disk, console input,
// lazy page allocation, faults (any other fault of a process kills it). On the way back to user mode it
// takes the interrupts that waited for the kernel (pv_take_pending), and a
// process whose turn a timer tick ended yields.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"
#include "sharedoff.h"

extern char vector0[], vectors_end[];   // trapasm.S: stub n at vector0 + 16*n
uint ticks;                      // the time at the last timer interrupt (pv_clock)
static int turn_over;            // a tick came while curproc ran: it yields

static void (*stub(int v))(void) { return (void (*)(void))(vector0 + 16 * v); }

void
trapinit(void)
{
  if (vectors_end - vector0 != 16 * 256)
    panic("trapinit: a vector stub is longer than 16 bytes");
  for (int v = 0; v < 20; v++)
    pv_set_trap(v, stub(v), v == 3 ? 3 : 0, 0);
  for (int v = T_IRQ0; v < T_IRQ0 + 16; v++)
    pv_set_trap(v, stub(v), 0, 0);
  pv_set_trap(T_SYSCALL, stub(T_SYSCALL), 3, 0);
}

// The way back to user mode: first the interrupts that waited while the
// kernel ran (each comes into trap again, from the kernel), then a killed
// process exits and one whose turn a timer tick ended yields.
static void
touser(void)
{
  pv_take_pending();
  if (curproc->killed)
    exit();
  if (turn_over) {
    turn_over = 0;
    yield();
  }
}

void
trap(struct trapframe *tf)
{
  int user = (tf->cs & 3) == 3;
  if (tf->trapno == T_SYSCALL) {
    if (curproc->killed)
      exit();
    curproc->tf = tf;
    syscall();
    touser();
    return;
  }
  switch (tf->trapno) {
  case T_PGFLT: {                // a page below the break, never touched: give it one
    uint va = pv_fault_addr();   // once: in trap mode each read of cr2 is a host entry
    if (curproc && !(tf->err & PTE_P) && va < curproc->sz) {
      if (uvmtouch(curproc->pgdir, curproc->sz, va) == 0)
        break;
      if (user) {                // sbrk promised more than memory now has
        cprintf("pid %d %s: out of memory for page 0x%x--kill proc\n", curproc->pid,
                curproc->name, va);
        curproc->killed = 1;
        break;
      }
    }
    goto fault;
  }
  case T_IRQ0 + IRQ_TIMER:
    ticks = pv_clock(ticks + 1);
    wakeup(&ticks);
    balloon_tick(ticks);         // the host's balloon target (the kernel is never
                                 // interrupted here: kalloc is not in use)
    idetick();
    pv_eoi(IRQ_TIMER, 0);
    if (curproc)
      turn_over = 1;
    break;
  default:
    if (tf->trapno >= T_IRQ0 && tf->trapno < T_IRQ0 + 16) {
      int irq = tf->trapno - T_IRQ0;
      if (irq == pv_disk_irq())
        ideintr();
      else if (irq == pv_console_irq())   // COM1 bare; vmos: the host's console, or COM2
        consoleintr_poll();
      pv_eoi(irq, tf->err == TF_DIRECT);
      break;
    }
  fault:
    if (!user || curproc == 0) {
      cprintf("xv6a: unexpected trap %d err %x eip %x cs %x addr %x\n", tf->trapno, tf->err,
              tf->eip, tf->cs, pv_fault_addr());
      panic("trap");
    }
    cprintf("pid %d %s: trap %d err %d on cpu 0 eip 0x%x addr 0x%x--kill proc\n", curproc->pid,
            curproc->name, tf->trapno, tf->err, tf->eip, pv_fault_addr());
    curproc->killed = 1;
  }
  if (user && curproc)
    touser();
}
