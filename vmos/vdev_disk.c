// vdev_disk.c: a VM's disk, in one of three modes (design.md section 8):
//   trap: below. pass: vdisk_attach gives the VM the ports of a real IDE channel
//   (its I/O bitmap while it runs) and the channel's IRQ is routed to it.
//   pv: HC_BLOCK_IO (hcall.c) reads and writes through vdisk_block.
// In `trap` mode the VM sees the registers of an IDE
// primary master (ports 0x1F0-0x1F7 and 0x3F6) as the guest's driver sees them
// through trap-and-emulate (vmos/emul/), backed by one whole host drive
// (kernel/ide.c) that the boot line gives the VM (`vms=NAME:SIZE:hdN`). PIO
// only: read and write sector commands, one or many sectors, identify, flush.
// Each sector ready (or written) raises the VM's virtual IRQ 14 (VIRQ_DISK).
// A write reaches the host drive before the guest is told it is done; the
// drive's cache is flushed when the guest asks (FLUSH CACHE), as with a real
// drive.
#include "types.h"
#include "defs.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DRQ  0x08
#define ST_ERR  0x01

// Does the VM's virtual disk answer on this port? (trap mode only)
int
vdev_claims(struct vm *vm, u16 port)
{
  return vm->disk.drive >= 0 && vm->disk.mode == DISK_TRAP &&
         ((port >= 0x1F0 && port <= 0x1F7) || port == 0x3F6);
}

static u32
cur_lba(struct vdisk *d)
{
  return d->lba[0] | d->lba[1] << 8 | d->lba[2] << 16 | (d->devsel & 0x0F) << 24;
}

static void
interrupt(struct vm *vm)
{
  if (vm->disk.irq_on)
    irq_raise(vm, VIRQ_DISK);
}

// Move the next sector of a read into the buffer.
static void
read_next(struct vm *vm)
{
  struct vdisk *d = &vm->disk;
  d->pos = 0;
  if (ide_rw(d->drive, d->next, d->buf, 0) < 0) {
    d->status = ST_DRDY | ST_ERR;
    d->dir = 0;
  } else {
    d->status = ST_DRDY | ST_DRQ;
    d->dir = 1;
    d->next++;
  }
  interrupt(vm);
}

static void
command(struct vm *vm, u8 cmd)
{
  struct vdisk *d = &vm->disk;
  if (d->devsel & 0x10) {                 // the slave: there is none
    d->status = 0;
    return;
  }
  d->next = cur_lba(d);
  d->left = d->count ? d->count : 256;
  vm->st.disk_cmds++;
  switch (cmd) {
  case 0x20: case 0xC4:                   // read sector(s), read multiple
    if (d->next + d->left > ide_size(d->drive)) {
      d->status = ST_DRDY | ST_ERR;
      interrupt(vm);
      return;
    }
    read_next(vm);
    return;
  case 0x30: case 0xC5:                   // write sector(s), write multiple
    if (d->next + d->left > ide_size(d->drive)) {
      d->status = ST_DRDY | ST_ERR;
      interrupt(vm);
      return;
    }
    d->status = ST_DRDY | ST_DRQ;
    d->dir = 2;
    d->pos = 0;
    return;                               // no interrupt until data arrives
  case 0xEC: {                            // identify: just enough of it
    u16 *id = (u16 *)d->buf;
    memset(d->buf, 0, sizeof(d->buf));
    id[0] = 0x0040;
    id[49] = 0x0200;                      // LBA supported
    id[60] = ide_size(d->drive) & 0xFFFF;
    id[61] = ide_size(d->drive) >> 16;
    d->pos = 0;
    d->left = 1;
    d->dir = 1;
    d->status = ST_DRDY | ST_DRQ;
    interrupt(vm);
    return;
  }
  case 0xE7:                              // flush cache: the host drive's too
    d->status = ide_flush(d->drive) < 0 ? ST_DRDY | ST_ERR : ST_DRDY;
    interrupt(vm);
    return;
  default:
    d->status = ST_DRDY | ST_ERR;
    interrupt(vm);
  }
}

