# entry.S: disktest's entry: a stack, then main().
.text
.globl _start
_start:
  movl $stack_top, %esp
  call main
1:jmp 1b
.bss
.p2align 4
  .space 4096
stack_top:
