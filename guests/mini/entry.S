# entry.S: where mini starts, and its trap path. The host enters _start in
# ring 1 (vmos/abi.h); every trap or virtual interrupt the host reflects to mini
# lands on one of the stubs below, which complete a struct tf (mini.h) for
# trap() in trap.c. The way back is trapret, which ends in the iret sequence:
# the code that hands the frame's IF bit back to the virtual IF before iret (a
# ring-1 iret cannot touch the real IF). HC_SET_IRET tells the host where it is.
#include "vmos/abi.h"

#define TF_ESP_OFF 68            /* offsetof(struct tf, esp): checked in trap.c */

.text
.globl _start
_start:
  movl $boot_stack_top, %esp     # the host left esp on a user page: leave it
  cmpl $GUEST_BOOT_MAGIC, %eax
  jne 1f
  call main
1:
  movl $HC_EXIT, %eax            # not started by vmos, or main returned
  movl $1, %ebx
  xorl %ecx, %ecx
  int $0x82
  jmp 1b

# Stubs: vectors that carry an error code get none pushed here.
.macro stub vec, haserr
.globl vector\vec
vector\vec:
  .if \haserr == 0
  pushl $0
  .endif
  pushl $\vec
  jmp alltraps
.endm

stub 0,0;  stub 1,0;  stub 2,0;  stub 3,0;  stub 4,0;  stub 5,0;  stub 6,0;  stub 7,0
stub 8,1;  stub 9,0;  stub 10,1; stub 11,1; stub 12,1; stub 13,1; stub 14,1; stub 15,0
stub 16,0; stub 17,1; stub 18,0; stub 19,0
stub 32,0; stub 33,0; stub 48,0

# Real device interrupts that reach mini directly (swap and defer modes, lab
# 2): mini owns no device, so each is another VM's, handed back to the host at
# once (HC_INVOKE_VMOS), touching nothing but the two registers it needs. The
# variant mini-swallow keeps them instead, as a hostile guest would.
.macro devirq irq
.globl devirq\irq
devirq\irq:
#ifndef MINI_SWALLOW
  pushl %eax
  pushl %ebx
  movl $HC_INVOKE_VMOS, %eax
  movl $\irq, %ebx
  int $0x82
  popl %ebx
  popl %eax
#endif
  iret
.endm
devirq 3; devirq 14; devirq 15

alltraps:
  cld                            # C expects DF clear; a task may have set it
  pushl %ds
  pushl %es
  pushl %fs
  pushl %gs
  pushal
  movw $SEL_GKDATA, %ax
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
  addl $8, %esp                  # trapno, err
  # The iret sequence: virtual IF := the IF bit of the frame's eflags.
.globl iret_start
iret_start:
  pushl %eax
  movl 12(%esp), %eax            # eflags (above eax, eip, cs)
  shrl $9, %eax
  andl $1, %eax
  movl %eax, %ss:shared          # shared.s.vif is its first word
  popl %eax
  iret
.globl iret_end
iret_end:

# void start_task(struct tf *frame): enter a task by "returning" from a trap.
.globl start_task
start_task:
  movl 4(%esp), %esp
  jmp trapret

.bss
.p2align 4
  .space 4096
boot_stack_top:
