// switcher.c: the C half of the world switch (the assembly half is
// vmos/switcher.S). sw_init builds the switcher region in the host's address
// space; sw_vm_init gives a VM its own copy of the region's page table, with its
// own vCPU page and IDT page; sw_enter runs a VM until its next trap.
// Every vector of a VM's IDT points at a switcher stub, so every trap of a guest
// comes home to the host (route mode, lab 1), but the direct system-call gates a
// guest asked for (TT_DIRECT), which go straight to its kernel.
//
// What a guest kernel (ring 1) can reach here, and why each is safe (the audit
// of issue 8): the switcher text, read-only, holds nothing secret; SW_DATA,
// read-only, holds the physical address of the host's page directory (the
// switcher must read it before host memory is mapped; a guest cannot use a
// physical address) and the IDT's linear address; the GDT and the one TSS,
// read-only (esp0 is the same in every VM, esp1 and the I/O bitmap are the
// running VM's own); its own IDT, read-only; its own vCPU page, writable,
// which the host reads only right after the CPU and the stubs wrote the frame
// there and writes only right before the iret that pops it: the guest never
// runs in between, so what it scribbles there is never trusted.
// A direct-paging VM (direct.c) has two read-only tables more in its copy of
// the region, in slots nothing else uses: M2P at M2P_BASE (the same pages in
// every such VM: machine frame -> guest-physical page and owner) and P2M at
// P2M_BASE (its own pmap's page tables). direct.c fills those slots of
// vm->swpt; sw_init checks the shared pages end below them.
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
struct dtdesc sw_host_idtr;       // the host's IDT, reloaded on the way back (switcher.S)
uint cr3_loads;                   // page-directory loads by world switches
static pte_t *swpt;               // the host's page table of the switcher region

// Map one page of the switcher region in the host's table (the shared pages).
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

  struct sw_data *data = kalloc();
  if (!data)
    panic("sw_init: out of memory");
  swmap(SW_DATA, V2P(data), 0);
  data->host_cr3 = V2P(host_pgdir);
  data->idt_limit = 256 * sizeof(struct gatedesc) - 1;
  data->idt_base = SW_IDT;
  idt_desc(&sw_host_idtr);

  u32 tpa, tsize;
  gdt_tables(&tpa, &tsize);
  if (SW_TABLES + tsize > M2P_BASE)
    panic("sw_init: the GDT and TSS (%u bytes) reach direct paging's M2P slots", tsize);
  for (u32 off = 0; off < tsize; off += PGSIZE)
    swmap(SW_TABLES + off, tpa + off, 0);
  gdt_move(SW_TABLES);             // from now on the CPU uses them through here
  tss_set_esp0(SW_STACKTOP);       // a guest's trap lands on its vCPU page

  swpt = P2V(PTE_ADDR(host_pgdir[PDX(SWITCHER_BASE)]));
}

// vm's own switcher region: a copy of the host's page table (the shared pages)
// plus its vCPU page (writable) and its IDT (read-only), entered into vm->pgdir.
// Every vector enters the host through an interrupt gate of DPL 0 (no int
// instruction reaches it), but the hypercall gate, DPL 1. 0, or -1 if out of
// memory (what was allocated stays in vm for sw_vm_free).
int
sw_vm_init(struct vm *vm)
{
  vm->swpt = kalloc();
  vm->vcpu = kalloc();
  vm->idt = kalloc();
  if (!vm->swpt || !vm->vcpu || !vm->idt)
    return -1;
  memmove(vm->swpt, swpt, PGSIZE);
  vm->swpt[PTX(SW_VCPU)] = V2P(vm->vcpu) | PTE_P | PTE_W;
  vm->swpt[PTX(SW_IDT)] = V2P(vm->idt) | PTE_P;
  for (int v = 0; v < 256; v++)
    sw_idt_set(vm, v, v == HCALL_VECTOR ? 1 : 0);
  vm->pgdir[PDX(SWITCHER_BASE)] = V2P(vm->swpt) | PTE_P | PTE_W;
  return 0;
}

// The pages sw_vm_init took (vm is not running).
void
sw_vm_free(struct vm *vm)
{
  void **pages[] = { (void **)&vm->swpt, (void **)&vm->vcpu, (void **)&vm->idt };
  for (uint i = 0; i < NELEM(pages); i++) {
    if (*pages[i])
      kfree(*pages[i]);
    *pages[i] = 0;
  }
}

// Who may raise vector with an int instruction: a guest's system-call vector
// needs DPL 3. The gate still enters the host, which reflects it (route mode).
void
sw_idt_set(struct vm *vm, int vector, int dpl)
{
  gate_set(&vm->idt[vector], (u32)sw_vector0 + 16 * vector, SEL_HCODE, dpl, 0);
}

// A vector the CPU takes straight to the guest's handler in ring 1 (vidt.c):
// a trap gate, of DPL 3 for a system call (TT_DIRECT) and of DPL 0 for a
// device interrupt (swap and defer modes). From ring 3 the CPU switches to
// TSS.ss1:esp1 (the guest's HC_STACK_SWITCH stack, set in sw_enter) and
// pushes the frame there; the host is not involved at all.
void
sw_idt_direct(struct vm *vm, int vector, u32 handler, int dpl)
{
  gate_set(&vm->idt[vector], handler, SEL_GKCODE, dpl, 1);
}

// Run vm until it traps; its registers go in and come back through vm->tf.
// The flags the guest runs with are its own but for what the host keeps:
// IF on (the host's timer must get in), IOPL 0 (the I/O bitmap decides), no
// virtual-8086 mode. The CPU alone sets vm->tf.eflags, but an iret from ring 0
// obeys every bit, so the host makes sure.
void
sw_enter(struct vm *vm)
{
  struct trapframe *frame = (struct trapframe *)((char *)vm->vcpu + (SW_FRAME - SW_VCPU));
  *frame = vm->tf;
  frame->eflags = (frame->eflags & ~(FL_IOPL | FL_VM)) | FL_IF | FL_RSVD;
  tss_set_stack1(vm->esp1, SEL_GKDATA);
  for (int i = 0; i < vm->nports; i++)    // pass mode: its ports, only while it runs
    iomap_allow(vm->ports[i]);
  fpu_enter(vm);
  sw_run(vm->cr3);
  cr3_loads += 2;
  for (int i = 0; i < vm->nports; i++)
    iomap_deny(vm->ports[i]);
  vm->tf = *frame;
}
