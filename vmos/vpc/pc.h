// pc.h: inside the virtual PC (vmos/vpc/): the state of its devices and the
// calls between them. Only the files of vmos/vpc/ include it; the rest of
// vmos sees vpc.h.
#ifndef VMOS_VPC_PC_H
#define VMOS_VPC_PC_H
#include "types.h"
#include "vmos/vpc/vpc.h"

struct vpic {                // one 8259A (pic.c)
  u8 irr, isr, imr;          // requested, in service, masked: bit n for IR n
  u8 base;                   // ICW2: IR n raises vector base + n
  u8 icw1, icw3, icw4;       // the last ICW sequence, as written
  u8 expect;                 // the ICW its data port takes next: 2, 3, 4; 0 none
  u8 ready;                  // initialized by an ICW sequence it accepted
  u8 bad;                    // the sequence under way had an ICW refused
  u8 read_isr;               // OCW3: a command-port read gives ISR, else IRR
  u8 poll;                   // OCW3: the next command-port read is a poll
  u8 smm;                    // OCW3: special mask mode
  u8 rotate_aeoi;            // OCW2: rotate in auto-EOI mode
  u8 lowest;                 // the IR of lowest priority (7 after ICW1)
};

struct vpit {                // the 8254's channel 0 (pit.c)
  u32 reload;                // the count it divides 1.193182 MHz by, 1..65536
  u8 mode;                   // 0..5 (6 and 7 are 2 and 3)
  u8 access;                 // 1 lobyte, 2 hibyte, 3 lobyte then hibyte
  u8 wlow, rhigh;            // the next data write / read is the high byte
  u8 wbyte;                  // the low byte written, until the high one comes
  u8 latched;                // a latch command froze the count ...
  u16 latch;                 // ... at this
  u8 running;                // counting (a whole count was written)
  u32 accum;                 // PIT clocks * HZ since the last period ended
  uint periods;              // periods since it was last programmed
  uint since;                // host ticks since it was last programmed
};

struct vuart {               // the 16550 at COM1 (uart.c)
  u8 ier, lcr, mcr, scr, fcr, dll, dlm;
  u8 thre_irq;               // a transmitter-empty interrupt is pending
  u8 line;                   // the chip's interrupt output, as last computed
  u8 loop_full, loop_byte;   // loopback (MCR bit 4): the byte sent to itself
};

// What the PC says about a guest's bad or unmodelled input: each kind once
// per VM on the console, every time in a counter (vpc_stats).
enum { L_PORT, L_WIDTH, L_PIC_ORDER, L_PIC_BASE, L_PIC_ICW, L_PIC_OCW, L_PIT_CHAN,
       L_PIT_MODE, L_PIT_FAST, L_UART, NLOG };

struct vpc {
  struct vm *vm;
  struct vpic pic[2];        // [0] master at 0x20, [1] slave at 0xA0 on its IR2
  struct vpit pit;           // 0x40-0x43, its output on IRQ 0
  struct vuart com1;         // 0x3F8-0x3FF, IRQ 4
  struct {                   // port accesses, per device
    uint pic, pit, com1, exit, post, unknown;
  } io;
  u16 last_unknown;          // the last port with no device
  uint bad_width;            // accesses of a width the device does not take
  uint refused;              // other guest input refused (ICWs, OCWs, channels)
  uint notes;                // input taken, but not all of it modelled
  uint raised[16];           // edges on each IRQ line
  uint delivered[16];        // interrupts the CPU took for each
  uint eois;                 // EOI commands (both chips)
  uint told;                 // bit per L_*: said on the console already
};

#define PIT_HZ 1193182       // the PIT's input clock, Hz

// vpc.c
void        vpc_say(struct vpc *pc, int kind, const char *fmt, ...)
                __attribute__((format(printf, 3, 4)));

// pic.c
void        vpic_init(struct vpc *pc);
u8          vpic_in(struct vpc *pc, int chip, int port);
void        vpic_out(struct vpc *pc, int chip, int port, u8 v);
void        vpic_update(struct vpc *pc);

// pit.c
void        vpit_init(struct vpc *pc);
u8          vpit_in(struct vpc *pc, int port);
void        vpit_out(struct vpc *pc, int port, u8 v);
void        vpit_tick(struct vpc *pc);

// uart.c
void        vuart_init(struct vpc *pc);
u8          vuart_in(struct vpc *pc, int reg);
void        vuart_out(struct vpc *pc, int reg, u8 v);
void        vuart_update(struct vpc *pc);

#endif
