// x86.h: one-line wrappers for the instructions C cannot express.
#ifndef VMOS_X86_H
#define VMOS_X86_H
#include "types.h"

static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1,%0" : "=a"(v) : "d"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; asm volatile("inw %1,%0" : "=a"(v) : "d"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; asm volatile("inl %1,%0" : "=a"(v) : "d"(port)); return v; }
static inline void outb(u16 port, u8 v) { asm volatile("outb %0,%1" : : "a"(v), "d"(port)); }
static inline void outw(u16 port, u16 v) { asm volatile("outw %0,%1" : : "a"(v), "d"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0,%1" : : "a"(v), "d"(port)); }

static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline void hlt(void) { asm volatile("hlt" ::: "memory"); }

static inline u32 readeflags(void) { u32 f; asm volatile("pushfl; popl %0" : "=r"(f)); return f; }
static inline u32 rcr0(void) { u32 v; asm volatile("movl %%cr0,%0" : "=r"(v)); return v; }
static inline void lcr0(u32 v) { asm volatile("movl %0,%%cr0" : : "r"(v)); }
static inline u32 rcr2(void) { u32 v; asm volatile("movl %%cr2,%0" : "=r"(v)); return v; }
static inline u32 rcr3(void) { u32 v; asm volatile("movl %%cr3,%0" : "=r"(v)); return v; }
static inline void lcr3(u32 v) { asm volatile("movl %0,%%cr3" : : "r"(v) : "memory"); }
static inline u32 rcr4(void) { u32 v; asm volatile("movl %%cr4,%0" : "=r"(v)); return v; }
static inline void lcr4(u32 v) { asm volatile("movl %0,%%cr4" : : "r"(v)); }
static inline void invlpg(void *va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline u32 rebp(void) { u32 v; asm volatile("movl %%ebp,%0" : "=r"(v)); return v; }
static inline u64 rdtsc(void) { u64 v; asm volatile("rdtsc" : "=A"(v)); return v; }
static inline void ltr(u16 sel) { asm volatile("ltr %0" : : "r"(sel)); }
static inline void lldt(u16 sel) { asm volatile("lldt %0" : : "r"(sel)); }
static inline void clts(void) { asm volatile("clts"); }
// x87 state, 108 bytes (FNSAVE's format; fnsave also reinitialises the FPU).
static inline void fnsave(void *p) { asm volatile("fnsave (%0)" : : "r"(p) : "memory"); }
static inline void frstor(const void *p) { asm volatile("frstor (%0)" : : "r"(p) : "memory"); }
static inline void fninit(void) { asm volatile("fninit"); }

struct dtdesc {            // operand of lgdt/lidt
  u16 limit;
  u32 base;
} __attribute__((packed));

static inline void lgdt(void *base, u16 size) {
  struct dtdesc d = { size - 1, (u32)base };
  asm volatile("lgdt %0" : : "m"(d));
}
static inline void lidt(void *base, u16 size) {
  struct dtdesc d = { size - 1, (u32)base };
  asm volatile("lidt %0" : : "m"(d));
}

#endif
