# entry.S: where the host starts. The boot loader (QEMU -kernel, Multiboot v1)
# jumps to _start in 32-bit protected mode with paging off, %eax = magic and
# %ebx = physical address of the multiboot info. We turn on paging with a boot
# page directory that maps machine memory at KERNBASE with 4 MiB pages, move to a
# stack in the kernel image and call main() in vmos/main.c. kernel/paging.c later
# replaces the boot page directory with the host's real one.
#include "memlayout.h"
#include "mmu.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003       // page-align modules, give us the memory map
#define KSTACKSIZE 16384

.section .multiboot, "a"
.p2align 2
  .long MB_MAGIC
  .long MB_FLAGS
  .long -(MB_MAGIC + MB_FLAGS)

.text
# The loader jumps to a physical address, but the kernel is linked high.
.globl _start
_start = V2P_WO(entry)
.globl entry
entry:
  movl %cr4, %ecx                 # 4 MiB pages for the boot page directory
  orl $CR4_PSE, %ecx
  movl %ecx, %cr4
  movl $V2P_WO(bootpgdir), %ecx
  movl %ecx, %cr3
  movl %cr0, %ecx
  orl $(CR0_PG | CR0_PE), %ecx
  movl %ecx, %cr0
  movl $(bootstack + KSTACKSIZE), %esp
  xorl %ebp, %ebp                 # ends the backtrace chain
  pushl %ebx                      # main(magic, mbinfo physical address)
  pushl %eax
  movl $main, %ecx                # an absolute jump into the high half
  call *%ecx
1:
  cli
  hlt
  jmp 1b

.data
# Boot page directory: virtual 0-4 MiB (so the instruction after enabling paging
# still runs) and KERNBASE.. up to the switcher region, both with 4 MiB pages.
.p2align 12
.globl bootpgdir
bootpgdir:
  .long 0 | PTE_P | PTE_W | PTE_PS
  .fill (KERNBASE >> PDXSHIFT) - 1, 4, 0
.set i, 0
.rept (SWITCHER_BASE - KERNBASE) >> PDXSHIFT
  .long (i << PDXSHIFT) | PTE_P | PTE_W | PTE_PS
  .set i, i + 1
.endr
  .long 0                         # the switcher region is not mapped at boot

.bss
.p2align 12
.globl bootstack
bootstack:
  .space KSTACKSIZE
.globl bootstacktop
bootstacktop:
