// uart.c: the 16550 serial port COM1, the system console's main line.
// Output is polled; input is interrupt driven (IRQ4): each received byte goes to
// console_input() in kernel/console.c.
//
// What output costs: under QEMU every access to the port is a trap into QEMU,
// and every byte written is a write(2) of QEMU's to its end of the line. So the
// transmitter is filled 16 bytes at a time (its FIFO) after one look at the
// status register, not polled before each byte. A byte still costs about a
// microsecond: the caller (vmos/vdev_console.c) makes a guest's bytes cost the
// guest.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"

#define COM1 0x3F8
#define UART_DATA 0       // receive / transmit
#define UART_IER  1       // interrupt enable
#define UART_FCR  2       // FIFO control
#define UART_LCR  3       // line control
#define UART_MCR  4       // modem control
#define UART_LSR  5       // line status
#define LSR_RX_READY 0x01
#define LSR_TX_EMPTY 0x20 // with the FIFO on: the whole transmit FIFO is empty
#define UART_FIFO    16   // bytes the transmit FIFO holds

static int present;

static void
uart_intr(void)
{
  while (inb(COM1 + UART_LSR) & LSR_RX_READY)
    console_input(inb(COM1 + UART_DATA));
}

void
uart_init(void)
{
  outb(COM1 + UART_IER, 0);           // no interrupts while we set it up
  outb(COM1 + UART_LCR, 0x80);        // divisor latch: 115200 baud
  outb(COM1 + UART_DATA, 1);
  outb(COM1 + UART_IER, 0);
  outb(COM1 + UART_LCR, 0x03);        // 8 data bits, no parity, 1 stop bit
  outb(COM1 + UART_FCR, 0x07);        // enable and clear FIFOs
  outb(COM1 + UART_MCR, 0x0B);        // DTR, RTS, OUT2 (OUT2 gates the IRQ line)
  if (inb(COM1 + UART_LSR) == 0xFF)   // no UART here
    return;
  present = 1;
  outb(COM1 + UART_IER, 0x01);        // interrupt when a byte arrives
  inb(COM1 + UART_DATA);
  irq_register(IRQ_COM1, uart_intr);
  pic_enable(IRQ_COM1);
}

// Wait (a bounded while: a line nobody reads must not hang the host) until the
// transmit FIFO is empty.
static void
tx_wait(void)
{
  for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_TX_EMPTY); i++)
    ;
}

void
uart_write(const char *s, uint n)
{
  if (!present)
    return;
  while (n > 0) {
    uint k = n < UART_FIFO ? n : UART_FIFO;
    tx_wait();
    for (uint i = 0; i < k; i++)
      outb(COM1 + UART_DATA, s[i]);
    s += k;
    n -= k;
  }
}
