// main.c: xv6a's boot, an ordered list of init calls, on bare QEMU and under
// vmos alike (pv.h hides which): its own page tables, traps, the timer, the
// disk, then the first process, which starts the file system (proc.c).
#include "xv6a.h"
#include "pv.h"
#include "fs.h"

extern char end[];               // first address after the kernel (linker)
uint physmem;

void
main(uint magic, uint info)
{
  pv_init(magic, info);          // bare QEMU or vmos: segments, console, shared page
  physmem = PGROUNDDOWN(pv_memsize());
  if (physmem > MAXPHYS)         // xv6a.h: the most it maps
    physmem = MAXPHYS;
  cprintf("xv6a: booting on %s, %d MiB\n", pv_name, physmem >> 20);
  kinit(end, P2V(4 << 20));      // the pages the boot page table maps (4 MiB)
  kvmalloc();                    // its own page directory: all memory
  kinit(P2V(4 << 20), P2V(physmem));   // the rest
  trapinit();                    // traps and interrupts
  pv_timer_init(100);            // 100 ticks a second
  balloon_init();                // tell the host it may ask for memory back
  cprintf("xv6a: own page tables, %d pages free\n", kfreecount());
  binit();                       // buffer cache
  ideinit();                     // the disk and its interrupt
  consoleinit();                 // the console device
  userinit();                    // the first process: the file system, /init
  scheduler();                   // run processes; never returns
}
