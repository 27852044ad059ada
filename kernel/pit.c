// pit.c: the 8253/8254 programmable interval timer, channel 0 on IRQ 0.
// It drives `ticks`, the host's clock; vmos's scheduler builds on it.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"

#define PIT_HZ_IN 1193182       // the PIT's input clock
#define PIT_CH0   0x40
#define PIT_CMD   0x43

volatile uint ticks;
static uint hz;
static void (*hook)(void);        // the layer above's work on each tick

static void
pit_intr(void)
{
  ticks++;
  if (hook)
    hook();
}

void
pit_set_hook(void (*fn)(void))
{
  hook = fn;
}

void
pit_init(uint want_hz)
{
  hz = want_hz;
  uint div = PIT_HZ_IN / hz;
  outb(PIT_CMD, 0x34);          // channel 0, lo/hi byte, mode 2 (rate generator)
  outb(PIT_CH0, div & 0xFF);
  outb(PIT_CH0, div >> 8);
  irq_register(IRQ_TIMER, pit_intr);
  pic_enable(IRQ_TIMER);
}

uint
pit_hz(void)
{
  return hz;
}
