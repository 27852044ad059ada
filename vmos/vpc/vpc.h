// vpc.h: a VM's virtual PC, the devices a guest kernel drives with plain
// in/out instructions in trap mode (issue 10, lab 3): an 8259 pair (pic.c),
// PIT channel 0 (pit.c), a 16550 as COM1 (uart.c) and QEMU's isa-debug-exit
// port 0xF4, behind one port dispatcher (vpc.c). In ring 1 each in/out
// faults; vmos/emul/ decodes it and io.c hands it to vpc_io. The PC's 8259s then
// gate every interrupt the VM gets, as on a real PC: irq_pend (irq.c) hands a
// device event to vpc_virq, irq_deliver asks vpc_inta for the vector.
// A VM gets a PC from the boot line (vms=NAME:pc) or its loader (vpc_attach).
#ifndef VMOS_VPC_VPC_H
#define VMOS_VPC_VPC_H
#include "types.h"

struct vm;
struct vpc;                                  // vm->pc: its virtual PC, 0 for none

// vpc.c
int         vpc_attach(struct vm *vm);       // at boot: give vm a PC; -1 if none could be had
int         vpc_io(struct vm *vm, u16 port, int size, int in, u32 *val);
                                             // an emulated in/out of size 1/2/4 at port:
                                             // 1 = a vpc device took it (*val is read/written),
                                             // 0 = not a vpc port. A VM with a PC has an
                                             // ISA bus: every port is its PC's, a port with no
                                             // device reads as all ones (logged once per VM);
                                             // 0 only for a VM without a PC. So a caller
                                             // claims its own ports (the trap-mode disk)
                                             // before it calls this.
void        vpc_tick(struct vm *vm);         // each host tick (irq_tick): its PIT counts
void        vpc_virq(struct vm *vm, int virq);
                                             // a device event for vm (irq_pend): VIRQ_TIMER
                                             // is IRQ 0, VIRQ_CONSOLE is input for COM1 (its
                                             // receive interrupt is IRQ 4), any other n < 16
                                             // an edge on IRQ n (VIRQ_DISK: 14, the slave's)
void        vpc_stats(struct vm *vm);        // its lines in the monitor's stats

// pic.c
int         vpc_inta(struct vm *vm);         // the CPU takes the interrupt the 8259s raise:
                                             // its vector (from ICW2), now in service until
                                             // the guest's EOI; -1 if they raise none
int         vpc_irq_of(struct vm *vm, int vector);
                                             // the IRQ (0..15) whose vector that is, or -1
                                             // (the scheduling timeline names IRQs)
int         vpc_intr(struct vm *vm);         // 1 if they raise one now (vm->pending says
                                             // the same: bit n for the IRQ n they would give)
void        vpc_raise(struct vm *vm, int irq);   // an edge on IRQ line irq (0..15)

#endif
