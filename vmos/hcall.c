// hcall.c: hypercalls, the guest kernel's way to ask the host for privileged
// work (design.md section 6; numbers and arguments in vmos/abi.h). The gate is DPL 1,
// so only a guest kernel gets here: the same `int $0x82` from one of its
// processes is a #GP, which sched.c reflects to the guest. Every pointer a guest
// passes is checked against its memory (vm_copyin/out); a bad call returns an
// error and is counted, never trusted.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "param.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"


static int
hv_console_write(struct vm *vm, struct trapframe *tf)
{
  // Console output costs the writer (vdev_console.c): the bytes are printed
  // now, in the writer's own host entry, and cons_take says how many it may
  // write: at most CONSOLE_WRITE_MAX a call (so no call holds the host past a
  // tick) and no more than its rate. The result says how many were taken.
  char buf[128];
  u32 gva = tf->ebx, n = tf->ecx < CONSOLE_WRITE_MAX ? tf->ecx : CONSOLE_WRITE_MAX;
  if (!vm_range_ok(vm, gva, n))      // checked before the rate: a bad pointer is
    return E_FAULT;                  // always refused, whatever is left of it
  n = cons_take(vm, n);
  for (u32 done = 0; done < n; ) {
    u32 chunk = n - done < sizeof(buf) ? n - done : sizeof(buf);
    vm_copyin(vm, buf, gva + done, chunk);
    cons_write(vm, buf, chunk);
    done += chunk;
  }
  return n;
}

static int
hv_console_read(struct vm *vm, struct trapframe *tf)
{
  char buf[CONS_IN];
  u32 n = tf->ecx < sizeof(buf) ? tf->ecx : sizeof(buf);
  if (!vm_range_ok(vm, tf->ebx, n))
    return E_FAULT;
  int got = cons_read(vm, buf, n);
  vm_copyout(vm, tf->ebx, buf, got);
  return got;
}

// A trap-table entry reaches the guest's IDT only if its handler lies in the
// guest's own memory: a hostile guest would otherwise point a gate at host code.
// The vector's gate follows from the entry (vidt.c). Also a trap-mode guest's
// lidt, gate by gate (emul/desc.c).
int
trap_set(struct vm *vm, u32 vector, u32 handler, u32 flags)
{
  if (vector > 255 || vector == HCALL_VECTOR ||
      (flags & ~(TT_DPL_MASK | TT_TRAPGATE | TT_CLEAR | TT_RING3 | TT_DIRECT)))
    return E_INVAL;
  // The host owns NMI and the double fault (design.md section 7). The timer's
  // vector (0x20) is also the guest's virtual timer: the entry names the
  // handler reflect() enters, while the IDT gate, as for every vector below
  // 48, stays a DPL 0 gate into the host.
  if (vector == 8 || vector == 2)
    return E_PERM;
  if (flags & TT_CLEAR) {
    vm->traps[vector].handler = 0;
    vidt_set(vm, vector);
    return 0;
  }
  // A device vector may become a gate straight into this handler (swap mode).
  if (!vm_range_ok(vm, handler, 1))
    return vector >= T_IRQ0 && vector < T_IRQ0 + 16 ? E_PERM : E_FAULT;
  int dpl = flags & TT_DPL_MASK;
  if (dpl != 0 && dpl != 1 && dpl != 3)
    return E_INVAL;
  // Exceptions and device vectors cannot be raised by int: their gates keep
  // DPL 0 whatever the guest asks, so no process can fake a fault or an IRQ.
  if (vector < 32 + 16 && vector != 3 && vector != 4)
    dpl = 0;
  // A direct gate only for a software vector from ring 3: the CPU checks the
  // gate's DPL, switches to the guest's ring-1 stack and pushes the frame with
  // ring-1 rights, so the guest gains nothing it did not have.
  if ((flags & TT_DIRECT) && (vector < 32 + 16 || dpl != 3))
    return E_INVAL;
  vm->traps[vector].handler = handler;
  vm->traps[vector].flags = (flags & ~TT_DPL_MASK) | dpl;
  vidt_set(vm, vector);
  return 0;
}

static int
hv_set_trap(struct vm *vm, struct trapframe *tf)
{
  return trap_set(vm, tf->ebx, tf->ecx, tf->edx);
}

