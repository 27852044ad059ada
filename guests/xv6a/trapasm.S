# trapasm.S: xv6a's trap entry: 256 vector stubs build a struct trapframe and
# call trap(). Under vmos the host builds the same frame a gate would (vmos
# reflects traps and delivers virtual interrupts; system calls come through a
# real trap gate, TT_DIRECT, see syscall_entry), so the stubs are the same but
# two: the device vectors' (irq_entry) and the way back: a ring-1 iret cannot
# restore IF, so under vmos the last instructions restore the virtual IF from
# the frame (the host knows this window: HC_SET_IRET, and injects nothing
# inside it). Trap mode (TRAP, pv_trap.c) has the plain stubs, as bare, and
# its own way back: `sti; iret` (the sti shadow keeps interrupts out between).
#include "vmos/abi.h"
#include "traps.h"
#include "sharedoff.h"

#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17)
#if defined(BARE) || defined(TRAP)
#define OWN_ENTRY(n) 0           // bare, trap: every stub is the plain one
#else
#define OWN_ENTRY(n) ((n) == T_SYSCALL || ((n) >= T_IRQ0 && (n) < T_IRQ0 + 16))
#endif

# Stub n at vector0 + 16*n (trap.c): an error code if the CPU pushed none,
# the vector, then the one trap path.
.text
.p2align 4
.globl vector0
vector0:
.set i, 0
.rept 256
  .p2align 4
  .if OWN_ENTRY(i) == 0
  .if HAS_ERR(i) == 0
  pushl $0
  .endif
  pushl $i
  jmp alltraps
  .elseif i == T_SYSCALL
  jmp syscall_entry
  .else
  pushl $(i - T_IRQ0)            # a device vector: its IRQ for irq_entry
  jmp irq_entry
  .endif
  .set i, i + 1
.endr
  .p2align 4
.globl vectors_end
vectors_end:                     # vector0 + 16*256, unless a stub outgrew its 16 bytes

#if !defined(BARE) && !defined(TRAP)
# Under vmos `int $64` comes straight here (TT_DIRECT, no host on the way), with
# virtual interrupts still on as they were in the process: off they go, as an
# interrupt gate would have done. (One that arrives before this store is taken
# as if it had come just before the system call.)
syscall_entry:
  movl $0, %ss:shared
  pushl $0
  pushl $T_SYSCALL
  jmp alltraps

# A device vector, with its IRQ pushed above the CPU's frame. In route mode
# every interrupt is a virtual one the host delivered (reflected): its
# shared.reflect is R_IRQ and shared.trapno the vector. In swap and defer
# modes the vectors of pass-mode devices (any VM's) are trap gates straight to
# here while this VM runs (vmos/abi.h, "Direct device interrupts"); such an
# interrupt leaves shared.reflect alone and comes whatever the virtual IF says.
# One that is another VM's, or ours while the virtual IF is off, goes back to
# the host (HC_INVOKE_VMOS) untouched; the rest is ours: the virtual IF goes
# off as a gate would do (the frame's IF bit, the real IF, is 1: the virtual
# IF was on), and trap() handles it, told by TF_DIRECT to end it (pv_eoi).
irq_entry:
  pushl %eax                     # the stack: eax, irq, the CPU's frame
  movl 4(%esp), %eax
  addl $T_IRQ0, %eax             # the vector
  cmpl $SHARED_R_IRQ, %ss:shared + SHARED_REFLECT
  jne 1f
  cmpl %eax, %ss:shared + SHARED_TRAPNO
  jne 1f
  movl $SHARED_R_NONE, %ss:shared + SHARED_REFLECT   # read: the next one is not this
  movl $0, 4(%esp)               # err: delivered by the host
  jmp 3f
1:movl 4(%esp), %eax             # direct: the irq
  testl $1, %ss:shared + SHARED_VIF
  jz 2f
  btl %eax, %ss:pv_own_irqs
  jnc 2f
  movl $0, %ss:shared + SHARED_VIF
  movl $TF_DIRECT, 4(%esp)       # err: straight from the device
  addl $T_IRQ0, %eax
3:xchgl %eax, (%esp)             # eax back; the vector where trapno goes
  jmp alltraps
2:pushl %ebx                     # not ours to take now: back to the host
  movl %eax, %ebx
  movl $HC_INVOKE_VMOS, %eax
  int $HCALL_VECTOR
  popl %ebx
  popl %eax
  addl $4, %esp                  # the irq
  iret
#endif

.globl alltraps
alltraps:
#ifdef TRAP
  movl $0, %ss:pv_vif            # every gate is an interrupt gate: IF is off now
#endif
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
#if defined(BARE)
  iret
#elif defined(TRAP)
  testl $0x200, 8(%esp)          # the frame's eflags: was IF on?
  jz 1f
  movl $1, %ss:pv_vif
  sti                            # emulated; the host delivers nothing before
  iret                           # this iret (the sti shadow)
1:iret
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
