// irq.c: virtual interrupts. A device event for a VM (a virtual timer tick,
// input typed to it) marks a bit pending in the VM; irq_deliver turns one
// pending bit (they take turns) into an interrupt frame on the guest's stack
// (reflect.c) the next time the VM is entered with its virtual IF set. In route
// mode (lab 1) every real interrupt enters the host, which finds the owner and
// schedules it; in swap and defer modes (lab 2) a VM's own device interrupts
// reach it directly and the others come back through handback.c.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/trace.h"
#include "vmos/vpc/vpc.h"

// Mark virtual interrupt virq pending for vm; a blocked VM becomes runnable.
void
irq_pend(struct vm *vm, int virq)
{
  if (vm->pc) {                      // a PC's 8259s decide what is pending (vmos/vpc/)
    vpc_virq(vm, virq);
    return;
  }
  if ((vm->irqs & (1u << virq)) && !(vm->pending & (1u << virq))) {
    vm->noted_tick[virq] = ticks;    // one of its devices: how long until it is delivered?
    vm->noted_tsc[virq] = rdtsc();
  }
  vm->pending |= 1u << virq;
  if (vm->shared)
    vm->shared->pending = vm->pending;
  vm_wake(vm);
}

// An interrupt of vm's device arrived while some VM (or the host) ran.
void
irq_raise(struct vm *vm, int virq)
{
  if (vm->state == VM_STOPPED || vm->state == VM_FREE)
    return;
  trace(TR_RAISE, vm, virq);
  // LAB 1: route interrupt virq of vm's device to vm. Afterwards it is
  // pending for vm (the guest sees it in its shared page), a vm that was
  // blocked waiting for it can run, and in route mode vm is the next VM to
  // get the CPU, even in the middle of another VM's slice (two world switches
  // if another VM was running), and even when vm is the one running now, out
  // of its turn (else the VM whose turn it is would come first).
  /* LAB 1: BEGIN */
  irq_pend(vm, virq);
  sched_prefer(vm);
  /* LAB 1: END */
}

// Enter the guest's handler for its lowest pending virtual interrupt, if it has
// its virtual IF set and is not inside its iret sequence. Returns 1 if a frame
// was built.
int
irq_deliver(struct vm *vm)
{
  struct vm_shared *sh = vm->shared;
  if (vm->sti_eip) {                 // trap mode: the instruction after an sti
    if (vm->tf.eip == vm->sti_eip)   // runs first, as on x86 (emul/emul.c)
      return 0;
    vm->sti_eip = 0;
  }
  if (vm->pending == 0 || sh == 0 || !(sh->vif & 1))
    return 0;
  if (vm->tf.eip >= vm->iret_start && vm->tf.eip < vm->iret_end)
    return 0;                        // it is restoring vif: let it finish
  int virq = -1, vector;
  if (vm->pc) {
    // A PC's 8259s choose (vmos/vpc/pic.c): the vector of the guest's ICW2,
    // in service from now until its EOI, as the CPU's INTA makes it.
    if ((vector = vpc_inta(vm)) < 0)
      return 0;
  } else {
    // Take turns from the last one delivered: a timer that is pending again at
    // every host entry must not starve the others, as lowest-first would let it.
    virq = vm->last_virq;
    do
      virq = (virq + 1) % 32;
    while (!(vm->pending & (1u << virq)));
    vm->last_virq = virq;
    vm->pending &= ~(1u << virq);
    sh->pending = vm->pending;
    vector = VIRQ_VECTOR(virq);
  }
  if (vm->traps[vector].handler == 0)
    return 0;                        // nobody listens: dropped
  if (reflect(vm, vector, 0, 0, R_IRQ) < 0)
    return 0;
  trace(TR_VIRQ, vm, virq >= 0 ? virq : vpc_irq_of(vm, vector));
  vm->st.virqs++;
  if (virq >= 0 && (vm->irqs & (1u << virq))) {
    vm->st.dev_virqs++;
    vm->st.dev_wait_ticks += ticks - vm->noted_tick[virq];
    vm->st.dev_wait_tsc += rdtsc() - vm->noted_tsc[virq];
  }
  return 1;
}

// vm's virtual timer, brought up to the host's clock: the periods that have
// come since it was last looked at are counted on its clock, and its tick is
// pending if any came. Several are merged into one, as a real PIC would; the
// VM's clock in its shared page counts them all the same (vmos/abi.h), so the
// guest's time keeps up with the host's while it holds its interrupts off or
// waits for the CPU. 1 if a period came.
static int
timer_due(struct vm *vm)
{
  if (vm->timer_period == 0 || vm->state == VM_STOPPED || vm->state == VM_FREE ||
      (int)(ticks - vm->timer_next) < 0)
    return 0;
  uint n = (ticks - vm->timer_next) / vm->timer_period + 1;
  vm->timer_ticks += n;
  vm->timer_next += n * vm->timer_period;
  if (vm->shared)
    vm->shared->ticks = vm->timer_ticks;
  return 1;
}

// vm is about to run (sched.c): the timer periods that came while it waited
// for the CPU, at once.
void
irq_timer_enter(struct vm *vm)
{
  if (timer_due(vm))
    irq_pend(vm, VIRQ_TIMER);
}

// Each host tick: the virtual timers that are due, of the VM running and of
// the VMs that wait for an event. A VM that only waits for the CPU has its
// ticks counted when it runs next (irq_timer_enter): nothing in it can see
// them before, and with 1,024 VMs writing each one's shared page every tick
// was the host's largest cost per VM (grade/bench_scale.py).
void
irq_tick(void)
{
  if (current && current->irq_mode != IRQ_ROUTE)
    irq_swallow_check(current, 0);   // handback.c
  for (int i = 0; i < nvms; i++) {
    struct vm *vm = &vms[i];
    if (vm->pc)
      vpc_tick(vm);                  // its PIT (vmos/vpc/pit.c)
    if (vm->timer_period == 0 || (vm->state == VM_RUNNABLE && vm != current))
      continue;
    int blocked = vm->state == VM_BLOCKED;
    if (timer_due(vm)) {
      // A VM idling for its timer runs next (it will be quick), as Xen boosts
      // a woken VM: otherwise it would wait out a busy VM's whole slice.
      if (blocked)
        sched_prefer(vm);
      irq_pend(vm, VIRQ_TIMER);
    }
  }
}
