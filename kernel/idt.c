// idt.c: the interrupt descriptor table.
// By default all 256 vectors enter the host (kernel/trapasm.S) through interrupt
// gates, so the host always runs with IF=0. Only the hypercall vector is reachable
// by the int instruction, and only from ring 1 (DPL1): from ring 3 the CPU itself
// raises #GP. vmos/ changes single gates with idt_set_gate().
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "vmos/abi.h"

static struct gatedesc idt[256] __attribute__((aligned(8)));
extern u32 vectors[];             // kernel/trapasm.S

// Fill in one gate of any IDT (vmos builds IDTs of its own for guests).
void
gate_set(struct gatedesc *g, u32 handler, u16 sel, int dpl, int trapgate)
{
  g->off_15_0 = handler & 0xFFFF;
  g->cs = sel;
  g->args = 0;
  g->rsv1 = 0;
  g->type = trapgate ? STS_TG32 : STS_IG32;
  g->s = 0;
  g->dpl = dpl;
  g->p = 1;
  g->off_31_16 = handler >> 16;
}

void
idt_set_gate(int vector, u32 handler, u16 sel, int dpl, int trapgate)
{
  gate_set(&idt[vector], handler, sel, dpl, trapgate);
}

// Back to the host's default gate for this vector.
void
idt_reset_gate(int vector)
{
  int dpl = vector == HCALL_VECTOR ? 1 : 0;
  idt_set_gate(vector, vectors[vector], SEL_HCODE, dpl, 0);
}

// (Re)load the host's IDT: vmos loads a guest IDT while a guest runs.
void
idt_load(void)
{
  lidt(idt, sizeof(idt));
}

// The host's IDT as lidt takes it: vmos's switcher loads it itself on every
// return from a guest, right after the host's page directory.
void
idt_desc(struct dtdesc *d)
{
  d->limit = sizeof(idt) - 1;
  d->base = (u32)idt;
}

void
idt_init(void)
{
  for (int v = 0; v < 256; v++)
    idt_reset_gate(v);
  idt_load();
}
