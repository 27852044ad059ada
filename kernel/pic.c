// pic.c: the two 8259A interrupt controllers, remapped to vectors 0x20-0x2F
// (design.md section 7) so IRQs do not collide with CPU exceptions. All IRQs start
// masked; a driver unmasks its line with pic_enable().
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
  // ICW4: 8086 mode, normal EOI
  outb(PIC1 + 1, 0x01);
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

void
pic_eoi(int irq)
{
  if (irq >= 8)
    outb(PIC2, 0x20);
  outb(PIC1, 0x20);
}
