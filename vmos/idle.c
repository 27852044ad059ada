// idle.c: a guest that has nothing to do tells the host so (HC_IDLE,
// vmos/abi.h), and the host gives the CPU to another VM, or halts, until the
// guest has something to do again: a virtual interrupt for it, or the deadline
// it named (its next timer event) passing. hcall.c's hv_idle calls vm_idle;
// sched.c's tick calls idle_tick for the deadlines; boot.c reads idle=spin,
// which only tells the guests (vm_info.idle_spin) to spin instead, so that the
// two can be compared (grade/bench_idle.py). Lab 3 touches this file.
//
// The lost wakeup. A guest kernel decides to idle with its (virtual)
// interrupts off: it looked at its run queue and found nobody. If it turned
// them on and then asked the host to block it, in two steps, an interrupt
// that came between the two (a tick that makes a sleeper runnable, a key
// typed) would be taken in between, its work queued, and the guest would
// then block with work to do: until the next interrupt, which may never come
// (a console waiting for a key, a timer the guest turned off). Blocking first
// and turning them on when woken is no better: an interrupt that became
// pending before the block (while the virtual IF was off) made no VM
// runnable, and a host that only wakes a VM on a new event sleeps through it.
// x86 answers this with `sti; hlt`: sti takes effect after the next
// instruction, so no interrupt can come between them. vmos answers it the
// same way, in one host entry: vm_idle sets the virtual IF and looks at the
// pending bits with the host's interrupts off (the host always runs so), so
// nothing can become pending in between; if anything is pending the VM
// returns at once and the host delivers it before the guest's next
// instruction (sched.c's irq_deliver on entry), else it blocks, and every
// irq_pend wakes a blocked VM (vm_wake). The guest's side is to idle only
// with its virtual IF off, so that what arrives after its decision stays
// pending for vm_idle to see (grade/idle.py races it).
#include "types.h"
#include "defs.h"
#include "param.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

int idle_spin;               // boot line idle=spin: guests are asked to spin (vm_info)

// HC_IDLE: set the virtual IF; block until a virtual interrupt is pending or
// host tick `deadline` (0: none) has come. Results as in vmos/abi.h.
int
vm_idle(struct vm *vm, u32 deadline)
{
  if (vm->shared == 0)
    return E_INVAL;                  // no virtual IF to set: it could never be woken
  vm->st.idles++;
  if (deadline)
    vm->st.idle_timed++;
  vm->shared->vif = 1;
  int r = IDLE_IRQ;
  // LAB 3: idle without a lost wakeup. The virtual IF is set (above); the
  // host's interrupts are off, so nothing becomes pending while this runs.
  // What must hold afterwards: with a virtual interrupt pending, the VM goes
  // on at once (IDLE_IRQ: the host delivers it on the way back in); with a
  // deadline now or past, at once too (IDLE_DEADLINE, counted in
  // st.idle_past); a deadline more than IDLE_AHEAD_MAX ticks ahead is refused
  // (E_INVAL: garbage, or a wrapped subtraction; the clock is mod 2^32);
  // otherwise the VM is blocked (st.idle_blocks) with vm->idle_deadline set
  // for idle_tick (0: none), and an irq_pend or the deadline wakes it.
  /* LAB 3: BEGIN */
  if (vm->pending)
    return IDLE_IRQ;                 // delivered on the way back in (no wakeup lost)
  if (deadline != 0) {
    u32 ahead = deadline - ticks;    // mod 2^32: the clock wraps after 497 days
    if ((int)ahead <= 0) {           // now or past: nothing to wait for
      vm->st.idle_past++;
      return IDLE_DEADLINE;
    }
    if (ahead > IDLE_AHEAD_MAX)      // garbage, or a wrapped subtraction: refused
      return E_INVAL;                // (counted by hcall.c), at once
  }
  vm->idle_deadline = deadline;
  vm->state = VM_BLOCKED;
  vm->st.idle_blocks++;
  /* LAB 3: END */
  if (vm->state == VM_BLOCKED && vm == focus && !monitor_active())
    cons_show_partial(vm);           // its prompt, before the user types
  return r;                          // eax if an interrupt wakes it (idle_tick says otherwise)
}

// Each host tick, after the virtual timers (irq_tick): the VMs whose idle
// deadline has come run again. A VM that an interrupt woke first is runnable
// already and is left alone; its stale deadline is never looked at again,
// since only vm_idle blocks a VM and it sets a new one.
void
idle_tick(void)
{
  for (int i = 0; i < nvms; i++) {
    struct vm *vm = &vms[i];
    if (vm->state != VM_BLOCKED || vm->idle_deadline == 0 ||
        (int)(ticks - vm->idle_deadline) < 0)
      continue;
    vm->idle_deadline = 0;
    vm->tf.eax = IDLE_DEADLINE;      // HC_IDLE's result, seen when it runs
    vm->st.idle_deadline_wakeups++;
    vm_wake(vm);
    sched_prefer(vm);                // as a timer tick would: it will be quick
  }
}
