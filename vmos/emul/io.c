// io.c: in, out, ins and outs, emulated (design.md section 8, `trap` mode;
// moved here from vmos/emulate.c). A guest kernel's I/O instruction on a port
// that is not in its I/O bitmap raises #GP in ring 1; emul.c has decoded it
// (decode.c) and hands it here, to be done on the VM's virtual devices: its
// IDE disk (vdev_disk.c) and, for a trap-mode VM, its virtual PC (the 8259
// pair, the PIT, COM1, the exit port: vmos/vpc/, whose bus answers every
// other port as a PC with nothing there does). A trap-mode VM without a PC
// (none) would read all ones (counted); another VM's port that is not its
// disk's (and that has no PC, boot line field pc) is its own #GP.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/vpc.h"
#include "vmos/emul/emul.h"

#define EMU_STRING_MAX 1024   // elements of a rep ins/outs emulated per host entry

static u32
mask(int size)
{
  return size == 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
}

// One access to a port, on whichever device answers it.
static u32
port_in(struct vm *vm, u16 port, int size)
{
  u32 v = 0xFFFFFFFF;
  if (vdev_claims(vm, port))
    return vdev_in(vm, port, size);
  if (vm->pc && vpc_io(vm, port, size, 1, &v))
    return v;
  vm->st.em[EM_UNCLAIMED]++;
  return 0xFFFFFFFF;                 // nothing there: the bus floats high
}

static void
port_out(struct vm *vm, u16 port, int size, u32 v)
{
  if (vdev_claims(vm, port))
    vdev_out(vm, port, size, v);
  else if (!(vm->pc && vpc_io(vm, port, size, 0, &v)))
    vm->st.em[EM_UNCLAIMED]++;
}

// Do the decoded I/O instruction in and step over it. Returns 1 if it was
// done (or stopped the VM), 0 if the #GP is the guest's own (a port of no
// device of a VM that is not in trap mode).
int
io_emulate(struct vm *vm, struct insn *io)
{
  struct trapframe *tf = &vm->tf;
  if (!vm->trapmode && !vm->pc && !vdev_claims(vm, io->port))
    return 0;
  if (!io->string) {
    if (io->in)
      tf->eax = (tf->eax & ~mask(io->size)) | (port_in(vm, io->port, io->size) & mask(io->size));
    else
      port_out(vm, io->port, io->size, tf->eax & mask(io->size));
  } else {
    // At most EMU_STRING_MAX elements per host entry: a rep ins/outs of any
    // length is done in bounded steps. Like hardware taking an interrupt in
    // the middle, the host leaves eip on the instruction with ecx counting
    // what is left, and the guest runs it again (timer ticks, and so other
    // VMs, get in between). Otherwise one instruction could hold the host
    // for as long as the guest's ecx says.
    u32 count = io->rep ? tf->ecx : 1;
    if (count > EMU_STRING_MAX)
      count = EMU_STRING_MAX;
    u32 *addr = io->in ? &tf->edi : &tf->esi;
    int step = (tf->eflags & FL_DF) ? -io->size : io->size;
    while (count > 0) {
      // As many elements as this guest page holds, in one go if the disk
      // can take them so (a sector's 128 dwords); else one the long way.
      u32 v = 0, off = *addr & (PGSIZE - 1), n = 0;
      char *page;
      if (step > 0 && off + io->size <= PGSIZE && vdev_claims(vm, io->port) &&
          (page = vm_page(vm, *addr, io->in))) {
        u32 fit = (PGSIZE - off) / io->size;
        n = vdev_data(vm, io->port, io->in, page + off, (fit < count ? fit : count) * io->size,
                      io->size) / io->size;
      }
      if (n == 0) {
        n = 1;
        if (io->in) {
          v = port_in(vm, io->port, io->size);
          if (vm_copyout(vm, *addr, &v, io->size) < 0)
            goto bad;
        } else {
          if (vm_copyin(vm, &v, *addr, io->size) < 0)
            goto bad;
          port_out(vm, io->port, io->size, v);
        }
      }
      if (vm->state == VM_STOPPED)
        return 1;                    // it wrote its exit (port 0xF4): its memory is gone
      *addr += step * (int)n;
      count -= n;
      if (io->rep)
        tf->ecx -= n;
    }
  }
  if (!io->string || !io->rep || tf->ecx == 0)
    tf->eip += io->len;              // done; else it runs again for the rest
  vm->st.emulated++;
  return 1;

bad:
  vm_stop(vm, "%s on port 0x%x with a buffer at 0x%x outside its memory",
          io->in ? "ins" : "outs", io->port, io->in ? tf->edi : tf->esi);
  return 1;
}
