// vpc.c: the virtual PC's bus: which device answers a port, the PC's wiring
// of device events to IRQ lines, its counters. A guest kernel in trap mode
// drives a PC with in/out; each one faults in ring 1 and vmos/emul/io.c hands it
// here (after the trap-mode disk, vdev_disk.c, has claimed its own ports).
// Lab 3 (issue 10). The devices are pic.c (the 8259 pair), pit.c (PIT
// channel 0) and uart.c (COM1); this file also holds port 0xF4, QEMU's
// isa-debug-exit: a write stops the VM with that status, the way a test
// kernel under QEMU ends its run, and port 0xE9, QEMU's isa-debugcon: a PC
// kernel's debug log, taken a line at a time, where a line `mark LABEL` is
// what HC_MARK is to a paravirtual guest (the host's counters, vm_mark in
// hcall.c; xv6a-trap's bench marks) and every other line is dropped, counted.
//
// The PC's I/O map, as modelled:
//   0x20-0x21  8259 master     0x40-0x43  8254 PIT    0x80  POST/delay (ignored)
//   0xA0-0xA1  8259 slave      0x3F8-0x3FF COM1       0xF4  debug exit (any width)
//   0xE9       debug console (bytes; reads 0xE9, as QEMU's does)
// Everything else is an empty ISA bus: reads give all ones, writes go
// nowhere, and the first such access of a VM is said on the console with its
// port. The devices take bytes only, as on a PC; a wider access is refused
// (reads give all ones) and said once. Every access is counted per device
// (monitor `stats`), so a student can see what a trap-mode kernel costs.
#include "types.h"
#include "defs.h"
#include "param.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/pc.h"

static struct vpc pcs[MAXVMS];       // one for each VM slot, used if it has a PC

// The debug console of each PC (port 0xE9). A line is at most DCON_LINE
// bytes: the rest of a longer one is cut (counted) until its newline, so a
// guest that never ends a line holds DCON_LINE bytes of the host, no more.
// Each byte is a host entry already (an emulated out, or one element of a
// rep outsb, at most 1024 an entry: emul/io.c), but one mark line of the
// host's is some 500 bytes for a guest's 8, so marks are also limited to
// DCON_MARKS a host tick per VM; the others are refused, counted.
#define DCON_LINE 64
#define DCON_MARKS 8
static struct dcon {
  char line[DCON_LINE];
  uint len;                  // bytes in line
  uint cut;                  // the line under way was longer than DCON_LINE
  uint lines, marks, dropped, cuts, refused;
  uint tick, tick_marks;     // marks in host tick `tick`
} dcons[MAXVMS];

int
vpc_attach(struct vm *vm)
{
  int i = vm - vms;
  if (i < 0 || i >= MAXVMS)
    return -1;
  if (vm->pc)
    return 0;
  // Its 8259s must see every interrupt it gets: in swap and defer modes a
  // device's IRQ would go past them straight to the guest's handler.
  if (vm->irq_mode != IRQ_ROUTE) {
    kprintf("vmos: VM %d (%s): a virtual PC's 8259s take every interrupt of the VM: route "
            "mode, not %s\n", vm->id, vm->name, vm->irq_mode == IRQ_SWAP ? "swap" : "defer");
    vm->irq_mode = IRQ_ROUTE;
  }
  struct vpc *pc = &pcs[i];
  memset(pc, 0, sizeof(*pc));
  pc->vm = vm;
  vpic_init(pc);
  vpit_init(pc);
  vuart_init(pc);
  memset(&dcons[i], 0, sizeof(dcons[i]));
  vm->pc = pc;
  vm->pending = 0;                   // its PIC decides from now on
  return 0;
}

// Say something about the guest's use of its PC: each kind once per VM.
void
vpc_say(struct vpc *pc, int kind, const char *fmt, ...)
{
  if (kind < L_PORT || kind >= NLOG)
    kind = L_PORT;
  if (pc->told & (1u << kind)) {
    pc->notes++;
    return;
  }
  pc->told |= 1u << kind;
  pc->notes++;
  char buf[200];
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  kvsnprintf(buf, sizeof(buf), fmt, ap);
  __builtin_va_end(ap);
  struct vm *vm = pc->vm;
  kprintf("vmos: VM %d (%s.%d) pc: %s (eip 0x%x; said once)\n", vm->id, vm->name, vm->id,
          buf, vm->tf.eip);
}

