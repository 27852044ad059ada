# ring.S: leave ring 0 for a while and come back: the smallest world switch.
# ring_enter(tf, ctx) saves the host's callee-saved registers and stack in ctx,
# then "returns from a trap" into the frame tf (any ring, via trapret's iret).
# When code out there traps back into the host, the outer trap handler calls
# ring_leave(ctx), which resumes the host right after its ring_enter call.
# Used by the self-tests (kernel/selftest.c). The code at the end of this file is
# what those tests run in ring 1 and ring 3; it sits on pages of its own so that
# they alone can be made user-accessible.

.text
.globl ring_enter
ring_enter:
  movl 8(%esp), %edx            # ctx
  movl %ebx, 0(%edx)
  movl %esi, 4(%edx)
  movl %edi, 8(%edx)
  movl %ebp, 12(%edx)
  leal 4(%esp), %ecx            # the stack as it will be after our return
  movl %ecx, 16(%edx)
  movl (%esp), %ecx             # where we return to
  movl %ecx, 20(%edx)
  movl 4(%esp), %esp            # tf: pop it as if returning from a trap
  jmp trapret

.globl ring_leave
ring_leave:
  movl 4(%esp), %edx
  movl 0(%edx), %ebx
  movl 4(%edx), %esi
  movl 8(%edx), %edi
  movl 12(%edx), %ebp
  movl 16(%edx), %esp
  jmp *20(%edx)

# ---- Code the self-tests run outside ring 0 ----
# Each snippet ends with ud2: an invalid-opcode trap is how it hands back.
.section .text.ring, "ax"
.p2align 12
.globl ringcode_start
ringcode_start:

.globl ring_whoami              # %eax = the CPL we run at
ring_whoami:
  movl %cs, %eax
  andl $3, %eax
  ud2

.globl ring_hcall               # the hypercall instruction
ring_hcall:
  int $0x82
  ud2

.globl ring_int40               # through the DPL3 trap gate at 0x40
ring_int40:
  int $0x40
  ud2

.globl ring1_gate_handler       # where gate 0x40 lands, in ring 1
ring1_gate_handler:
  movl %esp, %eax
  movl %cs, %ebx
  ud2

.globl ring_ioports             # %ebx says how far we got
ring_ioports:
  xorl %ebx, %ebx
  movb $0, %al
  outb %al, $0x80               # granted in the I/O bitmap
  movl $1, %ebx
  outb %al, $0x81               # not granted: #GP here
  movl $2, %ebx
  ud2

.globl ring_store               # *(%edx) = %eax
ring_store:
  movl %eax, (%edx)
  ud2

.globl ring_load                # %eax = *(%edx)
ring_load:
  movl (%edx), %eax
  ud2

.p2align 12
.globl ringcode_end
ringcode_end:
