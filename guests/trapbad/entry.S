# entry.S: trapbad's multiboot header (what makes vmos run it in trap mode,
# vmos/load.c) and its entry: the host enters _start in ring 1 on its boot
# mapping, eax 0x2BADB002, ebx the multiboot info; we switch stacks, call main.
.section .multiboot, "a"
.p2align 2
  .long 0x1BADB002, 0, -0x1BADB002

.text
.globl _start
_start = entry - 0x80000000
entry:
  movl $stack_top, %esp
  pushl %ebx
  pushl %eax
  call main
1:hlt
  jmp 1b

.globl handler                   # any trap: nothing to do but stop
handler:
  hlt
  jmp handler

.bss
.p2align 4
  .space 4096
stack_top:
