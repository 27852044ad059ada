// pic.c: the virtual PC's two 8259A interrupt controllers, master at ports
// 0x20-0x21 and slave at 0xA0-0xA1, the slave's output wired to the master's
// IR2 as on every PC/AT. Part of vmos/vpc/ (vpc.c dispatches the ports to
// vpic_in/vpic_out); irq.c asks vpc_inta which vector to deliver. Lab 3.
//
// What a real 8259A does. Eight request inputs IR0-7. A rising edge on one
// sets its bit in the Interrupt Request Register (IRR). The chip raises its
// INT output when an unmasked request (IRR & ~IMR, the Interrupt Mask
// Register) has a higher priority than everything in service (the In-Service
// Register, ISR): by default IR0 highest, IR7 lowest. The CPU answers with
// INTA: the chip moves the highest request from IRR to ISR and puts a vector
// on the bus: the base the kernel gave it (ICW2) plus the IR number. Until
// the kernel writes an End Of Interrupt (EOI) that clears the ISR bit, that
// level and every lower one are held off (fully nested mode). A slave's INT
// is the master's IR2: for a slave IRQ (8-15) the master marks IR2 in
// service and the slave its own IR, so the kernel ends both.
// Programming: a write to the command port with bit 4 set is ICW1 and starts
// initialization: the data port then takes ICW2 (vector base), ICW3 (which
// IRs have slaves; for a slave, its number on the master) unless ICW1 said
// "single", ICW4 (8086 mode, auto-EOI, special fully nested) if ICW1 asked
// for it. After that a data-port write is OCW1 (the mask), and command-port
// writes are OCW2 (EOI: non-specific, for the highest in service; specific,
// for IR n; with or without rotating priority) or OCW3 (bit 3 set: which of
// IRR/ISR a command-port read returns, poll, special mask mode).
//
// What is modelled: all of the above, with priority rotation, auto-EOI,
// special fully nested mode, special mask mode and poll. Not modelled:
// level-triggered mode (ICW1 LTIM: taken as edges, said once), 8080 mode
// (ICW4 without uPM: refused), buffered mode (meaningless here), and a
// request that goes away before INTA (a real chip then gives the spurious
// IR7; here an edge stays requested until taken). Vectors 0-31 are the CPU's
// exceptions and 0x80-0x87 would hold the host's hypercall vector: an ICW2
// that asks for them is refused and the chip stays uninitialized, since
// delivering there would look to the guest like a fault. Until its first
// accepted ICW sequence a chip raises nothing: this PC has no BIOS to set
// it up. Bad or out-of-order input (an OCW in the middle of the ICWs, an
// EOI to a chip never initialized) is refused, said once per VM and counted.
#include "types.h"
#include "defs.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/pc.h"

#define ICW1_IC4  0x01       // ICW4 follows
#define ICW1_SNGL 0x02       // no slaves: no ICW3
#define ICW1_LTIM 0x08       // level triggered
#define ICW4_UPM  0x01       // 8086 mode
#define ICW4_AEOI 0x02       // auto EOI
#define ICW4_SFNM 0x10       // special fully nested mode (master)

static const char *chipname[2] = { "8259 master", "8259 slave" };

void
vpic_init(struct vpc *pc)
{
  for (int c = 0; c < 2; c++) {
    struct vpic *p = &pc->pic[c];
    memset(p, 0, sizeof(*p));
    p->imr = 0xFF;
    p->lowest = 7;
  }
}

// Priority of ir: 0 is the highest, after any rotation.
static int
prio(struct vpic *p, int ir)
{
  return (ir - p->lowest - 1) & 7;
}

// The IR of highest priority among bits, or -1.
static int
highest(struct vpic *p, u8 bits)
{
  for (int k = 0; k < 8; k++) {
    int ir = (p->lowest + 1 + k) & 7;
    if (bits & (1 << ir))
      return ir;
  }
  return -1;
}

// Is the slave's INT on the master's IR2? Only when the master is not in
// single mode (the wire is there; a master told it has no slave ignores it).
static int
cascaded(struct vpc *pc)
{
  return !(pc->pic[0].icw1 & ICW1_SNGL);
}

static int request(struct vpc *pc, int chip);

// The requests chip sees: its IRR, and on the master's IR2 the slave's INT.
static u8
requests(struct vpc *pc, int chip)
{
  u8 irr = pc->pic[chip].irr;
  if (chip == 0) {
    irr &= ~(1 << 2);
    if (cascaded(pc) && request(pc, 1) >= 0)
      irr |= 1 << 2;
  }
  return irr;
}

// The IR for which chip raises INT now, or -1: the highest unmasked request,
// if it outranks everything in service.
static int
request(struct vpc *pc, int chip)
{
  struct vpic *p = &pc->pic[chip];
  if (!p->ready || p->expect)
    return -1;                       // not initialized, or in the middle of it
  int r = highest(p, requests(pc, chip) & ~p->imr);
  if (r < 0)
    return -1;
  // In special mask mode a masked level in service holds nothing off.
  int s = highest(p, p->smm ? p->isr & ~p->imr : p->isr);
  if (s < 0 || prio(p, r) < prio(p, s))
    return r;
  // Special fully nested mode: the slave may interrupt its own IR2 service
  // with a higher slave request (the slave's own check decided that).
  if (chip == 0 && r == 2 && s == 2 && (p->icw4 & ICW4_SFNM))
    return r;
  return -1;
}

