// trap.c: the one C entry for every interrupt and exception (kernel/trapasm.S
// calls trap(tf)). Three kinds of trap arrive here:
//   - device interrupts (IRQ 0-15): acknowledged and passed to the driver's handler;
//   - traps from code running in ring 1 or 3 under the host's own IDT: passed to
//     the outer handler a self-test installed (a guest's traps never come here:
//     they enter through its own IDT and the switcher, vmos/switcher.S);
//   - anything else came from the host itself and is a host bug: panic.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "trapframe.h"

_Static_assert(offsetof(struct trapframe, eax) == TF_EAX, "TF_EAX");
_Static_assert(offsetof(struct trapframe, trapno) == TF_TRAPNO, "TF_TRAPNO");
_Static_assert(offsetof(struct trapframe, cs) == TF_CS, "TF_CS");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "TF_SIZE");

static irq_handler irqs[16];
static void (*outer_handler)(struct trapframe *tf);

void
irq_register(int irq, irq_handler h)
{
  irqs[irq] = h;
}

void
trap_set_outer_handler(void (*h)(struct trapframe *tf))
{
  outer_handler = h;
}

static const char *names[] = {
  "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
  "invalid opcode", "device not available", "double fault", "coprocessor overrun",
  "invalid TSS", "segment not present", "stack fault", "general protection",
  "page fault", "reserved", "x87 error", "alignment check", "machine check",
  "SIMD error",
};

const char*
trap_name(int trapno)
{
  if (trapno < (int)NELEM(names))
    return names[trapno];
  if (trapno >= T_IRQ0 && trapno < T_IRQ0 + 16)
    return "device interrupt";
  return "software interrupt";
}

void
print_trapframe(struct trapframe *tf)
{
  kprintf("  trap %d (%s) err 0x%x eip 0x%x cs 0x%x eflags 0x%x",
          tf->trapno, trap_name(tf->trapno), tf->err, tf->eip, tf->cs, tf->eflags);
  if (tf->trapno == T_PGFLT)
    kprintf(" cr2 0x%x", rcr2());
  kprintf("\n  eax 0x%x ebx 0x%x ecx 0x%x edx 0x%x esi 0x%x edi 0x%x ebp 0x%x\n",
          tf->eax, tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp);
}

// Acknowledge device interrupt n and run its driver's handler. Called by trap()
// and, for interrupts that arrive while a guest runs, by vmos.
void
irq_handle(int n)
{
  // IRQ 15 also signals a spurious interrupt of the slave: its in-service
  // register says so, and a spurious one must not be ended. (IRQ 7 would be
  // the master's, but the master is auto-EOI, its ISR always clear: nothing
  // uses IRQ 7 and nothing checks.)
  if (n == 15 && !(pic_slave_isr() & 0x8000))
    return;
  pic_eoi(n);
  if (irqs[n])
    irqs[n]();
}

void
trap(struct trapframe *tf)
{
  if (tf->trapno >= T_IRQ0 && tf->trapno < T_IRQ0 + 16) {
    irq_handle(tf->trapno - T_IRQ0);
    return;
  }
  if ((tf->cs & 3) != 0 && outer_handler) {
    outer_handler(tf);
    return;
  }
  // The host never faults on purpose: whatever happened is a bug in the host.
  u32 off;
  const char *fn = ksym_lookup(tf->eip, &off);
  const char *where = (tf->cs & 3) ? "ring 1/3 with no handler" : "the host";
  if (tf->trapno == T_PGFLT)
    panic("page fault in %s at eip 0x%x (%s+0x%x), address 0x%x, err 0x%x",
          where, tf->eip, fn ? fn : "?", off, rcr2(), tf->err);
  panic("unexpected trap %d (%s) in %s at eip 0x%x (%s+0x%x), err 0x%x", tf->trapno,
        trap_name(tf->trapno), where, tf->eip, fn ? fn : "?", off, tf->err);
}
