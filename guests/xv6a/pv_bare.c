// pv_bare.c: the pv layer on bare QEMU: xv6a in ring 0 does its privileged work
// itself, with the instructions: its own GDT, TSS and IDT, the 8259 PICs, the
// PIT, the 16550 UART (those three in pc.c, shared with trap mode's pv_trap.c).
// (Under vmos, pv_vmos.c does the same work by hypercall.)
#include "xv6a.h"
#include "pv.h"

const char *pv_name = "bare";
uint pv_kcs = 0x08, pv_kds = 0x10, pv_ucs = 0x1B, pv_uds = 0x23;

static inline uchar inb(ushort p) { uchar v; asm volatile("inb %1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outb(ushort p, uchar v) { asm volatile("outb %0,%1" : : "a"(v), "d"(p)); }

struct gate { ushort off_lo, sel; uchar zero, type; ushort off_hi; };
static unsigned long long gdt[6];
static struct gate idt[256];
static uint tss[26];             // only esp0 (tss[1]) and ss0 (tss[2]) are used
static uint memsize;

static unsigned long long
seg(uint type, uint dpl)         // flat 4 GiB segment
{
  return 0x00CF00000000FFFFULL | (unsigned long long)(0x90 | dpl << 5 | type) << 40;
}

static void
lgdt_lidt(void)
{
  struct { ushort lim; uint base; } __attribute__((packed)) g = { sizeof(gdt) - 1, (uint)gdt },
      i = { sizeof(idt) - 1, (uint)idt };
  asm volatile("lgdt %0; lidt %1" : : "m"(g), "m"(i));
  asm volatile("movw %0, %%ax; movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss;"
               "ljmp $0x08, $1f; 1:" : : "i"(0x10) : "eax");
  asm volatile("ltr %0" : : "r"((ushort)0x28));
}

void
pv_init(uint magic, uint info)
{
  if (magic != 0x2BADB002)
    for (;;)
      ;
  memsize = multiboot_memsize(info);
  gdt[1] = seg(0xA, 0);          // kernel code
  gdt[2] = seg(0x2, 0);          // kernel data
  gdt[3] = seg(0xA, 3);          // user code
  gdt[4] = seg(0x2, 3);          // user data
  uint t = (uint)tss;
  gdt[5] = (sizeof(tss) - 1) | (unsigned long long)(t & 0xFFFFFF) << 16 |
           0x89ULL << 40 | (unsigned long long)(t >> 24) << 56;
  tss[2] = 0x10;
  tss[25] = sizeof(tss) << 16;   // no I/O bitmap
  lgdt_lidt();
  uart_init(COM1);               // the console, with receive interrupts
  // The PICs at 0x20/0x28, everything masked but the cascade, the timer, COM1, IDE.
  outb(0x21, 0xFF); outb(0xA1, 0xFF);
  outb(0x20, 0x11); outb(0x21, T_IRQ0); outb(0x21, 4); outb(0x21, 1);
  outb(0xA0, 0x11); outb(0xA1, T_IRQ0 + 8); outb(0xA1, 2); outb(0xA1, 1);
  outb(0x21, (uchar)~(1 << IRQ_TIMER | 1 << 2 | 1 << IRQ_COM1));
  outb(0xA1, (uchar)~(1 << (IRQ_IDE - 8)));
  // Global pages: the kernel's mappings (PTE_G, vm.c) stay in the TLB across
  // CR3 loads. vmos's shadow paging honours PTE_G the same way (vmos/shadow.c).
  uint cr4;
  asm volatile("movl %%cr4, %0" : "=r"(cr4));
  asm volatile("movl %0, %%cr4" : : "r"(cr4 | 0x80));   // CR4.PGE
}

uint pv_memsize(void) { return memsize; }


void pv_lcr3(uint pa) { asm volatile("movl %0, %%cr3" : : "r"(pa) : "memory"); }
void pv_invlpg(void *va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }
void pv_cli(void) { asm volatile("cli"); }
void pv_sti(void) { asm volatile("sti"); }
void pv_idle(uint deadline) { asm volatile("sti; hlt"); }   // its 100 Hz timer comes first
void pv_set_kstack(uint esp) { tss[1] = esp; }
void pv_switch(uint esp, uint pa) { pv_set_kstack(esp); pv_lcr3(pa); }
uint pv_fault_addr(void) { uint a; asm volatile("movl %%cr2, %0" : "=r"(a)); return a; }
int pv_irq_noted(int irq) { (void)irq; return 0; }

int
pv_intr_on(void)
{
  uint f;
  asm volatile("pushfl; popl %0" : "=r"(f));
  return (f & 0x200) != 0;
}

void
pv_set_trap(int v, void (*handler)(void), int dpl, int trapgate)
{
  uint h = (uint)handler;
  idt[v].off_lo = h;
  idt[v].sel = pv_kcs;
  idt[v].zero = 0;
  idt[v].type = 0x80 | dpl << 5 | (trapgate ? 0xF : 0xE);
  idt[v].off_hi = h >> 16;
}

// The PIT interrupts at every tick, and the CPU takes one that came while
// interrupts were off as soon as they are on again: counting them keeps time
// (a second tick while one is pending would be lost, but bare xv6a's kernel
// runs for microseconds at a time, its disk included).
uint pv_clock(uint counted) { return counted; }

// The iret to user mode sets IF, and the CPU takes what is pending at once.
void pv_take_pending(void) { }

int pv_mark(const char *label) { return -1; }   // no host to count anything

// Page tables and the balloon: pv_plain.c.
