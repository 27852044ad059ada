// fpu.c: the x87 state of each VM, switched lazily (issue 8). The FPU's
// registers are one more piece of CPU state the host must not let one VM see
// or change for another: a value VM A leaves in st0 would otherwise be VM B's
// to read, and B's arithmetic would overwrite A's.
//
// Lazily, with CR0.TS, as xv6's successors and Xen do: the registers hold the
// state of one VM, fpu_owner. When another VM is entered the host sets TS, so
// that VM's first FPU instruction raises #NM (vector 7, host-owned); fpu_trap
// then saves the owner's state in the owner, loads the new VM's (or a fresh
// one, the first time), clears TS and lets the instruction run again. A VM that
// never touches the FPU (mini, xv6a) costs one CR0 write per world switch and
// no trap at all; the exit cause `fpu` in `stats` counts the traps.
//
// The host itself never uses the FPU (its C is built without x87 or SSE
// code), and CR4.OSFXSR stays clear, so SSE instructions fault (#UD) in every
// guest: the x87/MMX state FNSAVE stores is the whole of it. Called by
// sw_enter (switcher.c) and handle_exit (sched.c).
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

static struct vm *fpu_owner;     // whose state the FPU registers hold, 0: nobody's
static int ts_set;               // CR0.TS, as the host last wrote it

void
fpu_init(void)
{
  lcr0((rcr0() & ~CR0_EM) | CR0_MP | CR0_NE | CR0_TS);
  ts_set = 1;
}

// vm is about to run: it may use the FPU directly only if the registers are its.
void
fpu_enter(struct vm *vm)
{
  int want = vm != fpu_owner;
  if (want != ts_set) {
    lcr0(want ? rcr0() | CR0_TS : rcr0() & ~CR0_TS);
    ts_set = want;
  }
}

// vm raised #NM. Returns 1 if it was the host's TS (the state is now vm's and
// the instruction will run again), 0 if the fault is the guest's own.
int
fpu_trap(struct vm *vm)
{
  if (!ts_set || vm == fpu_owner)
    return 0;                    // the host did not ask for this one
  clts();
  if (fpu_owner)
    fnsave(fpu_owner->fpu);      // fnsave also leaves the registers initialised
  if (vm->fpu_used)
    frstor(vm->fpu);
  else
    fninit();                    // a VM's first use: the state after reset
  vm->fpu_used = 1;
  fpu_owner = vm;
  ts_set = 0;
  return 1;
}

// vm is gone: its state in the registers must not reach the next VM. The next
// owner loads its own (or fninit), so only the pointer is forgotten.
void
fpu_forget(struct vm *vm)
{
  if (fpu_owner == vm)
    fpu_owner = 0;
}
