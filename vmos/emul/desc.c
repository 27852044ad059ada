// desc.c: the guest's own descriptor tables, read from its memory (trap mode).
// A trap-mode guest loads its IDT, GDT and task register with the
// instructions themselves (lidt, lgdt, ltr in ring 1: #GP, emul.c); the host
// never lets the CPU use any of them. Instead:
//   lidt  the host reads the guest's IDT and makes the VM's trap table from
//         it, each gate checked as HC_SET_TRAP checks an entry (trap_set,
//         hcall.c): a 32-bit interrupt or trap gate, vmos's guest kernel code
//         selector, DPL 1 or 3, a handler inside the guest's kernel. A gate
//         that points anywhere else (the host's memory above all) stops the VM
//         with the vector and the address: a hostile IDT is never half taken.
//         The VM's real IDT is built from that table (vidt.c), as for a
//         paravirtual guest; the host's vectors (NMI, double fault, the
//         hypercall's) stay the host's whatever the guest's IDT says.
//   lgdt  only remembered: it tells ltr where the guest's TSS descriptor is.
//         Segments stay vmos's (vmos/abi.h): the guest's GDT describes them
//         the same way, and the CPU never loads a descriptor from it.
//   ltr   the host finds the TSS in the guest's GDT and keeps its address: a
//         TSS that is not wholly in the VM's memory stops the VM. From then on
//         the guest sets its ring-1 stack by writing esp1 in its own TSS (no
//         fault, as on a PC); the host reads it (desc_esp1) whenever it
//         delivers a trap from ring 3, as HC_STACK_SWITCH would have set it.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/emul/emul.h"

#define TSS_MIN 104               // a 32-bit TSS: its registers up to the I/O map base

// The 6-byte operand of lidt/lgdt: limit, then base (24 bits with 0x66).
static int
dtr_read(struct vm *vm, u32 ea, int opsize16, u32 *base, u32 *limit)
{
  u8 d[6];
  if (vm_copyin(vm, d, ea, 6) < 0)
    return -1;
  *limit = d[0] | d[1] << 8;
  *base = d[2] | d[3] << 8 | d[4] << 16 | (u32)d[5] << 24;
  if (opsize16)
    *base &= 0xFFFFFF;
  return 0;
}

void
desc_lidt(struct vm *vm, u32 ea, int opsize16)
{
  static u32 idt[256][2];         // the host runs one trap at a time
  u32 base, limit;
  if (dtr_read(vm, ea, opsize16, &base, &limit) < 0) {
    vm_stop(vm, "lidt: its operand at 0x%x is outside its memory", ea);
    return;
  }
  u32 n = (limit + 1) / 8;        // whole gates only
  if (n > 256)
    n = 256;
  if (n && vm_copyin(vm, idt, base, n * 8) < 0) {
    vm_stop(vm, "lidt: its IDT at 0x%x (%u gates) is outside its memory", base, n);
    return;
  }
  // First check every gate, then take them: a bad one stops the VM with
  // nothing of its IDT in use.
  for (u32 v = 0; v < n; v++) {
    u32 lo = idt[v][0], hi = idt[v][1];
    if (!(hi & 0x8000))
      continue;                   // not present
    u32 handler = (hi & 0xFFFF0000) | (lo & 0xFFFF), sel = lo >> 16;
    u32 type = (hi >> 8) & 0x1F, dpl = (hi >> 13) & 3;
    // A hostile guest points a gate at host code, or at the switcher, or at
    // a host selector, hoping the CPU will take it there in ring 0.
    if (type != 0xE && type != 0xF) {
      vm_stop(vm, "lidt: vector %u: gate type 0x%x is not a 32-bit interrupt or trap gate",
              v, type);
      return;
    }
    if ((sel & ~3) != (SEL_GKCODE & ~3)) {
      vm_stop(vm, "lidt: vector %u: selector 0x%x is not the guest kernel's code (0x%x)",
              v, sel, SEL_GKCODE);
      return;
    }
    if (dpl != 1 && dpl != 3) {
      vm_stop(vm, "lidt: vector %u: gate DPL %u (only 1 or 3 in ring 1)", v, dpl);
      return;
    }
    if (handler - vm->mem_base >= vm->mem_size || !vm_range_ok(vm, handler, 1)) {
      vm_stop(vm, "lidt: vector %u: handler 0x%x is outside its kernel", v, handler);
      return;
    }
  }
  for (u32 v = 0; v < 256; v++) {
    if (v == 2 || v == 8 || v == HCALL_VECTOR)
      continue;                   // the host's (trap_set refuses them)
    u32 hi = v < n ? idt[v][1] : 0;
    int r;
    if (!(hi & 0x8000)) {
      r = trap_set(vm, v, 0, TT_CLEAR);
    } else {
      u32 handler = (hi & 0xFFFF0000) | (idt[v][0] & 0xFFFF);
      u32 flags = ((hi >> 13) & 3) | (((hi >> 8) & 0x1F) == 0xF ? TT_TRAPGATE : 0);
      r = trap_set(vm, v, handler, flags);
    }
    if (r < 0) {
      vm_stop(vm, "lidt: vector %u refused (error %d)", v, r);
      return;
    }
  }
}