// A byte on vm's debug console: at a newline, its line is done.
static void
dcon_out(struct vm *vm, u8 c)
{
  struct dcon *d = &dcons[vm - vms];
  if (c != '\n') {
    if (d->len < DCON_LINE)
      d->line[d->len++] = c;
    else if (!d->cut) {
      d->cut = 1;
      d->cuts++;
    }
    return;
  }
  d->lines++;
  uint n = d->len;
  while (n > 0 && d->line[n - 1] == '\r')    // "mark x\r\n" is "mark x"
    n--;
  d->len = d->cut = 0;
  if (n < 5 || memcmp(d->line, "mark ", 5) != 0) {
    d->dropped++;                    // a debug log line: nobody reads it
    return;
  }
  if (d->tick != ticks) {
    d->tick = ticks;
    d->tick_marks = 0;
  }
  if (d->tick_marks >= DCON_MARKS) {
    d->refused++;
    return;
  }
  d->tick_marks++;
  d->marks++;
  vm_mark(vm, d->line + 5, n - 5);   // cut to MARK_LABEL_MAX and sanitized there
}

enum { D_NONE, D_PIC0, D_PIC1, D_PIT, D_COM1, D_EXIT, D_POST, D_DCON };

static const char *devname[] = {
  [D_NONE] "no device", [D_PIC0] "8259 master", [D_PIC1] "8259 slave",
  [D_PIT] "8254 PIT", [D_COM1] "16550 COM1", [D_EXIT] "debug exit", [D_POST] "POST port",
  [D_DCON] "debug console",
};

static int
device(u16 port, int *reg)
{
  if (port == 0x20 || port == 0x21) {
    *reg = port - 0x20;
    return D_PIC0;
  }
  if (port == 0xA0 || port == 0xA1) {
    *reg = port - 0xA0;
    return D_PIC1;
  }
  if (port >= 0x40 && port <= 0x43) {
    *reg = port - 0x40;
    return D_PIT;
  }
  if (port >= 0x3F8 && port <= 0x3FF) {
    *reg = port - 0x3F8;
    return D_COM1;
  }
  *reg = 0;
  if (port == 0xF4)
    return D_EXIT;
  if (port == 0x80)
    return D_POST;
  if (port == 0xE9)
    return D_DCON;
  return D_NONE;
}

static const char *
insn(int in, int size)
{
  static const char *names[2][5] = { { 0, "outb", "outw", 0, "outl" },
                                     { 0, "inb", "inw", 0, "inl" } };
  return names[in != 0][size];
}

int
vpc_io(struct vm *vm, u16 port, int size, int in, u32 *val)
{
  struct vpc *pc = vm->pc;
  if (pc == 0)
    return 0;
  if (size != 1 && size != 2 && size != 4) {
    // vmos/emul/decode.c decodes no other, but this is the boundary: a width no bus has.
    pc->bad_width++;
    vpc_say(pc, L_WIDTH, "an access of %d bytes to port 0x%x: no such width; refused", size,
            port);
    if (in)
      *val = 0xFFFFFFFF;
    return 1;
  }
  u32 ones = size == 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
  int reg, dev = device(port, &reg);
  switch (dev) {
  case D_PIC0: case D_PIC1: pc->io.pic++; break;
  case D_PIT: pc->io.pit++; break;
  case D_COM1: pc->io.com1++; break;
  case D_EXIT: pc->io.exit++; break;
  case D_POST: pc->io.post++; break;
  case D_DCON: break;                // dcons[] counts its lines
  default:
    pc->io.unknown++;
    pc->last_unknown = port;
    vpc_say(pc, L_PORT, "%s %s port 0x%x: no device there (reads as all ones; later ones are "
            "counted, not said)", insn(in, size), in ? "from" : "to", port);
    if (in)
      *val = ones;
    return 1;
  }
  if (dev == D_EXIT) {
    // isa-debug-exit: the guest's run is over, with the status it wrote.
    if (in)
      *val = ones;
    else
      vm_stop(vm, "guest exit %u through port 0xF4 (debug exit)", *val & ones);
    return 1;
  }
  if (dev == D_POST) {               // port 0x80: a POST card, or a delay: nothing
    if (in)
      *val = ones;
    return 1;
  }
  if (size != 1) {
    // A PC's 8-bit devices on a 16-bit access: the bus would split it into
    // two bytes at port and port + 1; a kernel that does it meant something
    // else. Refused, said once, counted.
    pc->bad_width++;
    vpc_say(pc, L_WIDTH, "%s %s port 0x%x (%s): it takes bytes only; refused%s",
            insn(in, size), in ? "from" : "to", port, devname[dev],
            in ? " (reads as all ones)" : "");
    if (in)
      *val = ones;
    return 1;
  }
  u8 v = *val;
  switch (dev) {
  case D_PIC0:
  case D_PIC1:
    if (in)
      v = vpic_in(pc, dev == D_PIC1, reg);
    else
      vpic_out(pc, dev == D_PIC1, reg, v);
    break;
  case D_PIT:
    if (in)
      v = vpit_in(pc, reg);
    else
      vpit_out(pc, reg, v);
    break;
  case D_COM1:
    if (in)
      v = vuart_in(pc, reg);
    else
      vuart_out(pc, reg, v);
    break;
  case D_DCON:
    if (in)
      v = 0xE9;                      // QEMU's answer: "a debug console is here"
    else
      dcon_out(vm, v);
    break;
  }
  if (in)
    *val = v;
  return 1;
}

