# switcher.S: the only code that runs between worlds (design.md section 5).
# It is linked at the switcher region (kernel/kernel.ld), mapped at the same
# address in the host and in every guest, because it runs on both sides of a CR3
# load. Two paths:
#   sw_run(cr3)   host -> guest: save the host's registers, load the guest's page
#                 directory and its IDT, pop the guest's trap frame from its vCPU
#                 page, iret.
#   sw_vector<n>  guest -> host: every vector of a guest IDT lands here; the CPU
#                 has pushed the guest's eip..ss on the vCPU page (TSS.esp0); we
#                 complete the trap frame, make EFLAGS the host's own, load the
#                 host's page directory and IDT, and return from sw_run as if it
#                 were an ordinary call.
# vmos/switcher.c copies the frame between the vCPU page and the VM and counts.
# Nothing the host needs is left on the guest-visible vCPU page, and nothing on
# it is read once the guest could have run again.
#include "memlayout.h"
#include "mmu.h"
#include "trapframe.h"
#include "vmos/abi.h"
#include "vmos/switcher.h"
#include "vectors.h"

.section .switcher, "ax"

# void sw_run(u32 guest_cr3)
.globl sw_run
sw_run:
  pushl %ebp
  pushl %ebx
  pushl %esi
  pushl %edi
  movl %esp, sw_host_esp          # host memory: the guest cannot see it
  movl 20(%esp), %eax
  movl %eax, %cr3                 # the guest's address space: host memory is gone
  lidt SW_DATA + SW_DATA_GUEST_IDTR   # its IDT, at SW_IDT in every guest
  movl $SW_FRAME, %esp
  popal
  popl %gs
  popl %fs
  popl %es
  popl %ds
  addl $8, %esp                   # trapno, err
  iret

# Guest -> host. Stub n sits at sw_vector0 + 16*n.
.p2align 4
.globl sw_vector0
sw_vector0:
VECTOR_STUBS sw_exit

sw_exit:
  # The gate cleared IF, TF and NT, but DF and AC are still the guest's: a
  # string copy in the host would run backwards over its own data. One popf
  # gives the host its own flags before anything else runs.
  pushl $FL_RSVD
  popfl
  pushl %ds
  pushl %es
  pushl %fs
  pushl %gs
  pushal
  movw $SEL_HDATA, %ax
  movw %ax, %ds
  movw %ax, %es
  xorl %eax, %eax                 # no guest selector stays loaded in the host
  movw %ax, %fs
  movw %ax, %gs
  movl SW_DATA + SW_DATA_HOST_CR3, %eax
  movl %eax, %cr3                 # back in the host's address space
  lidt sw_host_idtr               # and its IDT (host memory, now mapped)
  movl sw_host_esp, %esp
  popl %edi
  popl %esi
  popl %ebx
  popl %ebp
  ret                             # from sw_run

.globl sw_text_end
sw_text_end:
