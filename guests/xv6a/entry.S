# entry.S: where xv6a starts.
# Bare QEMU (BARE): a multiboot loader enters _start at its physical address
# with paging off; we turn paging on with entrypgdir (4 MiB pages: 0 and KERNBASE
# both map the first 4 MiB), switch to the kernel stack and call main.
# vmos: the host enters _start (+ KERNBASE) in ring 1, already on its boot
# mapping (KERNBASE + pa -> pa for all memory); we only switch stacks.
# Either way main(eax, ebx) learns which it was from the magic in eax.
# The multiboot header is in the builds a loader starts: bare, and trap
# (TRAP), which vmos recognizes by it as a PC kernel (vmos/load.c) and
# enters as a loader would, but paged already, in ring 1.
#include "vmos/abi.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

#if defined(BARE) || defined(TRAP)
.section .multiboot, "a"
.p2align 2
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
#endif

.text
.globl _start
_start = entry - 0x80000000
.globl entry
entry:
#ifdef BARE
  movl %cr4, %ecx
  orl $0x10, %ecx                # PSE: 4 MiB pages
  movl %ecx, %cr4
  movl $(entrypgdir - 0x80000000), %ecx
  movl %ecx, %cr3
  movl %cr0, %ecx
  orl $0x80010001, %ecx          # PG, WP, PE
  movl %ecx, %cr0
#endif
  movl $(stack + 4096), %esp
  xorl %ebp, %ebp
  pushl %ebx
  pushl %eax
  movl $main, %ecx
  call *%ecx
1:jmp 1b

#ifdef BARE
.data
.p2align 12
entrypgdir:
  .long 0x00000083               # 0 -> 0, 4 MiB, present, writable
  .fill 511, 4, 0
  .long 0x00000083               # KERNBASE -> 0
  .fill 511, 4, 0
#endif

.bss
.p2align 12
.globl stack
stack:
  .space 4096