// The guest has read the whole sector buffer: the next sector, or done.
static void
read_done(struct vm *vm)
{
  struct vdisk *d = &vm->disk;
  if (--d->left > 0 && d->status != 0)
    read_next(vm);
  else {
    d->dir = 0;
    d->status = ST_DRDY;
  }
}

// The guest has filled the sector buffer: onto the drive it goes.
static void
write_done(struct vm *vm)
{
  struct vdisk *d = &vm->disk;
  d->pos = 0;
  if (ide_rw(d->drive, d->next++, d->buf, 1) < 0) {
    d->status = ST_DRDY | ST_ERR;
    d->dir = 0;
  } else if (--d->left > 0) {
    d->status = ST_DRDY | ST_DRQ;
  } else {
    d->status = ST_DRDY;
    d->dir = 0;
  }
  interrupt(vm);
}

// rep insl/outsl on the data port, many elements at once (emul/io.c): move up
// to n bytes between the sector buffer and p, whole elements of size bytes, no
// further than the sector's end. Returns the bytes moved; 0: do it one by one.
int
vdev_data(struct vm *vm, u16 port, int in, char *p, int n, int size)
{
  struct vdisk *d = &vm->disk;
  if (port != 0x1F0 || d->dir != (in ? 1 : 2) || (d->pos % size) != 0)
    return 0;
  int room = (int)sizeof(d->buf) - d->pos;
  if (n > room)
    n = room;
  n -= n % size;
  if (in)
    memmove(p, d->buf + d->pos, n);
  else
    memmove(d->buf + d->pos, p, n);
  d->pos += n;
  if (d->pos >= (int)sizeof(d->buf))
    (in ? read_done : write_done)(vm);
  return n;
}

// How many of the size bytes of a data-port access at d->pos lie inside the
// sector buffer. A guest may do a 4-byte access at byte 511: only what is in
// the buffer moves (the rest reads as 0, or is dropped), and it is counted;
// the host's fields after the buffer are never reached.
static int
data_fit(struct vm *vm, int size)
{
  int room = (int)sizeof(vm->disk.buf) - vm->disk.pos;
  if (size <= room)
    return size;
  vm->st.disk_overruns++;
  return room;
}

u32
vdev_in(struct vm *vm, u16 port, int size)
{
  struct vdisk *d = &vm->disk;
  switch (port) {
  case 0x1F0: {                           // data
    if (d->dir != 1)
      return 0;
    u32 v = 0;
    memmove(&v, d->buf + d->pos, data_fit(vm, size));
    d->pos += size;
    if (d->pos >= (int)sizeof(d->buf))
      read_done(vm);
    return v;
  }
  case 0x1F1: return (d->status & ST_ERR) ? 0x04 : 0;   // error: aborted
  case 0x1F2: return d->count;
  case 0x1F3: return d->lba[0];
  case 0x1F4: return d->lba[1];
  case 0x1F5: return d->lba[2];
  case 0x1F6: return d->devsel;
  case 0x1F7: case 0x3F6:
    return (d->devsel & 0x10) ? 0 : d->status;
  }
  return 0xFFFFFFFF;
}

void
vdev_out(struct vm *vm, u16 port, int size, u32 v)
{
  struct vdisk *d = &vm->disk;
  switch (port) {
  case 0x1F0:                             // data, for a write
    if (d->dir != 2)
      return;
    memmove(d->buf + d->pos, &v, data_fit(vm, size));
    d->pos += size;
    if (d->pos >= (int)sizeof(d->buf))
      write_done(vm);
    return;
  case 0x1F1: return;                     // features: ignored
  case 0x1F2: d->count = v; return;
  case 0x1F3: d->lba[0] = v; return;
  case 0x1F4: d->lba[1] = v; return;
  case 0x1F5: d->lba[2] = v; return;
  case 0x1F6: d->devsel = v; return;
  case 0x1F7: command(vm, v); return;
  case 0x3F6: d->irq_on = !(v & 0x02); return;   // nIEN
  }
}

