// trapframe.h: the register layout every trap builds on the stack.
// kernel/trapasm.S pushes it (the CPU pushes eip..ss, the stub pushes err and
// trapno, alltraps pushes the segments and pushal's registers); trap() in
// kernel/trap.c receives a pointer to it. The TF_* offsets are what assembly
// uses; trap.c checks them against the struct with _Static_assert.
#ifndef VMOS_TRAPFRAME_H
#define VMOS_TRAPFRAME_H

#define TF_EAX    28
#define TF_TRAPNO 48
#define TF_CS     60
#define TF_SIZE   76     // with esp and ss (present when the trap came from ring 1-3)

#ifndef __ASSEMBLER__
#include "types.h"
struct trapframe {
  // pushed by pushal
  u32 edi, esi, ebp, oesp, ebx, edx, ecx, eax;
  // pushed by alltraps
  u16 gs, pad1, fs, pad2, es, pad3, ds, pad4;
  u32 trapno;
  // pushed by the CPU, or as 0 by the stub when the CPU pushes no error code
  u32 err;
  // pushed by the CPU
  u32 eip;
  u16 cs, pad5;
  u32 eflags;
  // pushed by the CPU only on a change of privilege level
  u32 esp;
  u16 ss, pad6;
};
#endif
#endif
