// emul.c: trap-and-emulate, VM/370 style (design.md section 8; issue 10).
// A guest kernel runs in ring 1 with IOPL 0, so each privileged instruction
// it runs raises #GP; sched.c hands every #GP to emulate(), which decodes the
// instruction from guest memory (decode.c), carries it out on the VM's
// virtual state and steps over it (eip += its length), counting each kind
// (vm->st.em, the monitor's `stats`). Every VM may have its disk's port I/O
// emulated (io.c); a trap-mode VM (vm->trapmode: a PC kernel, load.c) also
// has everything else a PC kernel does:
//   cli/sti   the virtual IF (vm->shared->vif, a page of the host's that the
//             guest cannot see). sti has the x86 sti shadow: no virtual
//             interrupt is delivered while eip is at the instruction after it
//             (irq.c), so `sti; iret` and `sti; hlt` are atomic as on a CPU;
//   hlt       blocks the VM until a virtual interrupt is pending (at once if
//             one is: with `sti; hlt` no wakeup is lost); with the virtual IF
//             off it stops the VM, which a PC would never wake;
//   mov crN   cr0 and cr4 as the guest believes them (it must keep paging on),
//             cr2 the address of its last page fault, cr3 its page directory
//             (what HC_SET_PGDIR does: shadow.c);
//   invlpg    shadow_invlpg, at the operand's effective address;
//   lidt, lgdt, ltr   its own tables, read from its memory (desc.c).
// The one ring check: only ring 1 gets anything emulated. The same
// instruction from ring 3 is a fault of the guest's process, reflected to its
// kernel as #GP (R_GP_RING3, sched.c), as a PC's CPU would raise it.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/vpc.h"
#include "vmos/emul/emul.h"

#define CR0_PE 0x00000001
#define CR0_ET 0x00000010
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000

// A trap-mode VM is entered as a PC kernel's loader leaves it, but paged:
// on the host's boot mapping (vmos/abi.h), so paging is on already.
static void
emul_reset(struct vm *vm)
{
  vm->gcr0 = CR0_PG | CR0_WP | CR0_ET | CR0_PE;
  vm->gcr4 = 0;
}

static void
movcr(struct vm *vm, struct insn *in)
{
  u32 *r = emul_reg(&vm->tf, in->reg);
  if (!in->tocr) {
    switch (in->cr) {
    case 0: *r = vm->gcr0; break;
    case 2: *r = vm->shared->cr2; break;    // sched.c keeps it there at each #PF
    case 3: *r = vm->gcr3 == GCR3_BOOT ? 0 : vm->gcr3; break;
    case 4: *r = vm->gcr4; break;
    }
    return;
  }
  u32 v = *r;
  switch (in->cr) {
  case 0:
    // The host runs a paged guest on shadows only: no real mode, no paging off.
    if ((v & (CR0_PG | CR0_PE)) != (CR0_PG | CR0_PE)) {
      vm_stop(vm, "mov to cr0 0x%x turns paging off (a trap-mode kernel stays paged)", v);
      return;
    }
    vm->gcr0 = v;
    break;
  case 2:
    vm->shared->cr2 = v;
    break;
  case 3:
    // Its page directory, guest-physical: checked as HC_SET_PGDIR checks it.
    if (PGROUNDDOWN(v) >= vm->mem_size) {
      vm_stop(vm, "mov to cr3: page directory 0x%x is outside its memory", v);
      return;
    }
    vm->gcr3 = PGROUNDDOWN(v);
    vm->st.pgdir_loads++;
    shadow_new_pgdir(vm);
    break;
  case 4:
    vm->gcr4 = v;                 // the shadow keeps global pages either way
    break;
  }
}

// x86 takes a waiting interrupt at the boundary before the next instruction
// once IF is on, one instruction after an sti. The host cannot stop the
// guest there, but it can at the next instruction that traps: if a virtual
// interrupt waits, with the virtual IF on and the sti shadow over, the
// trapped instruction (at eip) is left undone and the interrupt delivered
// (irq_deliver, sched.c's next turn), as if it had come just before; the
// handler's iret comes back to it and it traps again, and is carried out
// then (once per instruction: an interrupt the host cannot deliver does
// not hold the guest forever). So `sti; nop; cli` takes the interrupt before
// the cli, and `sti; cli` never does, as on a CPU. 1 if so.
static int
int_first(struct vm *vm, u32 eip)
{
  if (!vm->trapmode || vm->pending == 0 || !(vm->shared->vif & 1) || eip == vm->sti_eip ||
      eip == vm->intfirst_eip)
    return 0;
  vm->intfirst_eip = eip;
  vm->st.em[EM_INTFIRST]++;
  return 1;
}

