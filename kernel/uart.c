// uart.c: the 16550 serial port COM1, the system console's main line.
// Output is polled; input is interrupt driven (IRQ4): each received byte goes to
// console_input() in kernel/console.c.
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
#define LSR_TX_EMPTY 0x20

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

void
uart_putc(int c)
{
  if (!present)
    return;
  for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_TX_EMPTY); i++)
    ;
  outb(COM1 + UART_DATA, c);
}
