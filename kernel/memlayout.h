// memlayout.h: the host's address map (design.md section 4).
// Used by C and assembly. The host runs in its own page directory:
//   0xC0000000 + pa   every machine page (the "direct map")
//   0xC0100000        the host kernel image (linked here, loaded at 1 MiB)
//   0xFFC00000-top    the switcher region, the same in the host and in every guest
#ifndef VMOS_MEMLAYOUT_H
#define VMOS_MEMLAYOUT_H

#define KERNBASE      0xC0000000   // direct map of machine memory starts here
#define KERNLINK      0xC0100000   // where the host kernel is linked
#define EXTMEM        0x00100000   // where the boot loader puts it (1 MiB)
#define SWITCHER_BASE 0xFFC00000   // top 4 MiB: the switcher region (vmos/abi.h publishes it)
// Machine memory the direct map can hold: everything below the switcher region.
#define MAXPHYS       (SWITCHER_BASE - KERNBASE)
// The host refuses to boot with less than this: its image, page tables, stacks and
// at least a few MiB to give to virtual machines.
#define MINMEM_MB     16

#ifndef __ASSEMBLER__
#define V2P(a) ((u32)(a) - KERNBASE)
#define P2V(a) ((void *)((u32)(a) + KERNBASE))
#endif
#define V2P_WO(x) ((x) - KERNBASE)  // for assembly: no casts

#endif
