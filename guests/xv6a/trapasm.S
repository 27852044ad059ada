# trapasm.S: xv6a's trap entry: 256 vector stubs build a struct trapframe and
# call trap(). Under vmos the host builds the same frame a gate would (vmos
# reflects traps and delivers virtual interrupts; system calls come through a
# real trap gate, TT_DIRECT, see syscall_entry), so the stubs are the same;
# only the way back differs: a ring-1 iret cannot restore IF, so under vmos the
# last instructions restore the virtual IF from the frame (the host knows this
# window: HC_SET_IRET, and injects nothing inside it).
#include "vmos/abi.h"
#include "traps.h"

#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17)

.text
.p2align 4
.globl vector0
vector0:
.set i, 0
.rept 256
  .p2align 4
#ifndef BARE
  .if i == T_SYSCALL
  jmp syscall_entry
  .endif
#endif
  .if HAS_ERR(i) == 0
  pushl $0
  .endif
  pushl $i
  jmp alltraps
  .set i, i + 1
.endr

#ifndef BARE
# Under vmos `int $64` comes straight here (TT_DIRECT, no host on the way), with
# virtual interrupts still on as they were in the process: off they go, as an
# interrupt gate would have done. (One that arrives before this store is taken
# as if it had come just before the system call.)
syscall_entry:
  movl $0, %ss:shared
  pushl $0
  pushl $T_SYSCALL
  jmp alltraps
#endif

.globl alltraps
alltraps:
  cld                            # C expects DF clear; a process may have set it
  pushl %ds
  pushl %es
  pushl %fs
  pushl %gs
  pushal
  movw pv_kds, %ax
  movw %ax, %ds
  movw %ax, %es
  pushl %esp
  call trap
  addl $4, %esp
.globl trapret
trapret:
  popal
  popl %gs
  popl %fs
  popl %es
  popl %ds
  addl $8, %esp
#ifdef BARE
  iret
#else
.globl iret_start
iret_start:
  pushl %eax
  movl 12(%esp), %eax            # the frame's eflags
  shrl $9, %eax
  andl $1, %eax
  movl %eax, %ss:shared          # shared.vif: the virtual IF
  popl %eax
  iret
.globl iret_end
iret_end:
#endif
