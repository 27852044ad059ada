# entry.S: pctest's entry and its interrupt stubs, one for each of the 16
# vectors its 8259s give (ICW2: 0x50 for the master, 0x58 for the slave).
# Each hands its vector to intr() in pctest.c. Registered with TT_TRAPGATE,
# so the virtual IF stays as it was and the way back is a plain iret.
#include "vmos/abi.h"

.text
.globl _start
_start:
  movl $stack_top, %esp
  call main
1:jmp 1b

.macro stub n
stub\n:
  pushal
  pushl $(0x50 + \n)
  call intr
  addl $4, %esp
  popal
  iret
.endm
stub 0; stub 1; stub 2; stub 3; stub 4; stub 5; stub 6; stub 7
stub 8; stub 9; stub 10; stub 11; stub 12; stub 13; stub 14; stub 15

.data
.globl stubs
stubs:
  .long stub0, stub1, stub2, stub3, stub4, stub5, stub6, stub7
  .long stub8, stub9, stub10, stub11, stub12, stub13, stub14, stub15

.bss
.p2align 4
  .space 8192
stack_top:
