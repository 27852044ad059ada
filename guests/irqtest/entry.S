# entry.S: irqtest's entry and its disk-interrupt stubs. The same stub serves a
# virtual interrupt the host reflects (route mode, or when the guest was not
# running) and a real one that the CPU takes straight into it through a trap
# gate (swap and defer modes): irq() in irqtest.c tells them apart. The
# handlers are registered with TT_TRAPGATE, so a reflected one leaves the
# virtual IF alone and both ways back are a plain iret.
#include "vmos/abi.h"

.text
.globl _start
_start:
  movl $stack_top, %esp
  call main
1:jmp 1b

.macro irqstub n
.globl irqstub\n
irqstub\n:
  pushal
  pushl $\n
  call irq
  addl $4, %esp
  popal
  iret
.endm
irqstub 3
irqstub 14
irqstub 15

.bss
.p2align 4
  .space 8192
stack_top:
