// vdev_serial.c: the second serial port, COM2, in pass mode (lab 2): one VM may
// own it (boot line vms=NAME:com2), so that one user sits at a terminal of their
// own, as each user of VM/370 did: QEMU's second -serial (a pty, a TCP socket)
// is that VM's console, and its driver talks to the 16550 directly. While the
// owner runs, the port's registers (0x2F8-0x2FF) are in its I/O bitmap
// (switcher.c); its interrupt, IRQ 3, is the owner's: in route mode the host
// passes it on as virtual interrupt 3, in swap and defer modes it goes straight
// to the owner's handler while the owner runs (irq.c).
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

#define COM2     0x2F8
#define IRQ_COM2 3

static struct vm *owner;

static int
alive(struct vm *vm)
{
  return vm && vm->state != VM_STOPPED && vm->state != VM_FREE;
}

// The real IRQ 3 reached the host (the owner was not running, or runs in route
// mode): it is the owner's virtual interrupt 3.
static void
com2_intr(void)
{
  if (alive(owner))
    irq_raise(owner, IRQ_COM2);
}

// Give vm COM2. 0, or -1 after saying why not.
int
vserial_attach(struct vm *vm)
{
  if (alive(owner) && owner != vm) {
    kprintf("vmos: '%s': COM2 already belongs to VM %d\n", vm->name, owner->id);
    return -1;
  }
  if (inb(COM2 + 5) == 0xFF) {
    kprintf("vmos: '%s': there is no COM2 (QEMU's second -serial)\n", vm->name);
    return -1;
  }
  if (vm->nports + 8 > NELEM(vm->ports)) {
    kprintf("vmos: '%s': too many passed-through ports for COM2 too\n", vm->name);
    return -1;
  }
  for (int p = 0; p < 8; p++)
    vm->ports[vm->nports++] = COM2 + p;
  vm->irqs |= 1 << IRQ_COM2;
  owner = vm;
  irq_register(IRQ_COM2, com2_intr);
  pic_enable(IRQ_COM2);
  return 0;
}

// Is COM2 asking to be served: received data waiting, with its receive
// interrupt on? (handback.c: has IRQ 3 been taken and not served?) Read
// through the line status register, which a read does not change but for
// its error bits; the interrupt identification register would answer
// better, but reading it can clear a pending transmitter interrupt, which
// is the owner's to see. So a transmitter interrupt is not checked.
int
vserial_requesting(void)
{
  return owner && (inb(COM2 + 5) & 0x01) && (inb(COM2 + 1) & 0x01);
}

// Does vm own COM2? (HC_VM_INFO)
int
vserial_owned(struct vm *vm)
{
  return owner == vm;
}
