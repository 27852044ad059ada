// emulate.c: trap-and-emulate, VM/370 style (design.md section 8, `trap` mode).
// A guest kernel's in/out instruction on a port that is not in its I/O bitmap
// raises #GP in ring 1; the host decodes the instruction from guest memory,
// performs it on the VM's virtual device (vdev_disk.c) and steps over it. A
// process's I/O instruction (ring 3) is never emulated: it is the guest
// kernel's business (reflected as #GP), since a process has no I/O rights.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/vpc.h"

#define EMU_STRING_MAX 1024   // elements of a rep ins/outs emulated per host entry

struct ioinsn {
  int in;          // 1: in/ins, 0: out/outs
  int string;      // ins/outs
  int rep;         // with a rep prefix
  int size;        // 1, 2 or 4 bytes
  u16 port;
  int len;         // instruction length in bytes
};

// Decode the instruction at the guest's eip; 0 if it is an I/O instruction.
static int
decode(struct vm *vm, struct ioinsn *io)
{
  u8 code[8];
  int opsize16 = 0;
  memset(io, 0, sizeof(*io));
  // At most 8 bytes, as many as the guest can read: they may end a page.
  int n = PGSIZE - (vm->tf.eip & (PGSIZE - 1));
  if (n > (int)sizeof(code))
    n = sizeof(code);
  if (vm_copyin(vm, code, vm->tf.eip, n) < 0)
    return -1;
  if (n < (int)sizeof(code) && vm_copyin(vm, code + n, vm->tf.eip + n, sizeof(code) - n) == 0)
    n = sizeof(code);
  int i = 0;
  for (; i < n; i++) {                              // prefixes
    if (code[i] == 0x66)
      opsize16 = 1;
    else if (code[i] == 0xF3 || code[i] == 0xF2)
      io->rep = 1;
    else if (code[i] == 0x2E || code[i] == 0x36 || code[i] == 0x3E || code[i] == 0x26 ||
             code[i] == 0x64 || code[i] == 0x65)
      ;                                             // segment overrides: all flat
    else
      break;
  }
  if (i >= n)
    return -1;
  u8 op = code[i++];
  int wide = op & 1;
  io->size = wide ? (opsize16 ? 2 : 4) : 1;
  switch (op & ~1) {
  case 0xE4: case 0xE6:                             // in/out with an imm8 port
    if (i >= n)
      return -1;
    io->port = code[i++];
    io->in = op < 0xE6;
    break;
  case 0xEC: case 0xEE:                             // in/out with port in dx
    io->port = vm->tf.edx & 0xFFFF;
    io->in = op < 0xEE;
    break;
  case 0x6C: case 0x6E:                             // ins/outs
    io->port = vm->tf.edx & 0xFFFF;
    io->in = op < 0x6E;
    io->string = 1;
    break;
  default:
    return -1;
  }
  io->len = i;
  return 0;
}

static u32
mask(int size)
{
  return size == 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
}

// One element of port I/O: the VM's trap-mode disk's ports, else its
// virtual PC's (vmos/vpc/: 8259s, PIT, COM1, the rest of the bus).
static u32
port_in(struct vm *vm, u16 port, int size)
{
  u32 v = 0;
  if (vdev_claims(vm, port))
    return vdev_in(vm, port, size);
  vpc_io(vm, port, size, 1, &v);
  return v;
}

static void
port_out(struct vm *vm, u16 port, int size, u32 v)
{
  if (vdev_claims(vm, port))
    vdev_out(vm, port, size, v);
  else
    vpc_io(vm, port, size, 0, &v);
}

// The guest kernel took #GP. Returns 1 if it was an I/O instruction that was
// emulated (or that stopped the VM), 0 if the #GP is the guest's own.
int
emulate_io(struct vm *vm)
{
  struct trapframe *tf = &vm->tf;
  struct ioinsn io;
  if ((tf->cs & 3) != 1 || decode(vm, &io) < 0 ||
      !(vdev_claims(vm, io.port) || vm->pc))
    return 0;
  if (!io.string) {
    if (io.in)
      tf->eax = (tf->eax & ~mask(io.size)) | (port_in(vm, io.port, io.size) & mask(io.size));
    else
      port_out(vm, io.port, io.size, tf->eax & mask(io.size));
  } else {
    // At most EMU_STRING_MAX elements per host entry: a rep ins/outs of any
    // length is done in bounded steps. Like hardware taking an interrupt in
    // the middle, the host leaves eip on the instruction with ecx counting
    // what is left, and the guest runs it again (timer ticks, and so other
    // VMs, get in between). Otherwise one instruction could hold the host
    // for as long as the guest's ecx says.
    u32 count = io.rep ? tf->ecx : 1;
    if (count > EMU_STRING_MAX)
      count = EMU_STRING_MAX;
    u32 *addr = io.in ? &tf->edi : &tf->esi;
    int step = (tf->eflags & FL_DF) ? -io.size : io.size;
    while (count > 0) {
      // As many elements as this guest page holds, in one go if the device
      // can take them so (a sector's 128 dwords); else one the long way.
      u32 v = 0, off = *addr & (PGSIZE - 1), n = 0;
      char *page;
      if (step > 0 && off + io.size <= PGSIZE && vdev_claims(vm, io.port) &&
          (page = vm_page(vm, *addr, io.in))) {
        u32 fit = (PGSIZE - off) / io.size;
        n = vdev_data(vm, io.port, io.in, page + off, (fit < count ? fit : count) * io.size,
                      io.size) / io.size;
      }
      if (n == 0) {
        n = 1;
        if (io.in) {
          v = port_in(vm, io.port, io.size);
          if (vm_copyout(vm, *addr, &v, io.size) < 0)
            goto bad;
        } else {
          if (vm_copyin(vm, &v, *addr, io.size) < 0)
            goto bad;
          port_out(vm, io.port, io.size, v);
        }
      }
      if (vm->state == VM_STOPPED)
        return 1;                    // it wrote its exit (port 0xF4): its memory is gone
      *addr += step * (int)n;
      count -= n;
      if (io.rep)
        tf->ecx -= n;
    }
  }
  if (!io.string || !io.rep || tf->ecx == 0)
    tf->eip += io.len;               // done; else it runs again for the rest
  vm->st.emulated++;
  return 1;

bad:
  vm_stop(vm, "%s on port 0x%x with a buffer at 0x%x outside its memory",
          io.in ? "ins" : "outs", io.port, io.in ? tf->edi : tf->esi);
  return 1;
}
