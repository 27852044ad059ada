// vidt.c: a VM's IDT, built from its trap table (lab 2). Every VM has an IDT
// page of its own (switcher.c), loaded by the switcher whenever the VM runs.
// HC_SET_TRAP (hcall.c) checks and records an entry in vm->traps and has
// vidt_set make that vector's gate again; vidt_build makes them all, from the
// trap table, the VM's interrupt mode and who owns which device, before the VM
// first runs and whenever the devices change hands (sched.c, vm->idt_dirty).
// Which vector goes where:
//
//   vector                            route mode         swap and defer modes
//   exceptions 0-31                   host               host
//   HCALL_VECTOR (0x82)               host, DPL 1        host, DPL 1
//   0x20+n, IRQ n of a host device    host               host      (timer 0, cascade 2, COM1 4)
//   0x20+n, IRQ n of a VM's device    host               the guest's handler for the
//                                                        vector: trap gate, DPL 0, into
//                                                        ring 1, its own or another's
//   its system call, TT_DIRECT        the guest          the guest (trap gate, DPL 3)
//   any other vector it registered    host, with the DPL it asked (its int
//                                     instructions are reflected)
//   the rest                          host, DPL 0
//
// A gate into the guest is always a trap gate: through an interrupt gate the
// real IF would stay off in ring 1 and nothing there could set it again (the
// host's timer would be locked out). A device vector's gate has DPL 0, so no
// int instruction can fake the interrupt. The host's own vectors never go to a
// guest: the timer is how the host takes the CPU back.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

BOOTOPT(fasttraps, "fasttraps", "0: system calls a guest asked to take directly (TT_DIRECT) enter the host and are reflected, to compare (default 1)");

static uint fasttraps = 1;

void
vidt_init(void)
{
  fasttraps = bootline_uint_range("fasttraps", 1, 0, 1);
}

// The real IRQs whose devices some VM owns (pass mode): the only IRQs that may
// go to a guest. A stopped owner keeps its bit (its device may still interrupt;
// the hand-back finds nobody to tell).
u32
vidt_guest_irqs(void)
{
  u32 irqs = 0;
  for (int i = 0; i < nvms; i++)
    irqs |= vms[i].irqs;
  return irqs;
}

// The gate for vector v of vm's IDT, from its trap-table entry; with
// guest_irqs (vidt_guest_irqs). Keeps vm->direct, the real IRQs that now reach
// vm directly, for the hand-back and swallow checks (handback.c).
static void
vidt_gate(struct vm *vm, int v, u32 guest_irqs)
{
  struct trapentry *te = &vm->traps[v];
  int irq = v - T_IRQ0;
  if (irq >= 0 && irq < 16)
    vm->direct &= ~(1u << irq);
  if (te->handler == 0) {
    sw_idt_set(vm, v, v == HCALL_VECTOR ? 1 : 0);
    return;
  }
  if ((te->flags & TT_DIRECT) && fasttraps) {
    sw_idt_direct(vm, v, te->handler, 3);
    return;
  }
  sw_idt_set(vm, v, te->flags & TT_DPL_MASK);    // the host's: it reflects them
  if (irq < 0 || irq >= 16)
    return;
  // LAB 2: vector swapping. A device vector (IRQ irq) with a handler. What must
  // hold afterwards: in swap and defer modes (vm->irq_mode), if irq is a real
  // IRQ that some VM's device raises (guest_irqs), the gate takes the CPU
  // straight into the guest's handler in ring 1 (sw_idt_direct: a trap gate,
  // with a DPL that no int instruction passes), whoever owns the device, and
  // vm->direct has bit irq; otherwise the gate stays the host's. The host's own
  // IRQs (the timer above all) never go to a guest.
  /* LAB 2: BEGIN */
  if (vm->irq_mode != IRQ_ROUTE && (guest_irqs & (1u << irq))) {
    sw_idt_direct(vm, v, te->handler, 0);
    vm->direct |= 1u << irq;
  }
  /* LAB 2: END */
}

// vm's trap-table entry for vector v changed (hv_set_trap): its gate follows.
void
vidt_set(struct vm *vm, int v)
{
  vidt_gate(vm, v, vidt_guest_irqs());
}

// Make all of vm's IDT from its trap table: before it first runs, and again
// when the devices VMs own changed (vm->idt_dirty). Counted.
void
vidt_build(struct vm *vm)
{
  u32 guest_irqs = vidt_guest_irqs();
  for (int v = 0; v < 256; v++)
    vidt_gate(vm, v, guest_irqs);
  vm->idt_dirty = 0;
  vm->st.idt_builds++;
}
