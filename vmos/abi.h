// abi.h: the contract between the vmos host and its guests.
// The one header both sides include (host: vmos/ and kernel/gdt.c; guests: guests/*).
// Everything a guest may rely on is here: flat selectors, the reserved address range,
// the hypercall vector. Numbers in this file are frozen once a lab's grader uses them.
#ifndef VMOS_ABI_H
#define VMOS_ABI_H

// ---- Segments (DESIGN section 3) ----
// One GDT, owned by the host; guests never load their own. All code and data
// segments are flat (base 0, limit 4 GiB): isolation comes from paging.
// Slot order is fixed; a selector is slot*8 | requested privilege level.
#define GDT_HCODE   1   // host code,         DPL 0
#define GDT_HDATA   2   // host data,         DPL 0
#define GDT_GKCODE  3   // guest kernel code, DPL 1
#define GDT_GKDATA  4   // guest kernel data, DPL 1
#define GDT_UCODE   5   // guest user code,   DPL 3
#define GDT_UDATA   6   // guest user data,   DPL 3
#define GDT_TSS     7   // the one TSS (host only)
#define GDT_NSEG    8

#define SEL_HCODE   (GDT_HCODE << 3 | 0)
#define SEL_HDATA   (GDT_HDATA << 3 | 0)
#define SEL_GKCODE  (GDT_GKCODE << 3 | 1)   // 0x19: a guest kernel's CS
#define SEL_GKDATA  (GDT_GKDATA << 3 | 1)   // 0x21: a guest kernel's DS/ES/SS
#define SEL_UCODE   (GDT_UCODE << 3 | 3)    // 0x2B: a guest process's CS
#define SEL_UDATA   (GDT_UDATA << 3 | 3)    // 0x33: a guest process's DS/ES/SS
#define SEL_TSS     (GDT_TSS << 3 | 0)

// ---- Reserved address range (DESIGN section 4) ----
// The top 4 MiB of every address space belongs to the host's switcher.
// A guest may map nothing there; requests to do so are refused.
#define ABI_SWITCHER_BASE 0xFFC00000u

// ---- Hypercalls (DESIGN section 6) ----
// int $0x82 through a DPL1 gate: legal from a guest kernel (ring 1); from ring 3 the
// CPU raises #GP with error code (0x82 << 3 | 2) = 0x412.
#define HCALL_VECTOR 0x82

#endif
