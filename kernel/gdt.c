// gdt.c: the one GDT and the one TSS (design.md section 3).
// The GDT holds flat code and data segments for ring 0 (host), ring 1 (guest
// kernels) and ring 3 (guest processes), and the TSS. The TSS gives the stacks the
// CPU switches to on entering ring 0 (esp0) and ring 1 (esp1), and the I/O
// permission bitmap that decides which ports ring 1 and ring 3 may touch.
// The slot numbers are part of the guest ABI (vmos/abi.h).
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "memlayout.h"
#include "vmos/abi.h"

// The GDT and the TSS share pages of their own, so that vmos can map exactly
// these pages (read-only) into every guest address space: the CPU reads the GDT
// and the TSS on every trap and every iret, whatever address space is loaded.
static struct cputables {
  struct segdesc gdt[GDT_NSEG];
  struct taskstate tss;
} cpu __attribute__((aligned(PGSIZE)));

// A flat 4 GiB segment. The accessed bit is preset so the CPU never needs to
// write the GDT (later it is mapped read-only into guest address spaces).
static struct segdesc
flatseg(int type, int dpl)
{
  struct segdesc d = {
    .lim_15_0 = 0xFFFF, .base_15_0 = 0, .base_23_16 = 0,
    .type = type | STA_A, .s = 1, .dpl = dpl, .p = 1,
    .lim_19_16 = 0xF, .avl = 0, .rsv1 = 0, .db = 1, .g = 1, .base_31_24 = 0,
  };
  return d;
}

static struct segdesc
tssseg(u32 base, u32 limit)
{
  struct segdesc d = {
    .lim_15_0 = limit & 0xFFFF, .base_15_0 = base & 0xFFFF,
    .base_23_16 = (base >> 16) & 0xFF, .type = STS_T32A, .s = 0, .dpl = 0,
    .p = 1, .lim_19_16 = (limit >> 16) & 0xF, .avl = 0, .rsv1 = 0, .db = 0,
    .g = 0, .base_31_24 = base >> 24,
  };
  return d;
}

void
gdt_init(void)
{
  cpu.gdt[GDT_HCODE] = flatseg(STA_X | STA_R, 0);
  cpu.gdt[GDT_HDATA] = flatseg(STA_W, 0);
  cpu.gdt[GDT_GKCODE] = flatseg(STA_X | STA_R, 1);
  cpu.gdt[GDT_GKDATA] = flatseg(STA_W, 1);
  cpu.gdt[GDT_UCODE] = flatseg(STA_X | STA_R, 3);
  cpu.gdt[GDT_UDATA] = flatseg(STA_W, 3);

  cpu.tss.ss0 = SEL_HDATA;
  cpu.tss.iomb = offsetof(struct taskstate, iomap);
  memset(cpu.tss.iomap, 0xFF, sizeof(cpu.tss.iomap));   // every port denied
  cpu.tss.iomap_end = 0xFF;                         // the CPU reads 2 bytes: keep one past
  cpu.gdt[GDT_TSS] = tssseg((u32)&cpu.tss, sizeof(cpu.tss) - 1);

  lgdt(cpu.gdt, sizeof(cpu.gdt));
  asm volatile(
    "movw %0, %%ax; movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss\n"
    "xorw %%ax, %%ax; movw %%ax, %%fs; movw %%ax, %%gs\n"
    "ljmp %1, $1f\n1:\n"
    : : "i"(SEL_HDATA), "i"(SEL_HCODE) : "eax");
  ltr(SEL_TSS);
  // No LDT. The CPU resets LDTR to a table at linear 0 with limit 0xFFFF: a
  // selector with TI=1 would then take its descriptor from whatever a guest
  // or its process keeps there (a call gate to SEL_HCODE: ring 0). A null
  // LDTR makes every such selector fault, and only ring 0 can lldt.
  lldt(0);
}

// Where the tables are, for vmos to map them: physical address and bytes.
void
gdt_tables(u32 *pa, u32 *size)
{
  *pa = V2P(&cpu);
  *size = PGROUNDUP(sizeof(cpu));
}

// Use the tables through another mapping of the same pages, at va (vmos's
// switcher region), which exists in every address space. The TSS base is in the
// GDT and is read by ltr, so: rewrite the descriptor, reload TR (through the
// writable kernel mapping, since ltr marks the descriptor busy), then point GDTR
// at the new address.
void
gdt_move(u32 va)
{
  u32 tss_va = va + offsetof(struct cputables, tss);
  cpu.gdt[GDT_TSS] = tssseg(tss_va, sizeof(cpu.tss) - 1);
  lgdt(cpu.gdt, sizeof(cpu.gdt));
  ltr(SEL_TSS);
  lgdt((void *)(va + offsetof(struct cputables, gdt)), sizeof(cpu.gdt));
}

// The stack the CPU switches to when a trap takes ring 1 or 3 into ring 0.
void
tss_set_esp0(u32 esp0)
{
  cpu.tss.esp0 = esp0;
}

// The stack the CPU switches to when a gate takes ring 3 into ring 1.
void
tss_set_stack1(u32 esp1, u16 ss1)
{
  cpu.tss.esp1 = esp1;
  cpu.tss.ss1 = ss1;
}

// Let code at rings 1-3 use this I/O port (IOPL stays 0, so the bitmap decides).
void
iomap_allow(u16 port)
{
  cpu.tss.iomap[port / 8] &= ~(1 << (port % 8));
}

void
iomap_deny(u16 port)
{
  cpu.tss.iomap[port / 8] |= 1 << (port % 8);
}
