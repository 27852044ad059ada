# trapasm.S: the host's trap entry: 256 vector stubs, alltraps and trapret.
# Every interrupt and exception enters the host here through an IDT gate
# (kernel/idt.c). Each stub pushes an error code if the CPU did not, and the vector
# number; alltraps completes a struct trapframe (kernel/trapframe.h) and calls
# trap(tf) in kernel/trap.c. trapret is the way back: pop the frame and iret.
#include "memlayout.h"
#include "mmu.h"
#include "trapframe.h"
#include "vmos/abi.h"
#include "vectors.h"

# Stub i sits at vector0 + 16*i; each is at most 12 bytes.
.text
.p2align 4
.globl vector0
vector0:
VECTOR_STUBS alltraps

# The table kernel/idt.c reads to build the IDT.
.section .rodata
.p2align 2
.globl vectors
vectors:
.set i, 0
.rept 256
  .long vector0 + 16*i
  .set i, i+1
.endr

.text
.globl alltraps
alltraps:
  # A gate clears IF, TF and NT but leaves DF and AC as the interrupted code
  # had them: C assumes DF clear (string copies would run backwards). The
  # host's own flags, before anything else runs.
  pushl $FL_RSVD
  popfl
  pushl %ds
  pushl %es
  pushl %fs
  pushl %gs
  pushal
  movw $SEL_HDATA, %ax      # the host's own data segments
  movw %ax, %ds
  movw %ax, %es
  pushl %esp                # trap(tf)
  call trap
  addl $4, %esp
  # fall through
.globl trapret
trapret:
  popal
  popl %gs
  popl %fs
  popl %es
  popl %ds
  addl $8, %esp             # trapno and err
  iret
