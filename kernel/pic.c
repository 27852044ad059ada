// pic.c: the two 8259A interrupt controllers, remapped to vectors 0x20-0x2F
// (design.md section 7) so IRQs do not collide with CPU exceptions. All IRQs start
// masked; a driver unmasks its line with pic_enable().
//
// EOI policy (lab 2): the master runs in auto-EOI mode, the slave in normal
// EOI mode. A guest's handler that a device interrupt reaches directly (vmos's
// swap and defer modes) cannot write the PIC (its ports are the host's), so
// an interrupt must end by itself or the host must end it. Auto-EOI ends every
// master IRQ (0-7, the cascade included) when the CPU takes it: nothing to do,
// no host entry. The slave cannot do the same in QEMU: its output is the
// master's edge-triggered IRQ 2, and an auto-EOI slave with two IRQs pending
// keeps its output high after the first is taken, so the master never sees a
// second edge and the slave is wedged. So a slave IRQ stays in service (its
// ISR bit) until pic_eoi ends it, and vmos ends a direct one when the guest
// says HC_EOI, or at its next look (vmos/irq.c).
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"

#define PIC1 0x20           // master: IRQ 0-7
#define PIC2 0xA0           // slave: IRQ 8-15, cascaded on master's IRQ 2
#define IRQ_SLAVE 2

static u16 mask = 0xFFFF & ~(1 << IRQ_SLAVE);

static void
setmask(void)
{
  outb(PIC1 + 1, mask);
  outb(PIC2 + 1, mask >> 8);
}

void
pic_init(void)
{
  outb(PIC1 + 1, 0xFF);
  outb(PIC2 + 1, 0xFF);
  // ICW1: edge triggered, cascade, ICW4 follows
  outb(PIC1, 0x11);
  outb(PIC2, 0x11);
  // ICW2: vector offsets
  outb(PIC1 + 1, T_IRQ0);
  outb(PIC2 + 1, T_IRQ0 + 8);
  // ICW3: the slave hangs off IRQ 2
  outb(PIC1 + 1, 1 << IRQ_SLAVE);
  outb(PIC2 + 1, IRQ_SLAVE);
  // ICW4: 8086 mode; the master auto-EOI, the slave normal EOI (see above)
  outb(PIC1 + 1, 0x03);
  outb(PIC2 + 1, 0x01);
  setmask();
}

void
pic_enable(int irq)
{
  mask &= ~(1 << irq);
  setmask();
}

void
pic_disable(int irq)
{
  mask |= 1 << irq;
  setmask();
}

// End IRQ irq. The master's end themselves (auto-EOI); a slave IRQ gets a
// specific EOI, so that ending one never ends another in service.
void
pic_eoi(int irq)
{
  if (irq >= 8)
    outb(PIC2, 0x60 | (irq - 8));
}

// The slave's in-service bits, as IRQ bits 8-15 (IRQs taken and not ended).
u16
pic_slave_isr(void)
{
  outb(PIC2, 0x0B);                // OCW3: read ISR
  return inb(PIC2) << 8;
}

// Requested and not yet taken, both chips: bit n for IRQ n.
u16
pic_irr(void)
{
  outb(PIC1, 0x0A);                // OCW3: read IRR
  outb(PIC2, 0x0A);
  return inb(PIC1) | inb(PIC2) << 8;
}