void
vpc_tick(struct vm *vm)
{
  struct vpc *pc = vm->pc;
  if (pc == 0 || vm->state == VM_STOPPED || vm->state == VM_FREE)
    return;
  int blocked = vm->state == VM_BLOCKED;
  vpit_tick(pc);
  // A VM idling for its timer runs next (it will be quick), as irq_tick
  // does for the hypercall timer.
  if (blocked && vm->state == VM_RUNNABLE)
    sched_prefer(vm);
}

// The PC's wiring of the host's device events for vm.
void
vpc_virq(struct vm *vm, int virq)
{
  struct vpc *pc = vm->pc;
  if (pc == 0)
    return;
  if (virq == VIRQ_CONSOLE) {
    vuart_update(pc);                // typed input: COM1's receiver (IRQ 4 if enabled)
  } else if (virq == VIRQ_TIMER) {
    vpc_raise(vm, 0);                // the hypercall timer, if it set one: IRQ 0 too
  } else if (virq == 2) {
    vpc_raise(vm, 9);                // the ISA bus's IRQ 2 is the AT's IRQ 9
  } else if (virq >= 0 && virq < 16) {
    vpc_raise(vm, virq);             // VIRQ_DISK: 14, the slave's IR6
  }
}

void
vpc_stats(struct vm *vm)
{
  struct vpc *pc = vm->pc;
  if (pc == 0)
    return;
  kprintf("  pc: port I/O pic %u pit %u com1 %u exit %u post %u unknown %u", pc->io.pic,
          pc->io.pit, pc->io.com1, pc->io.exit, pc->io.post, pc->io.unknown);
  if (pc->io.unknown)
    kprintf(" (last 0x%x)", pc->last_unknown);
  kprintf("; bad width %u, refused %u, notes %u\n", pc->bad_width, pc->refused, pc->notes);
  struct dcon *d = &dcons[vm - vms];
  if (d->lines || d->len)
    kprintf("  pc: debug console: lines %u, marks %u, other lines dropped %u, lines cut %u, "
            "marks refused (over %d a tick) %u\n", d->lines, d->marks, d->dropped, d->cuts,
            DCON_MARKS, d->refused);
  kprintf("  pc: irqs raised/delivered");
  for (int n = 0; n < 16; n++)
    if (pc->raised[n] || pc->delivered[n])
      kprintf(" %d:%u/%u", n, pc->raised[n], pc->delivered[n]);
  kprintf("; EOIs %u\n", pc->eois);
  for (int c = 0; c < 2; c++) {
    struct vpic *p = &pc->pic[c];
    kprintf("  pc: 8259 %s: %s, vectors 0x%x, imr 0x%x irr 0x%x isr 0x%x\n",
            c ? "slave" : "master", p->ready ? "ready" : p->expect ? "initializing" :
            "uninitialized", p->base, p->imr, p->irr, p->isr);
  }
  struct vpit *t = &pc->pit;
  kprintf("  pc: pit: mode %d count %u, %s, %u periods in %u host ticks since programmed "
          "(%u Hz host)\n", t->mode, t->reload, t->running ? "running" : "stopped", t->periods,
          t->since, HZ);
}
