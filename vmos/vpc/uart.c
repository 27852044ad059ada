// uart.c: the virtual PC's COM1, a 16550 UART at ports 0x3F8-0x3FF on IRQ 4:
// the guest kernel's console when it drives a PC. What it sends is the VM's
// console output (vdev_console.c: tagged `[name.N]` on the system console,
// with the same rate as HC_CONSOLE_WRITE); what is typed to the VM while it
// has focus is what it receives. vpc.c dispatches the ports here; input
// arrives through vpc_virq(VIRQ_CONSOLE). Lab 3.
//
// What a real 16550 does. Eight registers from its base port. 0: the
// receiver buffer (RBR, read) and transmitter holding register (THR,
// write); 1: interrupt enable (IER: bit 0 received data, bit 1 transmitter
// empty, bit 2 line status, bit 3 modem status); 2: interrupt
// identification (IIR, read: 0x01 nothing pending, else the highest cause:
// 0x06 line status, 0x04 received data, 0x02 transmitter empty, 0x00 modem
// status; bits 7-6 set with the FIFOs on) and FIFO control (FCR, write); 3:
// line control (LCR: word length, stop bits, parity, and bit 7 DLAB, which
// turns ports 0 and 1 into the baud-rate divisor latch DLL/DLM); 4: modem
// control (MCR: DTR, RTS, OUT1, OUT2, bit 4 loopback); 5: line status (LSR:
// bit 0 DR a byte waits in RBR, bit 5 THRE room in THR, bit 6 TEMT all
// sent, errors); 6: modem status (MSR); 7: scratch. Its interrupt output is
// a level that stays up while any enabled cause holds: received data until
// RBR is read empty, transmitter empty until IIR is read or THR written.
// On a PC the output reaches the 8259 only through a buffer that MCR's OUT2
// enables, and the 8259 latches its rising edge.
//
// What is modelled: all the registers; the receive and transmitter-empty
// interrupts, through OUT2, as an edge on IRQ 4 when the output rises (so a
// driver that leaves a byte unread gets no second interrupt, as on a PC);
// loopback (THR to RBR, MCR to MSR). The line is infinitely fast: THRE and
// TEMT are always set, and every byte written goes out at once, so the
// divisor and the line format are kept but change nothing; the receive
// FIFO is the VM's console input buffer (CONS_IN bytes), and FCR's "clear
// receive FIFO" empties it. Not modelled: line errors and breaks (LSR
// bits 1-4 stay 0), modem-status changes (no MSR interrupt), the FIFO
// trigger level (an interrupt at the first byte).
#include "types.h"
#include "defs.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/pc.h"

#define IER_RDA   0x01       // interrupt enable: received data available
#define IER_THRE  0x02       // ... transmitter holding register empty
#define LCR_DLAB  0x80
#define MCR_OUT2  0x08       // gates the interrupt onto the bus (a PC's wiring)
#define MCR_LOOP  0x10
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LSR_TEMT  0x40

void
vuart_init(struct vpc *pc)
{
  memset(&pc->com1, 0, sizeof(pc->com1));
}

// A byte waits to be read.
static int
ready(struct vpc *pc)
{
  struct vm *vm = pc->vm;
  if (pc->com1.mcr & MCR_LOOP)
    return pc->com1.loop_full;
  return vm->in_r != vm->in_w;
}

// The interrupt identification: the highest pending enabled cause.
static u8
iir(struct vpc *pc)
{
  struct vuart *u = &pc->com1;
  if ((u->ier & IER_RDA) && ready(pc))
    return 0x04;
  if ((u->ier & IER_THRE) && u->thre_irq)
    return 0x02;
  return 0x01;
}

// Recompute the chip's interrupt output; a rising edge, if OUT2 lets it
// through (and loopback does not cut it off), is an edge on IRQ 4.
void
vuart_update(struct vpc *pc)
{
  struct vuart *u = &pc->com1;
  int line = iir(pc) != 0x01 && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);
  if (line && !u->line)
    vpc_raise(pc->vm, 4);
  u->line = line;
}

static void
transmit(struct vpc *pc, u8 c)
{
  struct vm *vm = pc->vm;
  struct vuart *u = &pc->com1;
  u->thre_irq = 0;                   // writing THR clears its interrupt ...
  vuart_update(pc);
  if (u->mcr & MCR_LOOP) {
    u->loop_byte = c;
    u->loop_full = 1;
  } else if (cons_take(vm, 1) == 1) {   // its console's rate, as for HC_CONSOLE_WRITE
    char ch = c;
    cons_write(vm, &ch, 1);
  }
  u->thre_irq = 1;                   // ... and the byte is gone at once: empty again
}

static u8
receive(struct vpc *pc)
{
  struct vm *vm = pc->vm;
  struct vuart *u = &pc->com1;
  if (u->mcr & MCR_LOOP) {
    u->loop_full = 0;
    return u->loop_byte;
  }
  char c = 0;
  cons_read(vm, &c, 1);              // nothing there: the last byte again, here 0
  return c;
}

static u8
msr(struct vpc *pc)
{
  u8 m = pc->com1.mcr;
  if (m & MCR_LOOP)                  // DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD
    return (m & 1) << 5 | (m & 2) << 3 | (m & 4) << 4 | (m & 8) << 4;
  return 0xB0;                       // a terminal is there: DCD, DSR, CTS
}

u8
vuart_in(struct vpc *pc, int reg)
{
  struct vuart *u = &pc->com1;
  u8 v = 0;
  switch (reg) {
  case 0:
    v = (u->lcr & LCR_DLAB) ? u->dll : receive(pc);
    break;
  case 1:
    v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
    break;
  case 2:
    v = iir(pc);
    if (v == 0x02)
      u->thre_irq = 0;               // reading it as the cause clears that cause
    if (u->fcr & 1)
      v |= 0xC0;
    break;
  case 3:
    v = u->lcr;
    break;
  case 4:
    v = u->mcr;
    break;
  case 5:
    v = LSR_THRE | LSR_TEMT | (ready(pc) ? LSR_DR : 0);
    break;
  case 6:
    v = msr(pc);
    break;
  case 7:
    v = u->scr;
    break;
  }
  vuart_update(pc);
  return v;
}

void
vuart_out(struct vpc *pc, int reg, u8 v)
{
  struct vm *vm = pc->vm;
  struct vuart *u = &pc->com1;
  switch (reg) {
  case 0:
    if (u->lcr & LCR_DLAB)
      u->dll = v;
    else
      transmit(pc, v);
    break;
  case 1:
    if (u->lcr & LCR_DLAB) {
      u->dlm = v;
      break;
    }
    // Enabling the transmitter-empty interrupt with THR empty (always,
    // here) raises it at once, as the 16550 does.
    if ((v & IER_THRE) && !(u->ier & IER_THRE))
      u->thre_irq = 1;
    u->ier = v & 0x0F;
    break;
  case 2:
    u->fcr = v & 0xC9;
    if (v & 0x02) {                  // clear the receive FIFO: what was typed is gone
      vm->in_r = vm->in_w;
      u->loop_full = 0;
    }
    break;
  case 3:
    u->lcr = v;
    break;
  case 4:
    u->mcr = v & 0x1F;
    break;
  case 5:
  case 6:
    break;                           // LSR and MSR: the chip's factory test; ignored
  case 7:
    u->scr = v;
    break;
  }
  vuart_update(pc);
}
