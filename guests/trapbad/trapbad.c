// trapbad.c: hostile PC kernels for trap mode (grade/trapemu.py): each loads
// a descriptor table the host must refuse, and the host stops it with the
// reason while the VMs beside it go on. Variants (trapbad.mk):
//   trapbad-idt  an IDT whose page-fault gate points into the host's memory
//                (its kernel text at 0xC0100000): lidt is refused.
//   trapbad-tss  a TSS outside the VM's memory (ltr): the host would have no
//                ring-1 stack to deliver a process's trap on.
//   trapbad-sel  an IDT gate with the host's code selector, DPL 0.
// Before it, each does a little that is legal, so the stop is for the
// table and nothing else.
#include "vmos/abi.h"

typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned long long u64;

extern char handler[];

struct gate { ushort off_lo, sel; unsigned char zero, type; ushort off_hi; };
static struct gate idt[256];
static u64 gdt[GDT_NSEG];
static uint tss[26];
static struct { ushort lim; uint base; } __attribute__((packed)) dtr;

static void
gate(int v, uint h, ushort sel, int dpl)
{
  idt[v] = (struct gate){ h, sel, 0, 0x80 | dpl << 5 | 0xE, h >> 16 };
}

static u64
tssdesc(uint base)
{
  return (sizeof(tss) - 1) | (u64)(base & 0xFFFFFF) << 16 | 0x89ULL << 40 |
         (u64)(base >> 24) << 56;
}

void
main(uint magic, uint info)
{
  asm volatile("cli; sti");                    // legal: emulated
  for (int v = 0; v < 32; v++)
    gate(v, (uint)handler, SEL_GKCODE, 1);
#if defined(TRAPBAD_IDT)
  gate(14, 0xC0100000, SEL_GKCODE, 1);         // the host's kernel text
#elif defined(TRAPBAD_SEL)
  gate(13, (uint)handler, SEL_HCODE, 0);       // the host's code selector
#endif
  gdt[GDT_TSS] = tssdesc((uint)tss);
#if defined(TRAPBAD_TSS)
  gdt[GDT_TSS] = tssdesc(0x40000000);          // no memory of the VM there
#endif
  dtr.lim = sizeof(gdt) - 1;
  dtr.base = (uint)gdt;
  asm volatile("lgdt %0" : : "m"(dtr));
  asm volatile("ltr %0" : : "r"((ushort)SEL_TSS));
  dtr.lim = sizeof(idt) - 1;
  dtr.base = (uint)idt;
  asm volatile("lidt %0" : : "m"(dtr));
  for (;;)                                     // a legal kernel waits here
    asm volatile("sti; hlt");
}
