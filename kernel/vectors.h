// vectors.h: the 256 trap-vector stubs, as one assembler macro, for the two
// places in the host that need a set: kernel/trapasm.S (the host's own IDT)
// and vmos/switcher.S (every guest IDT). Stub i sits at the first stub + 16*i.
// Each pushes an error code if the CPU did not, then the vector number, and
// jumps to `target`, which builds the rest of the struct trapframe. C gets
// HAS_ERR only (vmos/sched.c: which reflected traps carry an error code).
#ifndef KERNEL_VECTORS_H
#define KERNEL_VECTORS_H

// Vectors for which the CPU pushes an error code itself.
#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || (n) == 21)

#ifdef __ASSEMBLER__
.macro VECTOR_STUBS target
.set i, 0
.rept 256
  .p2align 4
  .if HAS_ERR(i) == 0
  pushl $0
  .endif
  pushl $i
  jmp \target
  .set i, i + 1
.endr
.endm
#endif

#endif
