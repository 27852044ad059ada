# entry.S: pgtest's entry, its page-fault stub, and the user code it runs.
#include "vmos/abi.h"

.text
.globl _start
_start:
  movl $stack_top, %esp
  pushl %ebx                     # memory size, from the host
  call main
1:jmp 1b

# Page fault: the host built the frame (err, eip, cs, eflags[, esp, ss]).
.globl pf_entry
pf_entry:
  pushal
  pushl %esp
  call pf_handler                # may fix the mapping and return
  addl $4, %esp
  popal
  addl $4, %esp                  # the error code
  iret

# void enter_user(u32 eip, u32 esp)
.globl enter_user
enter_user:
  movl 4(%esp), %eax
  movl 8(%esp), %ecx
  pushl $SEL_UDATA
  pushl %ecx
  pushl $0x202
  pushl $SEL_UCODE
  pushl %eax
  iret

# Copied to a user page: a process reads its kernel's memory.
.globl user_code, user_code_end
user_code:
  movl $0x80100000, %eax
  movl (%eax), %eax
  ud2
user_code_end:

.bss
.p2align 4
  .space 8192
stack_top:
  .space 4096
.globl kstack1_top
kstack1_top:
