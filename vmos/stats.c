// stats.c: the counters, printed. Each event is counted where it happens
// (sched.c, hcall.c, irq.c, reflect.c, switcher.c, emul/) in the VM's struct vmstats
// or in a host-wide counter; this file only reads them, for the monitor's
// `list` and `stats` and for `make bench`.
#include "types.h"
#include "defs.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/vpc.h"

static const char *causes[NEXITCAUSE] = {
  [X_TIMER] "timer", [X_IRQ] "irq", [X_HCALL] "hcall", [X_SYSCALL] "syscall",
  [X_FAULT] "fault", [X_FATAL] "fatal", [X_HIDDEN] "hidden", [X_FPU] "fpu",
  [X_EMULATE] "emulate",
};

// a / b for a 64-bit a, with divl (there is no libgcc for a 64-bit division).
static u32
div64(u64 a, u32 b)
{
  u32 hi = a >> 32, lo = a, q, r;
  if (hi >= b)
    return 0xFFFFFFFF;               // does not fit: say so loudly
  asm("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(b));
  return q;
}

// One line per VM, of VMs lo..hi (ids; the monitor's `list N-M`, as 1,024 VMs
// would fill screens); CPU share is of all ticks since boot that went to VMs
// or idle.
void
stats_list_range(int lo, int hi)
{
  uint total = idle_ticks;
  for (int i = 0; i < nvms; i++)
    total += vms[i].st.cpu_ticks;
  kprintf("    id name            state      cpu%%   ticks    exits switches\n");
  for (int i = lo - 1; i < hi && i < nvms; i++) {
    struct vm *vm = &vms[i];
    char tag[VMNAME + 8];
    ksnprintf(tag, sizeof(tag), "%s.%d", vm->name, vm->id);
    uint share = total ? vm->st.cpu_ticks * 1000 / total : 0;   // tenths of a percent
    kprintf("  %4d %-15s %-9s %3u.%u %7u %8u %8u\n", vm->id, tag, vm_state_name(vm->state),
            share / 10, share % 10, vm->st.cpu_ticks, vm->st.exits, vm->st.switches_in);
  }
  kprintf("  idle ticks %u, world switches %u, quantum %u\n", idle_ticks, world_switches, quantum);
}

void
stats_list(void)
{
  stats_list_range(1, nvms);
}

// The host's counters, and each VM's of VMs lo..hi (the monitor's `stats N-M`).
void
stats_print_range(int lo, int hi)
{
  kprintf("host: ticks %u, world switches %u, cr3 loads %u, idle ticks %u, "
          "disk status polls %u\n", ticks, world_switches, cr3_loads, idle_ticks, ide_polls);
  kprintf("host: round robin: %u turns, %u VMs looked at for them (%u.%02u a turn), "
          "%d VMs\n", sched_turns, sched_looked, sched_turns ? sched_looked / sched_turns : 0,
          sched_turns ? sched_looked % sched_turns * 100 / sched_turns : 0, nvms);
  if (idle_spin)
    kprintf("host: idle=spin: guests are asked to spin when idle\n");
  for (int i = lo - 1; i < hi && i < nvms; i++) {
    struct vm *vm = &vms[i];
    struct vmstats *s = &vm->st;
    kprintf("VM %d (%s.%d): exits %u:", vm->id, vm->name, vm->id, s->exits);
    for (int c = 0; c < NEXITCAUSE; c++)
      kprintf(" %s %u", causes[c], s->exit_cause[c]);
    kprintf("; hcalls %u (bad %u), virqs %u, reflected %u; at eip 0x%x cs 0x%x\n", s->hcalls,
            s->bad_hcalls, s->virqs, s->reflected, vm->tf.eip, vm->tf.cs);
    kprintf("  host cost per exit (rdtsc in handle_exit; instructions under icount):");
    for (int c = 0; c < NEXITCAUSE; c++)
      if (s->exit_cause[c])
        kprintf(" %s %u", causes[c], div64(s->exit_tsc[c], s->exit_cause[c]));
    kprintf("\n");
    if (s->idles)
      kprintf("  idle: entries %u (%u with a deadline), blocked %u, deadline past %u, "
              "deadline wakeups %u\n", s->idles, s->idle_timed, s->idle_blocks, s->idle_past,
              s->idle_deadline_wakeups);
    if (vm->disk.drive >= 0)
      kprintf("  disk hd%d: %u commands, %u I/O instructions emulated, %u data overruns "
              "refused\n", vm->disk.drive, s->disk_cmds, s->emulated, s->disk_overruns);
    if (vm->trapmode || s->emulated) {
      static const char *kinds[NEMUL] = {
        [EM_CLI] "cli", [EM_STI] "sti", [EM_HLT] "hlt", [EM_MOVCR] "movcr",
        [EM_INVLPG] "invlpg", [EM_LIDT] "lidt", [EM_LGDT] "lgdt", [EM_LTR] "ltr",
        [EM_IN] "in", [EM_OUT] "out", [EM_STRIO] "strio", [EM_UNCLAIMED] "unclaimed",
        [EM_INTFIRST] "intfirst",
      };
      kprintf("  emulated%s:", vm->trapmode ? " (trap mode)" : "");
      for (int k = 0; k < NEMUL; k++)
        kprintf(" %s %u", kinds[k], s->em[k]);
      kprintf("\n");
    }
    if (vm->disk.ring)
      kprintf("  disk ring: notifies %u, requests %u, sectors %u, batches %u, refused "
              "requests %u, lying notifies %u\n", s->blk_notifies, s->blk_requests,
              s->blk_sectors, s->blk_batches, s->blk_refused, s->blk_lies);
    if (vm->irq_mode != IRQ_ROUTE || vm->irqs) {
      static const char *mode[] = { "route", "swap", "defer" };
      kprintf("  interrupts: %s mode, own IRQs 0x%x, direct IRQs 0x%x; handed back",
              mode[vm->irq_mode], vm->irqs, vm->direct);
      for (int n = 0; n < 16; n++)
        if (s->invokes[n])
          kprintf(" %d:%u", n, s->invokes[n]);
      kprintf(" (bad %u); EOIs %u, swallowed %u, IDT builds %u\n", s->bad_invokes, s->eois,
              s->swallowed, s->idt_builds);
      if (s->dev_virqs)
        kprintf("  device interrupts delivered as virtual ones: %u, waiting %u host ticks and "
                "%u cycles each on average\n", s->dev_virqs, s->dev_wait_ticks / s->dev_virqs,
                div64(s->dev_wait_tsc, s->dev_virqs));
    }
    if (vm->pc)
      vpc_stats(vm);
    if (vm->paged) {
      uint per = s->pgdir_loads ? s->hidden_faults * 10 / s->pgdir_loads : 0;   // tenths
      kprintf("  shadow: hidden faults %u, pgdir loads %u, flushes %u, refused ptes %u; "
              "%u.%u hidden faults per pgdir load\n", s->hidden_faults, s->pgdir_loads,
              s->shadow_flushes, s->refused_ptes, per / 10, per % 10);
      kprintf("  shadow cache: hits %u, misses %u, evictions %u; guest tables protected %u, "
              "write-protect faults %u, entries dropped %u\n", s->sh_hits, s->sh_misses,
              s->sh_evictions, s->sh_protects, s->sh_wp_faults, s->sh_dropped);
    }
    if (vm->balloon_target || s->balloon_given || s->balloon_refused)   // (balloon.c)
      kprintf("  balloon: target %u KiB, holds %u KiB (%u pages given back); pages given %u, "
              "taken %u, short %u; refused calls %u; machine pages freed %u\n", vm->balloon_target / 1024,
              (vm->mem_size / 4096 - vm->balloon_pages) * 4, vm->balloon_pages,
              s->balloon_given, s->balloon_taken, s->balloon_short, s->balloon_refused,
              s->balloon_freed);
    kprintf("  sharing: pages shared %u, copies on write %u (of the zero page %u), "
            "writes that took the page %u, merged by scans %u\n", s->sh_pages, s->sh_copies,
            s->sh_zero_copies, s->sh_owned, s->sh_merged);
    if (vm->state == VM_STOPPED)
      kprintf("  stopped: %s\n", vm->why);
  }
}

void
stats_print(void)
{
  stats_print_range(1, nvms);
}