// Which IDE channel a drive is on, and that channel's ports.
static const u16 chan_base[2] = { 0x1F0, 0x170 };
static const u16 chan_ctrl[2] = { 0x3F6, 0x376 };

// Give vm host drive `drive` in `mode`. 0, or -1 after saying why not.
int
vdisk_attach(struct vm *vm, int drive, int mode)
{
  if (ide_size(drive) == 0) {
    kprintf("vmos: '%s': there is no disk hd%d (QEMU -drive index=%d)\n", vm->name, drive, drive);
    return -1;
  }
  for (int k = 0; k < nvms; k++) {
    struct vm *o = &vms[k];
    if (o == vm || o->state == VM_STOPPED || o->state == VM_FREE || o->disk.drive < 0)
      continue;
    // In pass mode the channel is the VM's alone, so the host and others must
    // keep off it. In trap and pv modes the host does every command itself, one
    // at a time, so two VMs may have the master and the slave of one channel.
    // (They were refused once, for a stall that was the scheduler starving a
    // VM, not the disk: test "two xv6a on ... one IDE channel".)
    int same_chan = o->disk.drive / 2 == drive / 2 &&
                    (mode == DISK_PASS || o->disk.mode == DISK_PASS);
    if (o->disk.drive == drive || same_chan) {
      kprintf("vmos: '%s': disk hd%d %s VM %d\n", vm->name, drive,
              o->disk.drive == drive ? "already belongs to" : "shares its IDE channel with", o->id);
      return -1;
    }
  }
  vm->disk.drive = drive;
  vm->disk.mode = mode;
  vm->disk.status = 0x40;              // DRDY: the virtual disk is ready
  if (mode == DISK_PASS) {
    int ch = drive / 2;
    for (int p = 0; p < 8; p++)
      vm->ports[vm->nports++] = chan_base[ch] + p;
    vm->ports[vm->nports++] = chan_ctrl[ch];
    vm->irqs |= 1 << vdisk_irqno(vm);
  }
  return 0;
}

// The real IRQ of vm's IDE channel (pass mode): 14 or 15. Its virtual
// interrupt has the same number, so a handler sees one number either way.
int
vdisk_irqno(struct vm *vm)
{
  return 14 + vm->disk.drive / 2;
}

// Where vm's pass-mode channel is, for HC_VM_INFO: its first port.
int
vdisk_port(struct vm *vm)
{
  return chan_base[vm->disk.drive / 2];
}

// The real interrupt of an IDE channel (IRQ 14 or 15): whose is it? In pass
// mode, the VM that owns the channel; the host itself polls.
void
vdisk_irq(int channel)
{
  for (int k = 0; k < nvms; k++)
    if (vms[k].disk.mode == DISK_PASS && vms[k].disk.drive / 2 == channel)
      irq_raise(&vms[k], vdisk_irqno(&vms[k]));
}

// pv mode: n sectors from `sector` to or from guest address buf.
int
vdisk_block(struct vm *vm, u32 sector, u32 buf, u32 n, int write)
{
  u8 sec[DISK_SECTOR];
  if (vm->disk.mode != DISK_PV)
    return E_INVAL;
  if (n == 0 || n > 8 || sector >= ide_size(vm->disk.drive) ||
      n > ide_size(vm->disk.drive) - sector)
    return E_INVAL;
  if (!vm_range_ok(vm, buf, n * DISK_SECTOR))
    return E_FAULT;
  for (u32 i = 0; i < n; i++) {
    u32 at = buf + i * DISK_SECTOR;
    if (write && vm_copyin(vm, sec, at, DISK_SECTOR) < 0)
      return E_FAULT;
    if (ide_rw(vm->disk.drive, sector + i, sec, write) < 0)
      return i;
    if (!write && vm_copyout(vm, at, sec, DISK_SECTOR) < 0)
      return E_FAULT;
  }
  vm->st.disk_cmds++;
  return n;
}
