// reflect.c: making a guest kernel see a trap or an interrupt as if its own IDT
// had delivered it. The host builds on the guest's ring-1 stack exactly the frame
// an x86 gate to ring 1 would build, and points the guest at the handler it
// registered (HC_SET_TRAP). Called for virtual interrupts (irq.c) and, in route
// mode, for every trap of a guest (sched.c): its processes' system calls and
// faults. Lab 1 builds the frame (the region in reflect).
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

// Deliver vector to vm's kernel. reason is an R_* code for the shared page.
// Returns 0, or -1 if the VM had to be stopped (no handler, or no room for the
// frame: a guest kernel whose stack is bad cannot take an interrupt).
int
reflect(struct vm *vm, int vector, int has_err, u32 err, int reason)
{
  struct trapframe *tf = &vm->tf;
  struct trapentry *te = &vm->traps[vector];
  int from_user = (tf->cs & 3) == 3;
  if (te->handler == 0) {
    vm_stop(vm, "%s (trap %d) in %s with no handler registered", trap_name(vector),
            vector, from_user ? "a guest process" : "the guest kernel");
    return -1;
  }
  if (!from_user && (te->flags & TT_RING3)) {
    // The guest asked not to be handed its own kernel's faults.
    vm_stop(vm, "%s (trap %d, err 0x%x) in the guest kernel", trap_name(vector),
            vector, err);
    return -1;
  }
  // A trap-mode guest keeps its ring-1 stack in its own TSS (emul/desc.c).
  if (from_user && vm->trapmode && desc_esp1(vm) < 0)
    return -1;

  // LAB 1: make the guest kernel's handler (te->handler) see this trap as if
  // its own IDT had delivered it through an x86 gate to ring 1. When the guest
  // next runs (vm->tf describes that moment):
  //  - it runs the handler in ring 1, and its stack holds exactly the frame
  //    the CPU would have pushed for this vector (Intel SDM vol. 3, 6.12.1),
  //    the error code only if the trap has one (has_err);
  //  - coming from ring 3 it is on the stack the guest gave for that
  //    (HC_STACK_SWITCH), and the frame keeps the process's stack; from ring 1
  //    the frame is on the stack the kernel was using;
  //  - the eflags in the frame are what the guest believes they were: its
  //    virtual IF (the shared page) in the IF bit, not the real one;
  //  - if any byte of the frame would lie outside the VM's memory (the guest
  //    chooses its stacks: a hostile one points them anywhere), the host
  //    writes nothing outside it, stops the VM (vm_stop, a reason starting
  //    "cannot deliver" and naming the trap) and returns -1.
  /* LAB 1: BEGIN */
  int vif = vm->shared ? (vm->shared->vif & 1) : 0;
  u32 frame[6], n = 0;              // built from the bottom (lowest address) up
  if (has_err)
    frame[n++] = err;
  frame[n++] = tf->eip;
  frame[n++] = tf->cs;
  frame[n++] = (tf->eflags & ~FL_IF) | (vif ? FL_IF : 0);
  u32 top = tf->esp;
  if (from_user) {                  // a gate to an inner ring switches stacks
    frame[n++] = tf->esp;
    frame[n++] = tf->ss;
    top = vm->esp1;
  }
  u32 sp = top - n * 4;
  // Hostile or broken: the guest kernel's stack is not in its memory.
  if (top < n * 4 || vm_copyout(vm, sp, frame, n * 4) < 0) {
    vm_stop(vm, "cannot deliver %s (trap %d): guest stack 0x%x is outside its memory",
            trap_name(vector), vector, top);
    return -1;
  }
  tf->esp = sp;
  tf->eip = te->handler;
  tf->cs = SEL_GKCODE;
  if (from_user)
    tf->ss = SEL_GKDATA;
  /* LAB 1: END */
  tf->eflags = FL_IF | FL_RSVD;     // the real IF stays on; IOPL stays 0
  if (vm->shared) {
    if (!(te->flags & TT_TRAPGATE))
      vm->shared->vif = 0;          // an interrupt gate masks virtual interrupts
    vm->shared->reflect = reason;
    vm->shared->trapno = vector;
  }
  vm->st.reflected++;
  return 0;
}
