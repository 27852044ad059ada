# entry.S: the bench guest's assembly: its entry, its trap handlers and its
# user program. bench.c says what is measured.
#include "vmos/abi.h"

.text
.globl _start
_start:
  movl $kstack_top, %esp
  call bench_main
1:jmp 1b

# A system call that does nothing: the cost measured is the trip itself.
.globl sys_null
sys_null:
  iret

# The user program reports a measurement: eax = instructions (or cycles) per
# batch. The kernel keeps the least.
.globl sys_report
sys_report:
  pushal
  pushl %eax
  call report
  addl $4, %esp
  popal
  iret

# The user program is done: back into the kernel, right after enter_user().
.globl sys_done
sys_done:
  movl saved_esp, %esp
  popl %edi
  popl %esi
  popl %ebx
  popl %ebp
  ret

# void enter_user(u32 eip, u32 esp): run the user program in ring 3.
.globl enter_user
enter_user:
  pushl %ebp
  pushl %ebx
  pushl %esi
  pushl %edi
  movl %esp, saved_esp
  movl 20(%esp), %eax          # eip
  movl 24(%esp), %ecx          # esp
  movw $SEL_UDATA, %dx
  movw %dx, %ds
  movw %dx, %es
  pushl $SEL_UDATA
  pushl %ecx
  pushl $0x202                 # IF on, as for any guest code
  pushl $SEL_UCODE
  pushl %eax
  iret

# A virtual interrupt that needs no work (the timer bench counts them).
.globl virq_null
virq_null:
  iret

# ---- the user program (on a user page) ----
#define N 1000
#define BATCHES 7
.section .utext, "ax"
.globl user_main
user_main:
  movl $BATCHES, %esi
1:
  rdtsc
  movl %eax, %edi
  movl $N, %ecx
2:
  int $0x30
  loop 2b
  rdtsc
  subl %edi, %eax
  int $0x31
  decl %esi
  jnz 1b
  int $0x32

.bss
.p2align 12
kstack: .space 8192
kstack_top:
.globl saved_esp
saved_esp: .long 0
