// pit.c: the virtual PC's 8254 programmable interval timer, channel 0: the
// guest kernel's timer, its output on IRQ 0. Ports 0x40 (channel 0's count)
// and 0x43 (the control word); vpc.c dispatches them here, and vpc_tick
// (from irq_tick, each host tick) makes it count. Lab 3.
//
// What a real 8254 does. Three 16-bit down-counters, clocked at 1.193182 MHz
// (a third of the original PC's 14.31818 MHz crystal, divided by 4). On a PC
// channel 0's output is IRQ 0, channel 1 once refreshed DRAM and channel 2
// drives the speaker (its gate is port 0x61). A control word at 0x43 picks a
// channel (bits 7-6), how its count is read and written (bits 5-4: latch the
// count now, low byte only, high byte only, low then high), a mode (bits
// 3-1) and binary or BCD (bit 0). Mode 2 (rate generator) and mode 3 (square
// wave) reload the count each time it runs out and pulse the output: a
// periodic interrupt at 1193182 / count Hz (count 0 means 65536; 11932 gives
// 100 Hz). Mode 0 interrupts once when the count runs out; mode 4 strobes
// once; modes 1 and 5 start on a rising edge of the gate, which channel 0's
// (tied high) never gets. Writing the control word stops the channel until
// its whole new count is written; a latch command freezes the current count
// for the next read(s).
//
// What is modelled: channel 0 in every mode, the three access modes, the
// latch command and reading the count. Time is the host's: each host tick is
// 1193182 / HZ PIT clocks, counted exactly (accum, in PIT clocks times HZ),
// so the guest's timer keeps its rate over time whatever the two rates are;
// but it can raise at most one interrupt a host tick: periods that end
// within one tick are one edge on IRQ 0, merged as the 8259 would merge
// them while the guest had them off (said once if the guest asks for more
// than HZ interrupts a second). The count read back moves once a host
// tick, not once a PIT clock, and mode 3 counts down by one like mode 2.
// Not modelled: channels 1 and 2, BCD counting, the 8254's read-back
// command: refused or said, once per VM, and counted.
#include "types.h"
#include "defs.h"
#include "param.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/pc.h"

void
vpit_init(struct vpc *pc)
{
  memset(&pc->pit, 0, sizeof(pc->pit));
  pc->pit.reload = 65536;
  pc->pit.access = 3;
}

// The count as a read sees it now.
static u16
count_now(struct vpit *t)
{
  if (!t->running)
    return t->reload;
  u32 gone = t->accum / HZ;          // PIT clocks of this period so far
  return gone < t->reload ? t->reload - gone : 1;
}

// A whole count was written: the channel starts over with it.
static void
start(struct vpc *pc, u32 count)
{
  struct vpit *t = &pc->pit;
  t->reload = count ? count : 65536;
  t->accum = 0;
  t->periods = t->since = 0;
  t->running = 1;
  if (t->mode == 1 || t->mode == 5) {
    t->running = 0;
    vpc_say(pc, L_PIT_MODE, "8254 PIT: channel 0 in mode %d waits for a rising edge on its gate, "
            "which is tied high on a PC: it never starts", t->mode);
  } else if ((t->mode == 2 || t->mode == 3) && (u64)t->reload * HZ < PIT_HZ) {
    vpc_say(pc, L_PIT_FAST, "8254 PIT: channel 0 at %u Hz is faster than the host's %u Hz "
            "tick: at most one interrupt a host tick, periods merged", PIT_HZ / t->reload, HZ);
  }
}

static void
control(struct vpc *pc, u8 v)
{
  struct vpit *t = &pc->pit;
  int channel = v >> 6, access = (v >> 4) & 3;
  if (channel == 3) {
    pc->refused++;
    vpc_say(pc, L_PIT_CHAN, "8254 PIT: read-back command 0x%x is not modelled: refused", v);
    return;
  }
  if (channel != 0) {
    pc->refused++;
    vpc_say(pc, L_PIT_CHAN, "8254 PIT: channel %d (%s) is not modelled: control word 0x%x "
            "refused", channel, channel == 1 ? "DRAM refresh" : "the speaker", v);
    return;
  }
  if (access == 0) {                 // latch: freeze the count for the next read(s)
    if (!t->latched) {
      t->latch = count_now(t);
      t->latched = 1;
      t->rhigh = 0;
    }
    return;
  }
  t->access = access;
  t->mode = (v >> 1) & 7;
  if (t->mode >= 6)
    t->mode -= 4;                    // 6 and 7 are 2 and 3
  if (v & 1)
    vpc_say(pc, L_PIT_MODE, "8254 PIT: BCD counting (control word 0x%x) is not modelled: "
            "the count is taken as binary", v);
  t->running = 0;                    // stopped until the new count is written
  t->wlow = t->rhigh = t->latched = 0;
}

void
vpit_out(struct vpc *pc, int port, u8 v)
{
  struct vpit *t = &pc->pit;
  if (port == 3) {
    control(pc, v);
    return;
  }
  if (port != 0) {
    pc->refused++;
    vpc_say(pc, L_PIT_CHAN, "8254 PIT: channel %d (port 0x%x) is not modelled: refused",
            port, 0x40 + port);
    return;
  }
  switch (t->access) {
  case 1:
    start(pc, v);
    break;
  case 2:
    start(pc, (u32)v << 8);
    break;
  case 3:
    if (!t->wlow) {
      t->wbyte = v;
      t->wlow = 1;
      t->running = 0;                // a half-written count stops it, as on the chip
    } else {
      t->wlow = 0;
      start(pc, t->wbyte | (u32)v << 8);
    }
    break;
  }
}

u8
vpit_in(struct vpc *pc, int port)
{
  struct vpit *t = &pc->pit;
  if (port != 0) {
    pc->refused++;
    vpc_say(pc, L_PIT_CHAN, "8254 PIT: %s (port 0x%x) cannot be read here: reads as 0xFF",
            port == 3 ? "the control word" : "channels 1 and 2", 0x40 + port);
    return 0xFF;
  }
  u16 c = t->latched ? t->latch : count_now(t);
  u8 v;
  if (t->access == 1) {
    v = c;
  } else if (t->access == 2) {
    v = c >> 8;
  } else {
    v = t->rhigh ? c >> 8 : c;
    t->rhigh = !t->rhigh;
    if (t->rhigh)
      return v;                      // the high byte still to come (of the latch too)
  }
  t->latched = 0;
  return v;
}

// One host tick: 1193182 / HZ PIT clocks go by. Each period that ends raises
// the output's edge; the periods ending in one tick are one edge.
void
vpit_tick(struct vpc *pc)
{
  struct vpit *t = &pc->pit;
  if (!t->running)
    return;
  t->since++;
  t->accum += PIT_HZ;
  u32 period = t->reload * HZ;       // at most 65536 * HZ: fits
  if (t->accum < period)
    return;
  uint n = t->accum / period;
  t->accum -= n * period;
  t->periods += n;
  if (t->mode == 0 || t->mode == 4)
    t->running = 0;                  // one-shot: its one edge, then quiet
  vpc_raise(pc->vm, 0);
}