// The ring-1 stack for traps from ring 3. Checked now against the current
// mappings; delivery checks again (or the CPU does, through the shadow).
static int
set_esp1(struct vm *vm, u32 esp)
{
  if (!vm_range_ok(vm, esp - 4, 4))
    return E_FAULT;
  vm->esp1 = esp;
  return 0;
}

static int
hv_stack_switch(struct vm *vm, struct trapframe *tf)
{
  return set_esp1(vm, tf->ebx);
}

static int
hv_set_timer(struct vm *vm, struct trapframe *tf)
{
  u32 ms = tf->ebx;
  if (ms > 100000)
    return E_INVAL;
  uint period = ms == 0 ? 0 : (ms * HZ + 999) / 1000;   // round up to a whole tick
  vm->timer_period = period;
  vm->timer_next = ticks + period;
  return 0;
}

static int
hv_irq_enable(struct vm *vm, struct trapframe *tf)
{
  if (vm->shared)
    vm->shared->vif = 1;
  return 0;                          // sched.c delivers what is pending on entry
}

static int
hv_yield(struct vm *vm, struct trapframe *tf)
{
  vm->slice = 0;
  return 0;
}

// Block until a virtual interrupt is pending or the deadline in ebx comes
// (idle.c: setting vif and checking pending are one step there, so no wakeup
// is lost).
static int
hv_idle(struct vm *vm, struct trapframe *tf)
{
  return vm_idle(vm, tf->ebx);
}

static int
hv_vm_info(struct vm *vm, struct trapframe *tf)
{
  struct vm_info info;
  memset(&info, 0, sizeof(info));
  info.id = vm->id;
  safestrcpy(info.name, vm->name, sizeof(info.name));
  info.mem_base = vm->mem_base;
  info.mem_size = vm->mem_size;
  info.host_ticks = ticks;
  info.host_hz = HZ;
  info.nvms = nvms;
  info.disk_mode = vm->disk.drive >= 0 ? vm->disk.mode : DISK_NONE;
  info.disk_sectors = vm->disk.drive >= 0 ? ide_size(vm->disk.drive) : 0;
  info.irq_mode = vm->irq_mode;
  info.irqs = vm->irqs;
  if (vm->disk.drive >= 0 && vm->disk.mode == DISK_PASS) {
    info.disk_port = vdisk_port(vm);
    info.disk_irq = vdisk_irqno(vm);
  }
  info.com2 = vserial_owned(vm);
  info.idle_spin = idle_spin;
  info.mmu = vm->mmu;
  if (vm_copyout(vm, tf->ebx, &info, sizeof(info)) < 0)
    return E_FAULT;
  return 0;
}

// The guest's reason reaches the console through vm_stop's %s, which prints a
// control character as '?' (kernel/kprintf.c): it cannot start a line of its
// own there ("\r\nvmos: stopped VM 1 ...") or send the terminal an escape.
static int
hv_exit(struct vm *vm, struct trapframe *tf)
{
  char why[80];
  why[0] = 0;
  if (tf->ecx) {                     // the guest's reason, if it reads well
    u32 n = 0;
    while (n < sizeof(why) - 1 && vm_copyin(vm, &why[n], tf->ecx + n, 1) == 0 && why[n])
      n++;
    why[n] = 0;
  }
  vm_stop(vm, "guest exit %d%s%s", tf->ebx, why[0] ? ": " : "", why);
  return 0;
}

static int
hv_set_shared(struct vm *vm, struct trapframe *tf)
{
  u32 gva = tf->ebx;
  if (gva & (PGSIZE - 1))
    return E_FAULT;
  vm->shared = vm_page(vm, gva, 1);
  if (vm->shared == 0)
    return E_FAULT;
  memset(vm->shared, 0, sizeof(*vm->shared));
  vm->shared->pending = vm->pending;
  vm->shared->balloon_target = vm->balloon_target;   // (balloon.c)
  return 0;
}

static int
hv_set_iret(struct vm *vm, struct trapframe *tf)
{
  if (tf->ecx < tf->ebx || !vm_range_ok(vm, tf->ebx, tf->ecx - tf->ebx))
    return E_FAULT;
  vm->iret_start = tf->ebx;
  vm->iret_end = tf->ecx;
  return 0;
}

static int
hv_null(struct vm *vm, struct trapframe *tf)
{
  return 0;
}

