// pc.c: the devices of a PC, driven with in/out, for the two builds of xv6a
// that run as a PC kernel: bare (pv_bare.c, ring 0 on QEMU's real devices)
// and trap (pv_trap.c, ring 1 on vmos's virtual PC, each in/out trapped and
// emulated). The code is the same for both; that is the point of trap mode.
// The console is COM1 (uart.c), the timer the PIT's channel 0, the
// interrupt controller the 8259 pair, the disk the primary IDE channel's
// ports (ide.c drives them), and the way out QEMU's isa-debug-exit port.
#include "xv6a.h"
#include "pv.h"
#include "traps.h"

static inline void outb(ushort p, uchar v) { asm volatile("outb %0,%1" : : "a"(v), "d"(p)); }

void pv_putc(int c) { uart_putc(COM1, c); }
int pv_getc(void) { return uart_getc(COM1); }
int pv_console_irq(void) { return IRQ_COM1; }

// Channel 0 as a rate generator (mode 2, lobyte then hibyte): hz interrupts
// a second on IRQ 0 from its 1.193182 MHz clock.
void
pv_timer_init(int hz)
{
  uint div = 1193182 / hz;
  outb(0x43, 0x34);
  outb(0x40, div);
  outb(0x40, div >> 8);
}

// A non-specific EOI, to the slave first if the IRQ was the slave's.
void
pv_eoi(int irq, int direct)
{
  if (irq >= 8)
    outb(0xA0, 0x20);
  outb(0x20, 0x20);
}

int pv_disk_pv(void) { return 0; }    // the ports: the primary channel's
int pv_disk_port(void) { return 0x1F0; }
int pv_disk_irq(void) { return IRQ_IDE; }
int pv_disk_rw(uint sector, void *buf, int write) { return -1; }
struct blk_ring *pv_disk_ring(void) { return 0; }   // an IDE disk has no ring
int pv_disk_notify(void) { return -1; }

void
pv_exit(int status, const char *why)
{
  cprintf("xv6a: exit %d: %s\n", status, why);
  asm volatile("outl %0, %1" : : "a"(status ? 0x11 : 0x10), "d"((ushort)0xF4));  // isa-debug-exit
  for (;;)
    asm volatile("cli; hlt");
}
