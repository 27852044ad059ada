// sched.c: the host's scheduler and its run loop. VMs are scheduled like
// processes: round robin over the runnable ones, each for a time slice of
// `quantum` host ticks (boot line quantum=N). A VM that idles or blocks gives up
// the rest of its slice. sched_run is the host's main loop: pick a VM, enter it
// through the switcher, handle whatever brought the CPU back (handle_exit), and
// again. Lab 1 writes sched_pick and the slice accounting in sched_tick.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "memlayout.h"
#include "param.h"
#include "vectors.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/trace.h"

BOOTOPT(quantum, "quantum", "time slice of a VM in host ticks, 1 to 100000 (default 10)");
BOOTOPT(stopafter, "stopafter", "after N host ticks print the VM table and counters and power off");

struct vm *current;          // the VM whose time slice is running, 0 when idle
uint quantum = QUANTUM;
uint world_switches;         // changes of the VM on the CPU
uint idle_ticks;             // host ticks with no VM to run
static struct vm *last;      // the VM that ran last, to count world switches
static struct vm *prev;      // the VM entered last (0 after the host idled)
static struct vm *preferred; // an interrupt's owner, to run next (irq.c)
static struct vm *turn __attribute__((unused));   // whose round-robin turn it is (preferred VMs run
                             // out of turn and leave it where it was)
static uint stop_at;         // stopafter: the tick to stop at, 0 = never

// Run vm next: an interrupt for it has arrived (route mode).
void
sched_prefer(struct vm *vm)
{
  preferred = vm;
}

// Called on every host timer tick, with interrupts off, whatever was running.
void
sched_tick(void)
{
  irq_tick();
  idle_tick();                       // idle deadlines, after the timers (idle.c)
  if (current == 0) {
    idle_ticks++;
    return;
  }
  current->st.cpu_ticks++;
  // LAB 1: the running VM's time slice (vm->slice, host ticks left) must
  // count this tick, so that sched_pick can tell when the slice is used up.
  /* LAB 1: BEGIN */
  if (current->slice > 0)
    current->slice--;
  /* LAB 1: END */
}

// Which VM runs next: 0 if none can.
static struct vm*
sched_pick(void)
{
  // LAB 1: return the VM to run next, or 0 if none can run. What must hold:
  //  - only a VM that can run (VM_RUNNABLE) is ever returned;
  //  - an interrupt's owner (preferred, set by sched_prefer) runs next if it
  //    can, once, out of turn: afterwards the round robin goes on where it
  //    was (turn), or the VMs after the owner starve;
  //  - the VM whose turn it is keeps the CPU until its slice is used up
  //    (one that blocks, pauses or stops loses the rest of its turn);
  //  - then the next VM that can run, in the order of ids after it (and
  //    around), takes its turn, with a full slice of `quantum` ticks.
  /* LAB 1: BEGIN */
  struct vm *vm = preferred;
  preferred = 0;
  if (vm && vm->state == VM_RUNNABLE)
    return vm;                       // out of turn: the round robin is not moved
  if (turn && turn->state == VM_RUNNABLE && turn->slice > 0)
    return turn;
  int start = turn ? turn->id : 0;   // the index after the last turn's VM
  for (int k = 0; k < nvms; k++) {
    vm = &vms[(start + k) % nvms];
    if (vm->state == VM_RUNNABLE) {
      vm->slice = quantum;
      turn = vm;
      return vm;
    }
  }
  /* LAB 1: END */
  return 0;
}