// For benchmarks: the counters at a point the guest names, so that the cost of
// the code between two marks can be read off in host events. The label is one
// word of letters, digits and "-_.", at most MARK_LABEL_MAX of them: anything
// else becomes '?', so a guest can neither start a host line of its own nor add
// counters to this one (bench.py reads `vmos: mark N LABEL: counters`). Two
// ways in: HC_MARK (below) and, for a PC kernel that has no hypercalls, a line
// `mark LABEL` on its debug console, port 0xE9 (vmos/vpc/vpc.c). The emulated
// instructions by kind come last, so parsers of the older line still work.
void
vm_mark(struct vm *vm, const char *label, int n)
{
  char l[MARK_LABEL_MAX + 1];
  int i;
  for (i = 0; i < n && i < MARK_LABEL_MAX && label[i]; i++) {
    char c = label[i];
    l[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' ? c : '?';
  }
  l[i] = 0;
  struct vmstats *s = &vm->st;
  kprintf("vmos: mark %d %s: exits %u hcalls %u syscalls %u faults %u hidden %u virqs %u "
          "switches %u cr3 %u ticks %u pgdirs %u reflected %u emulated %u disk_cmds %u "
          "ide_polls %u irqs %u eois %u devvirqs %u devwait %u blk_notifies %u blk_requests %u "
          "blk_sectors %u blk_batches %u blk_refused %u bad_hcalls %u", vm->id, l,
          s->exits, s->hcalls, s->exit_cause[X_SYSCALL], s->exit_cause[X_FAULT],
          s->hidden_faults, s->virqs, world_switches, cr3_loads, ticks, s->pgdir_loads,
          s->reflected, s->emulated, s->disk_cmds, ide_polls, s->exit_cause[X_IRQ], s->eois,
          s->dev_virqs, s->dev_wait_ticks, s->blk_notifies, s->blk_requests, s->blk_sectors,
          s->blk_batches, s->blk_refused, s->bad_hcalls);
  // Only for a VM that has had an instruction emulated (trap mode, a trap-mode
  // disk): a line that ends at bad_hcalls is what the other guests always got.
  int any = vm->trapmode;
  for (int k = 0; k < NEMUL; k++)
    any |= s->em[k] != 0;
  if (any)
    kprintf(" em_cli %u em_sti %u em_hlt %u em_movcr %u em_invlpg %u em_lidt %u em_lgdt %u "
            "em_ltr %u em_in %u em_out %u em_strio %u em_unclaimed %u em_intfirst %u "
            "emulate_exits %u", s->em[EM_CLI], s->em[EM_STI], s->em[EM_HLT], s->em[EM_MOVCR],
            s->em[EM_INVLPG], s->em[EM_LIDT], s->em[EM_LGDT], s->em[EM_LTR], s->em[EM_IN],
            s->em[EM_OUT], s->em[EM_STRIO], s->em[EM_UNCLAIMED], s->em[EM_INTFIRST],
            s->exit_cause[X_EMULATE]);
  if (vm->mmu == MMU_DIRECT)         // (likewise only for direct paging, direct.c)
    kprintf(" mmu_batches %u mmu_pairs %u mmu_refused %u mmu_pins %u mmu_unpins %u",
            s->mmu_batches, s->mmu_pairs, s->mmu_refused, s->mmu_pins, s->mmu_unpins);
  if (vm->paged)                     // the shadow cache (shadow.c)
    kprintf(" sh_hits %u sh_misses %u sh_evictions %u sh_protects %u sh_wp_faults %u "
            "sh_dropped %u", s->sh_hits, s->sh_misses, s->sh_evictions, s->sh_protects,
            s->sh_wp_faults, s->sh_dropped);
  kprintf("\n");
}

static int
hv_mark(struct vm *vm, struct trapframe *tf)
{
  char label[MARK_LABEL_MAX];
  u32 n = 0;
  if (vm_copyin(vm, label, tf->ebx, 1) < 0)
    return E_FAULT;                  // (a label that ends early is cut short)
  while (n < sizeof(label) && vm_copyin(vm, &label[n], tf->ebx + n, 1) == 0 && label[n])
    n++;
  vm_mark(vm, label, n);
  return 0;
}

// The paged guest's CR3 load: its next accesses go through the new tables.
static int
hv_set_pgdir(struct vm *vm, struct trapframe *tf)
{
  if (vm->mmu == MMU_DIRECT)
    return direct_set_pgdir(vm, tf->ebx, tf->ecx);   // a pinned directory (direct.c)
  if (!vm->paged)
    return E_INVAL;
  if ((tf->ebx & (PGSIZE - 1)) || tf->ebx >= vm->mem_size)
    return E_FAULT;
  if (tf->ecx && set_esp1(vm, tf->ecx) < 0)
    return E_FAULT;
  vm->gcr3 = tf->ebx;
  vm->st.pgdir_loads++;
  shadow_new_pgdir(vm);
  return 0;
}

static int
hv_flush_tlb(struct vm *vm, struct trapframe *tf)
{
  if (vm->mmu == MMU_DIRECT)
    return direct_flush(vm);
  if (!vm->paged)
    return E_INVAL;
  shadow_flush(vm);
  return 0;
}

static int
hv_invlpg(struct vm *vm, struct trapframe *tf)
{
  if (vm->mmu == MMU_DIRECT)
    return direct_flush(vm);
  if (!vm->paged)
    return E_INVAL;
  shadow_invlpg(vm, tf->ebx);
  return 0;
}

static int
hv_block_io(struct vm *vm, struct trapframe *tf)
{
  return vdisk_block(vm, tf->ebx, tf->ecx, tf->edx, tf->esi != 0);
}

// Lab 2: a real device interrupt that came straight to this guest, handed
// back; the end of one of its own (handback.c checks and acts).
static int
hv_invoke_vmos(struct vm *vm, struct trapframe *tf)
{
  return irq_invoke(vm, tf->ebx);
}

static int
hv_eoi(struct vm *vm, struct trapframe *tf)
{
  return irq_eoi(vm, tf->ebx);
}

// Lab 3: the pv disk's request ring (vdev_blkring.c checks and acts).
static int
hv_blk_setup(struct vm *vm, struct trapframe *tf)
{
  return blkring_setup(vm, tf->ebx);
}

static int
hv_blk_notify(struct vm *vm, struct trapframe *tf)
{
  return blkring_notify(vm);
}

// Lab 4: direct paging's table updates and pins (direct.c checks and acts).
static int
hv_mmu_update(struct vm *vm, struct trapframe *tf)
{
  return direct_update(vm, tf);
}

static int
hv_mmu_pin(struct vm *vm, struct trapframe *tf)
{
  return direct_pin(vm, tf->ebx, tf->ecx);
}

// Lab 4: ballooning (balloon.c checks and acts).
static int
hv_balloon_call(struct vm *vm, struct trapframe *tf)
{
  return hv_balloon(vm, tf->ebx, tf->ecx, tf->edx);
}

static int (*const hcalls[])(struct vm *, struct trapframe *) = {
  [HC_CONSOLE_WRITE] hv_console_write,
  [HC_SET_TRAP] hv_set_trap,
  [HC_STACK_SWITCH] hv_stack_switch,
  [HC_SET_TIMER] hv_set_timer,
  [HC_IRQ_ENABLE] hv_irq_enable,
  [HC_YIELD] hv_yield,
  [HC_IDLE] hv_idle,
  [HC_VM_INFO] hv_vm_info,
  [HC_EXIT] hv_exit,
  [HC_SET_SHARED] hv_set_shared,
  [HC_CONSOLE_READ] hv_console_read,
  [HC_SET_IRET] hv_set_iret,
  [HC_NULL] hv_null,
  [HC_MARK] hv_mark,
  [HC_SET_PGDIR] hv_set_pgdir,
  [HC_FLUSH_TLB] hv_flush_tlb,
  [HC_INVLPG] hv_invlpg,
  [HC_BLOCK_IO] hv_block_io,
  [HC_INVOKE_VMOS] hv_invoke_vmos,
  [HC_EOI] hv_eoi,
  [HC_BLK_SETUP] hv_blk_setup,
  [HC_BLK_NOTIFY] hv_blk_notify,
  [HC_MMU_UPDATE] hv_mmu_update,
  [HC_MMU_PIN] hv_mmu_pin,
  [HC_BALLOON] hv_balloon_call,
};

// A hypercall from vm's kernel: number in eax, result back in eax.
void
hcall(struct vm *vm)
{
  struct trapframe *tf = &vm->tf;
  u32 nr = tf->eax;
  int r;
  vm->st.hcalls++;
  if (vm->trapmode)
    r = E_PERM;                      // a PC kernel (trap mode): it has none (emul/emul.c)
  else if (nr >= NELEM(hcalls) || hcalls[nr] == 0)
    r = E_NOSYS;
  else
    r = hcalls[nr](vm, tf);
  if (r < 0)
    vm->st.bad_hcalls++;
  tf->eax = r;
}