// After any change: the VM's pending bits say what the pair raises, so the
// host's idle and delivery paths (hcall.c, irq.c) see it, and a VM waiting
// for an interrupt wakes. Bit n: IRQ n would be taken.
void
vpic_update(struct vpc *pc)
{
  struct vm *vm = pc->vm;
  int r = request(pc, 0);
  u32 bits = 0;
  if (r == 2 && cascaded(pc)) {
    int s = request(pc, 1);
    bits = 1u << (8 + (s < 0 ? 7 : s));
  } else if (r >= 0) {
    bits = 1u << r;
  }
  vm->pending = bits;
  if (vm->shared)
    vm->shared->pending = bits;
  if (bits)
    vm_wake(vm);
}

int
vpc_irq_of(struct vm *vm, int vector)
{
  struct vpc *pc = vm->pc;
  if (pc == 0)
    return -1;
  for (int c = 1; c >= 0; c--)       // the slave first: its vectors are what IR2 gives
    if (pc->pic[c].ready && vector >= pc->pic[c].base && vector < pc->pic[c].base + 8)
      return c * 8 + vector - pc->pic[c].base;
  return -1;
}

int
vpc_intr(struct vm *vm)
{
  return vm->pc && request(vm->pc, 0) >= 0;
}

void
vpc_raise(struct vm *vm, int irq)
{
  struct vpc *pc = vm->pc;
  if (pc == 0 || irq < 0 || irq > 15)
    return;
  pc->raised[irq]++;
  pc->pic[irq >> 3].irr |= 1 << (irq & 7);
  vpic_update(pc);
}

// INTA on one chip for ir: requested -> in service (unless auto-EOI).
static void
ack(struct vpic *p, int ir)
{
  p->irr &= ~(1 << ir);
  if (!(p->icw4 & ICW4_AEOI))
    p->isr |= 1 << ir;
  else if (p->rotate_aeoi)
    p->lowest = ir;
}

int
vpc_inta(struct vm *vm)
{
  struct vpc *pc = vm->pc;
  if (pc == 0)
    return -1;
  int r = request(pc, 0);
  if (r < 0)
    return -1;
  int vector = pc->pic[0].base + r, irq = r;
  ack(&pc->pic[0], r);
  if (r == 2 && cascaded(pc)) {
    int s = request(pc, 1);
    if (s < 0)
      s = 7;                         // gone meanwhile: the slave's spurious IR7
    else
      ack(&pc->pic[1], s);
    vector = pc->pic[1].base + s;
    irq = 8 + s;
  }
  pc->delivered[irq]++;
  vpic_update(pc);
  return vector;
}

// The command port's read: a poll (OCW3 P), or IRR or ISR (OCW3 RR/RIS).
static u8
read_command(struct vpc *pc, int chip)
{
  struct vpic *p = &pc->pic[chip];
  if (p->poll) {
    // Poll: as an INTA without the vector: 0x80 | IR if one is requested.
    p->poll = 0;
    int r = request(pc, chip);
    if (r < 0)
      return 0;
    ack(p, r);
    vpic_update(pc);
    return 0x80 | r;
  }
  return p->read_isr ? p->isr : requests(pc, chip);
}

u8
vpic_in(struct vpc *pc, int chip, int port)
{
  return port == 0 ? read_command(pc, chip) : pc->pic[chip].imr;
}

static void
icw1(struct vpc *pc, int chip, u8 v)
{
  struct vpic *p = &pc->pic[chip];
  if (p->expect)
    vpc_say(pc, L_PIC_ORDER, "%s: ICW1 0x%x while it waited for ICW%d: starting again",
            chipname[chip], v, p->expect);
  // ICW1 resets the chip: nothing requested or in service, nothing masked,
  // IR7 lowest, reads give IRR, no ICW4 functions unless one comes.
  p->irr = p->isr = p->imr = 0;
  p->read_isr = p->poll = p->smm = p->rotate_aeoi = 0;
  p->lowest = 7;
  p->icw1 = v;
  p->icw3 = p->icw4 = 0;
  p->ready = p->bad = 0;
  p->expect = 2;
  if (v & ICW1_LTIM)
    vpc_say(pc, L_PIC_ICW, "%s: ICW1 0x%x asks for level-triggered inputs: not modelled, "
            "taken as edge-triggered", chipname[chip], v);
  if ((v & ICW1_SNGL) && chip == 0)
    vpc_say(pc, L_PIC_ICW, "%s: ICW1 0x%x says single mode: the slave on IR2 is not heard",
            chipname[chip], v);
}

// The sequence is complete: the chip works, unless an ICW was refused.
static void
icw_done(struct vpc *pc, int chip)
{
  struct vpic *p = &pc->pic[chip];
  p->expect = 0;
  p->ready = !p->bad;
}

