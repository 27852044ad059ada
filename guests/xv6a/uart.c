// uart.c: a 16550 serial port that xv6a drives itself: COM1, its console on
// bare QEMU (pv_bare.c), and under vmos COM2 when the VM owns it in pass mode
// (pv_vmos.c: the host put the port's registers in its I/O bitmap, so these
// instructions reach the device with no host entry, and its receive
// interrupt is the VM's). Output is polled, input comes by interrupt.
#include "xv6a.h"

static inline uchar inb(ushort p) { uchar v; asm volatile("inb %1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outb(ushort p, uchar v) { asm volatile("outb %0,%1" : : "a"(v), "d"(p)); }

#define RBR 0     // receive buffer / transmit holding register
#define IER 1     // interrupt enable
#define FCR 2     // FIFO control (write) / interrupt identification (read)
#define LCR 3     // line control
#define MCR 4     // modem control
#define LSR 5     // line status
#define LSR_DR   0x01   // a received byte waits
#define LSR_THRE 0x20   // room to transmit

// 115200 baud, 8N1, FIFOs on (an interrupt at the first byte), receive
// interrupts; MCR's OUT2 connects the chip's interrupt to the PIC.
void
uart_init(ushort port)
{
  outb(port + IER, 0);
  outb(port + LCR, 0x80);        // the divisor latch
  outb(port + RBR, 1);
  outb(port + IER, 0);
  outb(port + LCR, 0x03);
  outb(port + FCR, 0x07);
  outb(port + MCR, 0x0B);        // DTR, RTS, OUT2
  outb(port + IER, 0x01);        // received data available
  inb(port + FCR);               // nothing stale: interrupt, status, data
  inb(port + LSR);
  inb(port + RBR);
}

// Is there a device at all? A missing port reads as all ones.
int
uart_present(ushort port)
{
  return inb(port + LSR) != 0xFF;
}

// Wait (boundedly: an unconnected line must not stop the kernel) for room.
void
uart_putc(ushort port, int c)
{
  for (int i = 0; i < 100000 && !(inb(port + LSR) & LSR_THRE); i++)
    ;
  outb(port + RBR, c);
}

// A received byte, or -1. Reading the last one lowers the interrupt.
int
uart_getc(ushort port)
{
  return (inb(port + LSR) & LSR_DR) ? inb(port + RBR) : -1;
}