// A #GP of vm. 1 if it was an instruction the host emulated (or one that
// stopped the VM), 0 if the fault is the guest's own to handle.
int
emulate(struct vm *vm)
{
  struct trapframe *tf = &vm->tf;
  struct insn in;
  // LAB 3: the ring check, the one place it is made. What must hold: an
  // instruction is emulated only when the trap came from the guest's kernel
  // (ring 1: the saved cs says which ring); from ring 3 nothing is, whatever
  // it is, and the #GP is the guest's own (return 0: sched.c reflects it to
  // the guest kernel as its process's fault, R_GP_RING3). VM/370 could not
  // tell the two apart; x86's rings can.
  /* LAB 3: BEGIN */
  if ((tf->cs & 3) != 1)
    return 0;
  /* LAB 3: END */
  if (decode(vm, &in) < 0)
    return 0;
  if (int_first(vm, tf->eip))
    return 1;                     // the interrupt first; the instruction after it
  vm->intfirst_eip = 0;
  if (in.kind == EM_IN || in.kind == EM_OUT || in.kind == EM_STRIO) {
    if (!io_emulate(vm, &in))
      return 0;
    vm->st.em[in.kind]++;
    return 1;
  }
  if (!vm->trapmode)
    return 0;                     // a paravirtual guest's cli is its own mistake
  if (in.kind == EM_MOVCR && in.cr != 0 && in.cr != 2 && in.cr != 3 && in.cr != 4)
    return 0;                     // no such register: the guest's fault
  vm->st.em[in.kind]++;
  u32 next = tf->eip + in.len;
  switch (in.kind) {
  // LAB 3: cli, sti and hlt on the virtual IF (vm->shared->vif). What must
  // hold: cli clears it; sti sets it and opens the sti shadow (vm->sti_eip =
  // the next instruction's address: irq.c delivers nothing there, so that
  // `sti; iret` and `sti; hlt` are atomic as on a CPU); hlt with the virtual
  // IF set blocks the VM (VM_BLOCKED) unless a virtual interrupt is pending
  // already (no wakeup lost: the host's interrupts are off here), and with
  // it clear stops the VM with a reason (a PC would never wake). Each
  // returns through the eip step below, except a stopped VM's.
  /* LAB 3: BEGIN */
  case EM_CLI:
    vm->shared->vif = 0;
    break;
  case EM_STI:
    vm->shared->vif = 1;
    vm->sti_eip = next;           // the sti shadow: irq_deliver waits an instruction
    break;
  case EM_HLT:
    // With the virtual IF off a CPU never wakes again (no NMI here): the VM
    // is over, and says so, rather than spinning on hlt or sleeping for good.
    if (!(vm->shared->vif & 1)) {
      vm_stop(vm, "hlt with the virtual IF clear: halted for good");
      return 1;
    }
    // As hv_idle: with real interrupts off here, no wakeup slips in between.
    if (vm->pending == 0)
      vm->state = VM_BLOCKED;
    break;
  /* LAB 3: END */
  case EM_MOVCR:
    movcr(vm, &in);
    break;
  case EM_INVLPG:
    shadow_invlpg(vm, in.ea);
    break;
  case EM_LIDT:
    desc_lidt(vm, in.ea, in.opsize16);
    break;
  case EM_LGDT:
    desc_lgdt(vm, in.ea, in.opsize16);
    break;
  case EM_LTR: {
    u16 sel;
    if (!in.mem)
      sel = *emul_reg(tf, in.reg);
    else if (vm_copyin(vm, &sel, in.ea, 2) < 0) {
      vm_stop(vm, "ltr: its operand at 0x%x is outside its memory", in.ea);
      return 1;
    }
    desc_ltr(vm, sel);
    break;
  }
  }
  tf->eip = next;
  return 1;
}

// A trap-mode VM's process made a system call (int n, reflected by sched.c)
// while a virtual interrupt waited with its virtual IF on: as above, the
// interrupt comes first. eip goes back onto the int, and the int traps again
// after the interrupt's handler returns to it. Without this a process making
// system call after system call would hold its kernel's interrupts off
// until a host tick happened to find it between two, since the kernel's own
// way back (`sti; iret`) leaves them for the next host entry. 1 if so, 0 if
// the int is to be reflected now.
int
emul_int_first(struct vm *vm)
{
  struct trapframe *tf = &vm->tf;
  u8 code[2];
  if (!vm->trapmode || (tf->cs & 3) != 3 || vm->pending == 0 || !(vm->shared->vif & 1))
    return 0;
  if (vm_copyin(vm, code, tf->eip - 2, 2) < 0 || code[0] != 0xCD || code[1] != tf->trapno)
    return 0;
  if (!int_first(vm, tf->eip - 2)) {
    vm->intfirst_eip = 0;
    return 0;
  }
  tf->eip -= 2;
  return 1;
}

// Make vm a trap-mode VM (load.c, for a PC kernel's image): the shared page
// the host keeps its virtual IF and pending bits in, outside guest memory
// (irq.c and reflect.c use it as for any VM; the guest never sees it), and a
// virtual PC. 0, or -1 if either could not be had.
int
emul_attach(struct vm *vm)
{
  vm->trapmode = 1;
  vm->own_shared = kalloc();
  if (vm->own_shared == 0)
    return -1;
  memset(vm->own_shared, 0, PGSIZE);
  vm->shared = vm->own_shared;
  emul_reset(vm);
  return vpc_attach(vm);
}
