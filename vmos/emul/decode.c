// decode.c: the instruction decoder of trap-and-emulate. When a guest kernel's
// instruction faults with #GP, emul.c asks what it was: the bytes at the
// guest's eip are read from guest memory (as the guest maps them: they may
// cross into a second page) and decoded into a struct insn: prefixes (0x66
// operand size, 0xF3/0xF2 rep, segment overrides, which change nothing in a
// flat segment), the I/O instructions in every width and string form, cli,
// sti, hlt, and the 0x0F opcodes mov to/from crN, invlpg, lidt, lgdt, ltr. A
// memory operand's effective address is computed from the guest's registers
// (ModRM, SIB, displacement; 32-bit addressing only). Anything else is not
// ours (-1): the #GP is the guest's own.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/emul/emul.h"

#define MAXLEN 15        // the longest x86 instruction

// General register r (ModRM numbering: eax ecx edx ebx esp ebp esi edi) in
// the saved frame. esp is the one the CPU pushed: the trap came from ring 1.
u32*
emul_reg(struct trapframe *tf, int r)
{
  switch (r & 7) {
  case 0: return &tf->eax;
  case 1: return &tf->ecx;
  case 2: return &tf->edx;
  case 3: return &tf->ebx;
  case 4: return &tf->esp;
  case 5: return &tf->ebp;
  case 6: return &tf->esi;
  default: return &tf->edi;
  }
}

// The ModRM byte at code[*i] and what follows it: reg in *reg; a memory
// operand's address in in->ea (in->mem = 1) or a register (in->mem = 0,
// its number in in->reg). -1 if the bytes run out.
static int
modrm(struct vm *vm, const u8 *code, int n, int *i, int *reg, struct insn *in)
{
  int r = -1;
  // LAB 3: a memory operand's effective address (32-bit addressing: the Intel
  // SDM's tables "32-bit addressing forms with the ModR/M byte" and "... with
  // the SIB byte"). What must hold afterwards: the bytes from code[*i] that
  // are the ModRM byte, a SIB byte if rm is 4 (and mod not 3), and a
  // displacement (8 bits sign-extended for mod 1, 32 for mod 2, and 32 with
  // no base for mod 0 with rm 5, or with SIB base 5) are consumed (*i moves
  // past them), *reg is the ModRM's reg field; mod 3 is a register operand
  // (in->mem 0, in->reg its number); otherwise in->mem is 1 and in->ea the
  // address from the guest's registers (emul_reg(&vm->tf, n)): base + index
  // << scale + displacement, index 4 meaning none. r is 0, or -1 if the
  // bytes run out (*i reaching n).
  /* LAB 3: BEGIN */
  struct trapframe *tf = &vm->tf;
  if (*i >= n)
    return -1;
  u8 m = code[(*i)++];
  int mod = m >> 6, rm = m & 7;
  *reg = (m >> 3) & 7;
  if (mod == 3) {
    in->mem = 0;
    in->reg = rm;
    return 0;
  }
  in->mem = 1;
  u32 ea = 0;
  if (rm == 4) {                             // a SIB byte
    if (*i >= n)
      return -1;
    u8 sib = code[(*i)++];
    int scale = sib >> 6, index = (sib >> 3) & 7, base = sib & 7;
    if (index != 4)                          // 4: no index
      ea += *emul_reg(tf, index) << scale;
    if (base == 5 && mod == 0) {             // no base: a disp32
      if (*i + 4 > n)
        return -1;
      ea += *(u32 *)(code + *i);
      *i += 4;
    } else {
      ea += *emul_reg(tf, base);
    }
  } else if (rm == 5 && mod == 0) {          // disp32 alone
    if (*i + 4 > n)
      return -1;
    ea = *(u32 *)(code + *i);
    *i += 4;
  } else {
    ea = *emul_reg(tf, rm);
  }
  if (mod == 1) {
    if (*i >= n)
      return -1;
    ea += (u32)(int)(signed char)code[(*i)++];
  } else if (mod == 2) {
    if (*i + 4 > n)
      return -1;
    ea += *(u32 *)(code + *i);
    *i += 4;
  }
  in->ea = ea;
  r = 0;
  /* LAB 3: END */
  return r;
}

