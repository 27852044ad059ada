// switcher.c: the C half of the world switch (the assembly half is
// vmos/switcher.S). sw_init builds the switcher region in the host's address
// space; sw_map shares it with a guest's; sw_enter runs a VM until its next trap.
// Guest IDTs live here too: every vector of a guest IDT points at a switcher stub,
// so every trap of a guest comes home to the host (route mode, lab 1).
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "memlayout.h"
#include "trapframe.h"
#include "vmos/abi.h"
#include "vmos/switcher.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

extern char __switcher_start[], __switcher_end[], __switcher_lma[];
extern char sw_vector0[];
void sw_run(u32 cr3);             // vmos/switcher.S

u32 sw_host_esp;                  // the host's stack while a guest runs (switcher.S)
uint cr3_loads;                   // page-directory loads by world switches
static struct sw_data *data;      // host's writable view of the SW_DATA page
static pte_t *swpt;               // the one page table of the switcher region
static int nidt;

// Map one page of the switcher region (host's page table, shared by all).
static void
swmap(u32 va, u32 pa, int writable)
{
  host_map(va, pa, writable ? PTE_W : 0);
}

void
sw_init(void)
{
  u32 size = __switcher_end - __switcher_start;
  if (size > SW_TEXT_MAX)
    panic("sw_init: switcher text is %u bytes, more than %u", size, SW_TEXT_MAX);
  for (u32 off = 0; off < size; off += PGSIZE)
    swmap(SW_TEXT + off, (u32)__switcher_lma + off, 0);

  data = kalloc();
  void *vcpu = kalloc();
  if (!data || !vcpu)
    panic("sw_init: out of memory");
  swmap(SW_DATA, V2P(data), 0);
  swmap(SW_VCPU, V2P(vcpu), 1);
  data->host_cr3 = V2P(host_pgdir);

  u32 tpa, tsize;
  gdt_tables(&tpa, &tsize);
  for (u32 off = 0; off < tsize; off += PGSIZE)
    swmap(SW_TABLES + off, tpa + off, 0);
  gdt_move(SW_TABLES);             // from now on the CPU uses them through here
  tss_set_esp0(SW_STACKTOP);       // a guest's trap lands on the vCPU page

  swpt = P2V(PTE_ADDR(host_pgdir[PDX(SWITCHER_BASE)]));
}

// Give a guest address space the switcher region: the same page table as the
// host's. Its entries are supervisor-only, so the guest's processes see nothing,
// and read-only but for the vCPU page, so its kernel (ring 1) can change nothing
// that the host relies on.
void
sw_map(pde_t *pgdir)
{
  pgdir[PDX(SWITCHER_BASE)] = V2P(swpt) | PTE_P | PTE_W;
}

// A new guest IDT: every vector enters the host through the switcher with an
// interrupt gate of DPL 0 (no int instruction reaches it), but the hypercall
// gate, DPL 1. Returns its number, or -1.
int
sw_idt_alloc(void)
{
  if (nidt == SW_NIDT)
    return -1;
  void *page = kalloc();
  if (page == 0)
    return -1;
  int idt = nidt++;
  swmap(SW_IDTS + idt * PGSIZE, V2P(page), 0);
  for (int v = 0; v < 256; v++)
    sw_idt_set(idt, v, v == HCALL_VECTOR ? 1 : 0);
  return idt;
}

// Who may raise vector with an int instruction: a guest's system-call vector
// needs DPL 3. The gate still enters the host, which reflects it (route mode).
void
sw_idt_set(int idt, int vector, int dpl)
{
  struct gatedesc *g = P2V(PTE_ADDR(swpt[PTX(SW_IDTS + idt * PGSIZE)]));
  gate_set(&g[vector], (u32)sw_vector0 + 16 * vector, SEL_HCODE, dpl, 0);
}

// A guest's system-call vector taken by the CPU itself (TT_DIRECT): a trap gate
// of DPL 3 to the guest's handler in ring 1. The CPU switches to TSS.ss1:esp1
// (the guest's HC_STACK_SWITCH stack, set in sw_enter) and pushes the frame
// there; the host is not involved at all.
void
sw_idt_direct(int idt, int vector, u32 handler)
{
  struct gatedesc *g = P2V(PTE_ADDR(swpt[PTX(SW_IDTS + idt * PGSIZE)]));
  gate_set(&g[vector], handler, SEL_GKCODE, 3, 1);
}

// Run vm until it traps; its registers go in and come back through vm->tf.
void
sw_enter(struct vm *vm)
{
  struct trapframe *frame = (struct trapframe *)SW_FRAME;
  *frame = vm->tf;
  tss_set_stack1(vm->esp1, SEL_GKDATA);
  for (int i = 0; i < vm->nports; i++)    // pass mode: its ports, only while it runs
    iomap_allow(vm->ports[i]);
  lidt((void *)(SW_IDTS + vm->idt * PGSIZE), 256 * sizeof(struct gatedesc));
  sw_run(vm->cr3);
  cr3_loads += 2;
  idt_load();
  for (int i = 0; i < vm->nports; i++)
    iomap_deny(vm->ports[i]);
  vm->tf = *frame;
}
