// main.c: the host's C entry. kernel/entry.S calls main() on the boot stack with
// paging on (boot page directory) and interrupts off. main() is an ordered list of
// init calls: the host kernel (kernel/) first, then the VM monitor. The host keeps
// interrupts off whenever it runs; they are let in only while it waits and while
// a guest runs.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "memlayout.h"
#include "param.h"
#include "vmos/vmos.h"
#include "vmos/trace.h"

static char cmdline[CMDLINE_MAX];

void
main(u32 magic, u32 mbinfo)
{
  gdt_init();           // segments for rings 0, 1, 3 and the TSS
  idt_init();           // every trap enters trap() from here on
  pic_init();           // 8259s remapped to 0x20-0x2F, all lines masked
  console_init();       // serial line (with its interrupt) and VGA screen
  u32 cmdline_len;
  u32 memtop = mem_init(magic, P2V(mbinfo), cmdline, sizeof(cmdline), &cmdline_len);
  bootline_init(cmdline, cmdline_len);   // before anything prints options' effects
  if (memtop < MINMEM_MB * 1024 * 1024) {
    kprintf("vmos: this machine has %u KiB of memory; the host needs at least %u MiB.\n"
            "vmos: stopped. Give QEMU more memory (-m 128).\n", memtop / 1024, MINMEM_MB);
    halt_forever();
  }
  for (int i = 0; i < nbootmods; i++)   // keep guest images out of the free pool
    kalloc_reserve(bootmods[i].start, bootmods[i].end);
  kalloc_init(memtop);  // every other page above the kernel image is free
  paging_init(memtop);  // the host page directory; CR0.WP on
  pit_init(HZ);         // the host clock
  ide_init();           // the disks QEMU has (each VM's disk is one of them)

  kprintf("vmos: host kernel up: %u MiB machine memory, %u pages free, %d module(s)\n",
          memtop >> 20, kalloc_free_pages(), nbootmods);
  kprintf("vmos: boot line: %s\n", bootline_text()[0] ? bootline_text() : "(empty)");

  const char *st = bootline_get("selftest");
  if (st) {
    int failed = selftest_run(st);
    debug_exit(failed ? DEBUG_EXIT_FAIL : DEBUG_EXIT_PASS);
    kprintf("selftest: done; halted\n");
    halt_forever();
  }
  sw_init();            // the switcher region, in the host's address space
  fpu_init();           // x87 state per VM, switched lazily
  sched_init();         // quantum, stopafter
  vidt_init();          // fasttraps
  trace_init();         // trace, trace=N: the scheduling timeline (lab 2)
  pit_set_hook(sched_tick);   // each host tick: virtual timers, time slices
  vmos_boot();          // the VMs the boot line names
  focus = vm_byid(1);
  monitor_init(focus == 0);   // the monitor has the keyboard if no VM does
  sched_run();          // run the VMs; never returns
}