// Decode the instruction at the guest's eip; 0 if it is one the host
// emulates, -1 if not (or its bytes cannot be read).
int
decode(struct vm *vm, struct insn *in)
{
  u8 code[MAXLEN];
  memset(in, 0, sizeof(*in));
  // As many bytes as the guest can read there: an instruction may end a page,
  // and the page after it may not be mapped.
  u32 eip = vm->tf.eip;
  int n = PGSIZE - (eip & (PGSIZE - 1));
  if (n > MAXLEN)
    n = MAXLEN;
  if (vm_copyin(vm, code, eip, n) < 0)
    return -1;
  if (n < MAXLEN && vm_copyin(vm, code + n, eip + n, MAXLEN - n) == 0)
    n = MAXLEN;

  int i = 0;
  for (; i < n; i++) {                       // prefixes
    if (code[i] == 0x66)
      in->opsize16 = 1;
    else if (code[i] == 0xF3 || code[i] == 0xF2)
      in->rep = 1;
    else if (code[i] == 0x2E || code[i] == 0x36 || code[i] == 0x3E || code[i] == 0x26 ||
             code[i] == 0x64 || code[i] == 0x65)
      ;                                      // segment overrides: all segments are flat
    else
      break;                                 // 0x67 (16-bit addresses), lock: not ours
  }
  if (i >= n)
    return -1;
  u8 op = code[i++];
  int reg;
  in->size = (op & 1) ? (in->opsize16 ? 2 : 4) : 1;
  switch (op) {
  case 0xFA: in->kind = EM_CLI; break;
  case 0xFB: in->kind = EM_STI; break;
  case 0xF4: in->kind = EM_HLT; break;
  case 0xE4: case 0xE5: case 0xE6: case 0xE7:   // in/out with an imm8 port
    if (i >= n)
      return -1;
    in->port = code[i++];
    in->in = op < 0xE6;
    in->kind = in->in ? EM_IN : EM_OUT;
    break;
  case 0xEC: case 0xED: case 0xEE: case 0xEF:   // in/out with the port in dx
    in->port = vm->tf.edx & 0xFFFF;
    in->in = op < 0xEE;
    in->kind = in->in ? EM_IN : EM_OUT;
    break;
  case 0x6C: case 0x6D: case 0x6E: case 0x6F:   // ins/outs
    in->port = vm->tf.edx & 0xFFFF;
    in->in = op < 0x6E;
    in->string = 1;
    in->kind = EM_STRIO;
    break;
  case 0x0F:
    if (i >= n)
      return -1;
    op = code[i++];
    if (op == 0x20 || op == 0x22) {          // mov r32, crN / mov crN, r32
      if (i >= n)
        return -1;
      u8 m = code[i++];                      // always a register operand, whatever mod says
      in->kind = EM_MOVCR;
      in->cr = (m >> 3) & 7;
      in->reg = m & 7;
      in->tocr = op == 0x22;
    } else if (op == 0x01) {                 // group 7: lgdt /2, lidt /3, invlpg /7
      if (modrm(vm, code, n, &i, &reg, in) < 0 || !in->mem)
        return -1;
      if (reg == 2)
        in->kind = EM_LGDT;
      else if (reg == 3)
        in->kind = EM_LIDT;
      else if (reg == 7)
        in->kind = EM_INVLPG;
      else
        return -1;                           // sgdt, sidt, smsw...: they do not fault
    } else if (op == 0x00) {                 // group 6: ltr /3
      if (modrm(vm, code, n, &i, &reg, in) < 0 || reg != 3)
        return -1;
      in->kind = EM_LTR;
    } else {
      return -1;
    }
    break;
  default:
    return -1;
  }
  if (!in->string)
    in->rep = 0;                             // as the CPU, rep means nothing elsewhere
  in->len = i;
  return 0;
}
