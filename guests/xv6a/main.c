// main.c: xv6a's boot, an ordered list of init calls. For now (the first stage
// of issue 4) xv6a boots to its own page tables, traps and timer on bare QEMU
// and under vmos from one source, and shows it by counting ticks; processes,
// the file system and the shell come next.
#include "xv6a.h"
#include "pv.h"

extern char end[];               // first address after the kernel (linker)
uint physmem;

void
main(uint magic, uint info)
{
  pv_init(magic, info);          // bare QEMU or vmos: segments, console, shared page
  physmem = pv_memsize();
  if (physmem > MAXPHYS)
    physmem = MAXPHYS;
  cprintf("xv6a: booting on %s, %d MiB\n", pv_name, physmem >> 20);
  kinit(end, P2V(4 << 20));      // the pages the boot page table maps (4 MiB)
  kvmalloc();                    // its own page directory: all memory
  kinit(P2V(4 << 20), P2V(physmem));   // the rest
  trapinit();                    // traps and interrupts
  pv_timer_init(100);            // 100 ticks a second
  cprintf("xv6a: own page tables, %d pages free\n", kfreecount());
  pv_sti();
  uint last = 0;
  while (ticks < 100) {
    if (ticks / 25 != last) {
      last = ticks / 25;
      cprintf("xv6a: tick %d\n", ticks);
    }
    pv_idle();                   // wait for the next interrupt
  }
  pv_cli();
  cprintf("xv6a: 100 ticks on %s; processes and the file system are next\n", pv_name);
  pv_exit(0, "xv6a stage 1 done");
}
