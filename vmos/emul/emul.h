// emul.h: the pieces of the instruction emulator (vmos/emul/), shared by its
// files only: decode.c reads a faulting instruction from guest memory into a
// struct insn; emul.c carries it out and steps over it; io.c does in/out on
// the VM's devices; desc.c takes the guest's own IDT, GDT and TSS from its
// memory. The rest of the host calls emulate() (vmos.h) and desc_esp1().
#ifndef VMOS_EMUL_H
#define VMOS_EMUL_H
#include "types.h"

struct vm;
struct trapframe;

struct insn {
  int kind;        // EM_* (vm.h)
  int len;         // bytes, prefixes included: eip moves on by this much
  // in, out, ins, outs
  int in;          // 1: in/ins, 0: out/outs
  int string;      // ins/outs
  int rep;         // with a rep prefix
  int size;        // 1, 2 or 4 bytes
  u16 port;
  // mov crN (EM_MOVCR)
  int cr;          // the control register's number
  int reg;         // the general register (also ltr's register operand)
  int tocr;        // 1: mov to crN, 0: mov from it
  // a memory operand (invlpg, lidt, lgdt, ltr m16)
  int mem;         // 1: the operand is in memory at ea; 0: in register reg
  u32 ea;          // its effective address, from the guest's registers
  int opsize16;    // a 0x66 prefix (lidt/lgdt: a 24-bit base)
};

// decode.c
int  decode(struct vm *vm, struct insn *in);
u32 *emul_reg(struct trapframe *tf, int r);

// io.c
int  io_emulate(struct vm *vm, struct insn *in);

// desc.c
void desc_lidt(struct vm *vm, u32 ea, int opsize16);
void desc_lgdt(struct vm *vm, u32 ea, int opsize16);
void desc_ltr(struct vm *vm, u16 sel);

#endif