// The guest trapped into the host: count why and handle it.
static void
handle_exit(struct vm *vm)
{
  struct trapframe *tf = &vm->tf;
  int trapno = tf->trapno, cause;
  u64 t0 = rdtsc();
  vm->st.exits++;
  if (trapno >= T_IRQ0 && trapno < T_IRQ0 + 16) {
    // A real interrupt: the host's own driver handles it (the timer ticks,
    // console input is routed to the VM with focus).
    cause = trapno == T_IRQ0 + IRQ_TIMER ? X_TIMER : X_IRQ;
    irq_handle(trapno - T_IRQ0);
  } else if (trapno == HCALL_VECTOR) {
    // Only ring 1 passes the DPL1 gate; ring 3 arrives as #GP 0x412 below.
    cause = X_HCALL;
    hcall(vm);
  } else if (trapno == T_PGFLT && vm->mmu == MMU_DIRECT) {
    // Direct paging: the CPU walked the guest's own tables; nothing to hide.
    cause = direct_fault(vm, rcr2(), tf->err);
  } else if (trapno == T_PGFLT && vm->paged) {
    // Shadow paging: most faults are the host's business, not the guest's.
    u32 addr = rcr2();
    int r = shadow_fault(vm, addr, &tf->err);
    cause = r > 0 ? X_HIDDEN : X_FAULT;
    if (r == 0) {
      if (vm->shared)
        vm->shared->cr2 = addr;
      reflect(vm, T_PGFLT, 1, tf->err, R_TRAP);
    }
  } else if (trapno == T_PGFLT && vm_flat_fault(vm, rcr2(), tf->err)) {
    // A flat guest's write to a page it shares with others: now its own copy.
    cause = X_HIDDEN;
  } else if (trapno == T_PGFLT) {
    u32 addr = rcr2();
    cause = X_FAULT;
    if (!vm_range_ok(vm, addr, 1) && !(tf->err & PF_U)) {
      // The guest kernel reached for memory that is not its own: the host's
      // boundary. A ring-3 context with a supervisor access: the CPU pushing
      // a trap frame on the way into the guest kernel (a direct gate, bad esp1).
      vm_stop(vm, "page fault at 0x%x %s (%s in ring %d%s)", addr,
              addr >= SWITCHER_BASE ? "in the switcher region" : "outside its memory",
              (tf->err & PF_W) ? "write" : "read", (tf->err & PF_U) ? 3 : 1,
              (tf->cs & 3) == 3 && !(tf->err & PF_U) ? ", entering its kernel" : "");
    } else {
      // Its own fault, or a process's touch outside the VM's memory (the host's
      // pages there are supervisor-only): on x86 its kernel gets the fault.
      if (vm->shared)
        vm->shared->cr2 = addr;
      reflect(vm, T_PGFLT, 1, tf->err, R_TRAP);
    }
  } else if (trapno == T_DEVICE && fpu_trap(vm)) {
    // The FPU held another VM's state; now it holds this one's (fpu.c).
    cause = X_FPU;
  } else if (trapno == T_GPFLT && emulate(vm)) {
    // Trap-and-emulate: the guest kernel's port I/O, done on its virtual
    // device, and a trap-mode kernel's every privileged instruction (emul/).
    cause = X_EMULATE;
  } else if (trapno < 32) {
    // A fault of the guest (in its kernel or one of its processes), e.g. a
    // process's privileged instruction: the guest kernel decides what to do.
    cause = X_FAULT;
    int reason = trapno == T_GPFLT && (tf->cs & 3) == 3 ? R_GP_RING3 : R_TRAP;
    reflect(vm, trapno, HAS_ERR(trapno), tf->err, reason);
  } else {
    // An int instruction through a gate the guest opened (its system calls).
    // A trap-mode guest's virtual interrupt that waits, with the virtual IF
    // on, comes first (emul_int_first), as the CPU takes one before an int.
    cause = X_SYSCALL;
    if (!emul_int_first(vm))
      reflect(vm, trapno, 0, 0, R_TRAP);
  }
  if (vm->state == VM_STOPPED)
    cause = X_FATAL;
  vm->st.exit_cause[cause]++;
  vm->st.exit_tsc[cause] += rdtsc() - t0;
}

static void
stop_now(void)
{
  kprintf("vmos: stopafter=%u reached\n", stop_at);
  for (int i = 0; i < nvms; i++)
    cons_flush(&vms[i]);
  stats_list();
  stats_print();
  trace_dump("stopafter");     // the timeline, if traced: to port 0xE9 (trace.c)
  debug_exit(DEBUG_EXIT_PASS);
  poweroff();
}

// The boot line's say in scheduling (main, before the VMs boot).
void
sched_init(void)
{
  quantum = bootline_uint_range("quantum", QUANTUM, 1, QUANTUM_MAX);
  stop_at = bootline_uint_range("stopafter", 0, 1, 0xFFFFFFFF);
}

void
sched_run(void)
{
  for (;;) {
    if (stop_at && ticks >= stop_at)
      stop_now();
    monitor_poll();
    struct vm *vm = sched_pick();
    current = vm;
    if (prev && prev != vm && prev->irq_mode != IRQ_ROUTE)
      irq_swallow_check(prev, 1);      // it leaves the CPU (handback.c)
    prev = vm;
    if (vm == 0) {
      // Nothing to run: wait for an interrupt. Interrupts are only let in
      // here (and while a guest runs), so no wakeup is lost between the pick
      // and the hlt (sti; hlt is atomic).
      trace(TR_IDLE, 0, 0);
      sti();
      hlt();
      cli();
      trace(TR_WAKE, 0, 0);
      continue;
    }
    if (vm != last) {
      world_switches++;
      vm->st.switches_in++;
      last = vm;
    }
    irq_deliver(vm);
    if (vm->state != VM_RUNNABLE)
      continue;
    if (vm->idt_dirty)
      vidt_build(vm);
    trace(TR_RUN, vm, vm->tf.eip);
    sw_enter(vm);
    trace(TR_EXIT, vm, vm->tf.trapno);
    handle_exit(vm);
  }
}
