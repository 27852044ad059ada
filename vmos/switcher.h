// switcher.h: the layout of the switcher region (DESIGN section 4 and 5), the top
// 4 MiB of every address space, host and guests alike. Included by C and by
// vmos/switcher.S. The host maps it once (sw_init) and shares the one page table
// with every guest address space (sw_map), so every page here is supervisor-only:
// ring 1 can read it, and only the vCPU page is writable.
#ifndef VMOS_SWITCHER_H
#define VMOS_SWITCHER_H
#include "memlayout.h"
#include "trapframe.h"

#define SW_TEXT     (SWITCHER_BASE + 0x00000)  // switcher code (up to 4 pages), read-only
#define SW_TEXT_MAX 0x4000
#define SW_DATA     (SWITCHER_BASE + 0x04000)  // what the switcher reads on the way back, read-only
#define SW_VCPU     (SWITCHER_BASE + 0x05000)  // the per-vCPU page: writable; TSS.esp0 = its top
#define SW_TABLES   (SWITCHER_BASE + 0x08000)  // GDT and TSS (kernel/gdt.c), read-only
#define SW_IDTS     (SWITCHER_BASE + 0x10000)  // guest IDTs, a page each, read-only
#define SW_NIDT     256                        // how many guest IDTs fit

// The guest's trap frame sits at the top of the vCPU page: the CPU pushes eip..ss
// there on entry to ring 0 (TSS.esp0), the stubs push the rest.
#define SW_STACKTOP (SW_VCPU + 0x1000)
#define SW_FRAME    (SW_STACKTOP - TF_SIZE)

// struct sw_data, as assembly sees it
#define SW_DATA_HOST_CR3 0

#ifndef __ASSEMBLER__
struct sw_data {
  u32 host_cr3;            // the host's page directory, to load on a guest's trap
};
_Static_assert(offsetof(struct sw_data, host_cr3) == SW_DATA_HOST_CR3, "sw_data");
#endif
#endif
