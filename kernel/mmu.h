// mmu.h: x86 descriptors, gates, page-table and flag bits used by the host.
#ifndef VMOS_MMU_H
#define VMOS_MMU_H

// EFLAGS
#define FL_RSVD   0x00000002   // always 1
#define FL_TF     0x00000100   // single-step trap after each instruction
#define FL_IF     0x00000200   // interrupts enabled
#define FL_DF     0x00000400   // string instructions go down: C code assumes it clear
#define FL_IOPL   0x00003000   // I/O privilege level (vmos keeps it 0)
#define FL_NT     0x00004000   // nested task: iret would be a task switch
#define FL_VM     0x00020000   // virtual-8086 mode
#define FL_AC     0x00040000   // alignment check (ring 3)

// CR0 / CR4
#define CR0_PE    0x00000001
#define CR0_MP    0x00000002   // wait/fwait honour TS too
#define CR0_EM    0x00000004   // no x87: every FPU instruction faults (#NM)
#define CR0_TS    0x00000008   // task switched: the next FPU instruction faults (#NM)
#define CR0_NE    0x00000020   // x87 errors as #MF, not through the PIC
#define CR0_WP    0x00010000   // supervisor writes honour read-only pages
#define CR0_PG    0x80000000
#define CR4_PSE   0x00000010

// Page directory / table entries
#define PTE_P     0x001   // present
#define PTE_W     0x002   // writable
#define PTE_U     0x004   // user (ring 3) may access; rings 0-2 are "supervisor"
#define PTE_PS    0x080   // 4 MiB page (in a PDE)
#define PTE_G     0x100   // global: kept across CR3 loads (with CR4.PGE)
#define PGSIZE    4096
#define PGSHIFT   12
#define PDXSHIFT  22
#define NPDENTRIES 1024
#define NPTENTRIES 1024
#define PDX(va)   (((u32)(va) >> PDXSHIFT) & 0x3FF)
#define PTX(va)   (((u32)(va) >> PGSHIFT) & 0x3FF)
#define PTE_ADDR(pte) ((u32)(pte) & ~0xFFF)
#define PGROUNDUP(a)   (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))

// Page-fault error code bits
#define PF_P      0x1   // 1: protection violation, 0: page not present
#define PF_W      0x2   // write access
#define PF_U      0x4   // from CPL 3

// Exceptions and interrupt vectors
#define T_DIVIDE  0
#define T_DEBUG   1
#define T_NMI     2
#define T_BRKPT   3
#define T_DEVICE  7      // device not available: an FPU instruction with CR0.TS set
#define T_DBLFLT  8
#define T_GPFLT   13
#define T_PGFLT   14
#define T_IRQ0    0x20   // the 8259s are remapped to 0x20-0x2F
#define IRQ_TIMER 0
#define IRQ_COM1  4
#define IRQ_IDE   14

#ifndef __ASSEMBLER__
#include "types.h"

// A segment descriptor (Intel SDM vol. 3, 3.4.5)
struct segdesc {
  u32 lim_15_0 : 16;
  u32 base_15_0 : 16;
  u32 base_23_16 : 8;
  u32 type : 4;      // STA_* or STS_*
  u32 s : 1;         // 1 = code/data, 0 = system
  u32 dpl : 2;
  u32 p : 1;
  u32 lim_19_16 : 4;
  u32 avl : 1;
  u32 rsv1 : 1;
  u32 db : 1;        // 1 = 32-bit
  u32 g : 1;         // limit in 4 KiB units
  u32 base_31_24 : 8;
};
#define STA_X 0x8   // executable
#define STA_W 0x2   // writable (data)
#define STA_R 0x2   // readable (code)
#define STA_A 0x1   // accessed: preset so the CPU never writes the GDT
#define STS_T32A 0x9  // available 32-bit TSS
#define STS_IG32 0xE  // interrupt gate: clears IF
#define STS_TG32 0xF  // trap gate: leaves IF alone

// A gate descriptor (interrupt or trap gate)
struct gatedesc {
  u32 off_15_0 : 16;
  u32 cs : 16;
  u32 args : 5;
  u32 rsv1 : 3;
  u32 type : 4;
  u32 s : 1;
  u32 dpl : 2;
  u32 p : 1;
  u32 off_31_16 : 16;
};

// The task state segment. vmos uses it only for the stacks the CPU switches to
// (esp0 on entry to ring 0, esp1 on entry to ring 1) and for the I/O permission
// bitmap. The bitmap covers all 65536 ports and ends with a 0xFF byte inside the
// TSS limit (the CPU reads two bitmap bytes at a time).
#define IOMAP_BYTES (65536 / 8)
struct taskstate {
  u32 link;
  u32 esp0;
  u16 ss0, pad0;
  u32 esp1;
  u16 ss1, pad1;
  u32 esp2;
  u16 ss2, pad2;
  u32 cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
  u16 es, pad3, cs, pad4, ss, pad5, ds, pad6, fs, pad7, gs, pad8, ldt, pad9;
  u16 trap;
  u16 iomb;          // offset of iomap from the start of the TSS
  u8 iomap[IOMAP_BYTES];
  u8 iomap_end;      // 0xFF
} __attribute__((packed));
#endif

#endif