void
desc_lgdt(struct vm *vm, u32 ea, int opsize16)
{
  u32 base, limit;
  if (dtr_read(vm, ea, opsize16, &base, &limit) < 0) {
    vm_stop(vm, "lgdt: its operand at 0x%x is outside its memory", ea);
    return;
  }
  vm->gdt_base = base;
  vm->gdt_limit = limit;
}

void
desc_ltr(struct vm *vm, u16 sel)
{
  u32 d[2];
  u32 off = sel & ~7;
  if ((sel & 4) || off == 0 || off + 7 > vm->gdt_limit ||
      vm_copyin(vm, d, vm->gdt_base + off, 8) < 0) {
    vm_stop(vm, "ltr 0x%x: no such descriptor in its GDT (at 0x%x, limit 0x%x)", sel,
            vm->gdt_base, vm->gdt_limit);
    return;
  }
  u32 type = (d[1] >> 8) & 0x1F;
  if (!(d[1] & 0x8000) || (type != 0x9 && type != 0xB)) {
    vm_stop(vm, "ltr 0x%x: descriptor type 0x%x is not a present 32-bit TSS", sel, type);
    return;
  }
  u32 base = (d[0] >> 16) | (d[1] & 0xFF) << 16 | (d[1] & 0xFF000000);
  u32 limit = (d[0] & 0xFFFF) | (d[1] & 0xF0000);
  if (d[1] & 0x800000)
    limit = limit << 12 | 0xFFF;
  // A TSS the host could not read later (outside the VM, or across the host's
  // memory) would leave it no ring-1 stack to deliver a process's trap on.
  if (limit + 1 < TSS_MIN || !vm_range_ok(vm, base, TSS_MIN) ||
      base - vm->mem_base >= vm->mem_size) {
    vm_stop(vm, "ltr 0x%x: its TSS at 0x%x (limit 0x%x) is outside its memory", sel, base,
            limit);
    return;
  }
  vm->gtss = base;
}

// The ring-1 stack for a trap from ring 3: esp1 and ss1 of the guest's own
// TSS, read now (the guest writes them whenever it switches processes).
// 0, or -1 after stopping the VM.
int
desc_esp1(struct vm *vm)
{
  u32 r[2];                       // esp1, ss1: offsets 12 and 16
  if (vm->gtss == 0) {
    vm_stop(vm, "a trap from ring 3 before any ltr: no ring-1 stack");
    return -1;
  }
  if (vm_copyin(vm, r, vm->gtss + 12, 8) < 0) {
    vm_stop(vm, "its TSS at 0x%x is no longer in its memory", vm->gtss);
    return -1;
  }
  if ((r[1] & 0xFFFF) != SEL_GKDATA) {
    vm_stop(vm, "its TSS's ss1 0x%x is not the guest kernel's data (0x%x)", r[1] & 0xFFFF,
            SEL_GKDATA);
    return -1;
  }
  vm->esp1 = r[0];                // reflect() checks the frame fits in its memory
  return 0;
}