static void
icw(struct vpc *pc, int chip, u8 v)
{
  struct vpic *p = &pc->pic[chip];
  switch (p->expect) {
  case 2:
    // The low three bits are the IR number on x86 (8086 mode).
    p->base = v & 0xF8;
    if (p->base < 0x20 || p->base == (HCALL_VECTOR & 0xF8)) {
      p->bad = 1;
      pc->refused++;
      vpc_say(pc, L_PIC_BASE, "%s: ICW2 0x%x: vectors 0x%x-0x%x %s; refused, the chip stays "
              "uninitialized", chipname[chip], v, p->base, p->base + 7,
              p->base < 0x20 ? "are the CPU's exceptions" : "hold the host's hypercall vector");
    }
    p->expect = !(p->icw1 & ICW1_SNGL) ? 3 : (p->icw1 & ICW1_IC4) ? 4 : 0;
    break;
  case 3:
    p->icw3 = v;
    // The board is wired: the slave hangs on the master's IR2, whatever the
    // kernel believes.
    if (chip == 0 && v != 0x04)
      vpc_say(pc, L_PIC_ICW, "%s: ICW3 0x%x: this PC's one slave is on IR2 (0x04); the "
              "wiring stays", chipname[chip], v);
    if (chip == 1 && (v & 7) != 2)
      vpc_say(pc, L_PIC_ICW, "%s: ICW3 0x%x: it is wired to the master's IR2 (2); the "
              "wiring stays", chipname[chip], v);
    p->expect = (p->icw1 & ICW1_IC4) ? 4 : 0;
    break;
  case 4:
    p->icw4 = v;
    if (!(v & ICW4_UPM)) {
      p->bad = 1;
      pc->refused++;
      vpc_say(pc, L_PIC_ICW, "%s: ICW4 0x%x asks for 8080 mode (uPM clear): this is an x86; "
              "refused, the chip stays uninitialized", chipname[chip], v);
    }
    p->expect = 0;
    break;
  }
  if (p->expect == 0)
    icw_done(pc, chip);
}

// OCW2: the end of an interrupt, priority rotation.
static void
ocw2(struct vpc *pc, int chip, u8 v)
{
  struct vpic *p = &pc->pic[chip];
  int l = v & 7, s;
  switch (v >> 5) {
  case 1:                            // non-specific EOI: the highest in service
  case 5:                            // ... and it becomes the lowest
    pc->eois++;
    s = highest(p, p->smm ? p->isr & ~p->imr : p->isr);
    if (s < 0)
      break;                         // nothing in service: a no-op, as on the chip
    p->isr &= ~(1 << s);
    if (v >> 5 == 5)
      p->lowest = s;
    break;
  case 3:                            // specific EOI of IR l
  case 7:                            // ... and it becomes the lowest
    pc->eois++;
    p->isr &= ~(1 << l);
    if (v >> 5 == 7)
      p->lowest = l;
    break;
  case 6:                            // set priority: l the lowest
    p->lowest = l;
    break;
  case 4:
    p->rotate_aeoi = 1;
    break;
  case 0:
    p->rotate_aeoi = 0;
    break;
  case 2:                            // no operation
    break;
  }
}

// OCW3: what the command port reads, poll, special mask mode.
static void
ocw3(struct vpc *pc, int chip, u8 v)
{
  struct vpic *p = &pc->pic[chip];
  if (v & 0x04)
    p->poll = 1;
  if ((v & 0x03) == 0x02)
    p->read_isr = 0;
  else if ((v & 0x03) == 0x03)
    p->read_isr = 1;
  if ((v & 0x60) == 0x40)
    p->smm = 0;
  else if ((v & 0x60) == 0x60)
    p->smm = 1;
}

void
vpic_out(struct vpc *pc, int chip, int port, u8 v)
{
  struct vpic *p = &pc->pic[chip];
  if (port == 1) {
    // Data port: the next ICW during initialization, else OCW1, the mask.
    // A mask written before the first ICW1 is taken (kernels mask
    // everything first); the chip still raises nothing until initialized.
    if (p->expect)
      icw(pc, chip, v);
    else
      p->imr = v;
  } else if (v & 0x10) {
    icw1(pc, chip, v);
  } else if (p->expect) {
    // A real chip would take this as an OCW and leave its ICWs half done;
    // a kernel that does it has its sequence wrong: refused, said.
    pc->refused++;
    vpc_say(pc, L_PIC_ORDER, "%s: OCW%d 0x%x while it waited for ICW%d: out of order, refused",
            chipname[chip], (v & 0x08) ? 3 : 2, v, p->expect);
  } else if (v & 0x08) {
    ocw3(pc, chip, v);
  } else if (!p->ready) {
    pc->refused++;
    vpc_say(pc, L_PIC_OCW, "%s: OCW2 0x%x before the chip was initialized (ICW1-ICW4): "
            "refused", chipname[chip], v);
  } else {
    ocw2(pc, chip, v);
  }
  vpic_update(pc);
}
