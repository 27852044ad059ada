// switcher.h: the layout of the switcher region (design.md section 4 and 5), the top
// 4 MiB of every address space, host and guests alike. Included by C and by
// vmos/switcher.S. Each address space has a page table of its own for the
// region (the host's: sw_init; each VM's: sw_vm_init): the pages every world
// needs at the same address (switcher text, SW_DATA, the GDT and TSS) are the
// same machine pages in all of them, while a VM's vCPU page and IDT page are its
// own and appear in its table only. So a guest kernel (ring 1) sees, besides the
// shared read-only pages, its own frame and its own IDT, never another VM's.
// Every page here is supervisor-only: a guest's processes see nothing at all.
#ifndef VMOS_SWITCHER_H
#define VMOS_SWITCHER_H
#include "memlayout.h"
#include "trapframe.h"

#define SW_TEXT     (SWITCHER_BASE + 0x00000)  // switcher code (up to 4 pages), read-only
#define SW_TEXT_MAX 0x4000
#define SW_DATA     (SWITCHER_BASE + 0x04000)  // what the switcher reads on both sides, read-only
#define SW_VCPU     (SWITCHER_BASE + 0x05000)  // the VM's own vCPU page: writable; TSS.esp0 = its top
#define SW_IDT      (SWITCHER_BASE + 0x06000)  // the VM's own IDT, read-only
#define SW_TABLES   (SWITCHER_BASE + 0x08000)  // GDT and TSS (kernel/gdt.c), read-only

// The guest's trap frame sits at the top of the vCPU page: the CPU pushes eip..ss
// there on entry to ring 0 (TSS.esp0), the stubs push the rest.
#define SW_STACKTOP (SW_VCPU + 0x1000)
#define SW_FRAME    (SW_STACKTOP - TF_SIZE)

// struct sw_data, as assembly sees it
#define SW_DATA_HOST_CR3   0
#define SW_DATA_GUEST_IDTR 6      // lidt's operand: limit (u16), then base

#ifndef __ASSEMBLER__
struct sw_data {
  u32 host_cr3;            // the host's page directory, to load on a guest's trap
  u16 pad;
  u16 idt_limit;           // lidt's operand for SW_IDT: the same in every guest
  u32 idt_base;
};
_Static_assert(offsetof(struct sw_data, host_cr3) == SW_DATA_HOST_CR3, "sw_data");
_Static_assert(offsetof(struct sw_data, idt_limit) == SW_DATA_GUEST_IDTR, "sw_data");
#endif
#endif
