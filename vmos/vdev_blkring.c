// vdev_blkring.c: the host side of the pv disk's request ring (lab 3; the
// layout and the rules are in vmos/abi.h, "The pv disk's request ring"). The
// idea of Xen's blkfront/blkback and of virtio-blk: the guest queues many
// requests of up to 64 KiB in a page it shares with the host and enters the
// host once per batch (HC_BLK_NOTIFY, from hcall.c); the host does them all on
// the VM's drive (kernel/ide.c, as vdisk_block does for the old one-call-per-
// request HC_BLOCK_IO), posts a completion each and raises one VIRQ_DISK.
// So a batch costs one host entry, where `trap` mode costs one per I/O
// instruction and `pass` mode one interrupt per command.
// The ring is guest memory: the guest may change any word of it at any time,
// also while the host reads it. So the host keeps its own indices (vdisk's
// req_cons and done_prod), reads each guest index and each request once into
// host memory, checks the copy, and only then acts on it.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

// HC_BLK_SETUP: the page at gva becomes vm's ring. A guest may set it again
// (a reboot of its driver): the host starts afresh with empty indices.
int
blkring_setup(struct vm *vm, u32 gva)
{
  if (vm->disk.drive < 0 || vm->disk.mode != DISK_PV)
    return E_INVAL;
  if (gva & (PGSIZE - 1))
    return E_FAULT;
  struct blk_ring *r = vm_page(vm, gva, 1);
  if (r == 0)
    return E_FAULT;
  r->req_prod = r->req_cons = r->done_prod = r->done_cons = 0;
  vm->disk.ring = r;
  vm->disk.req_cons = vm->disk.done_prod = 0;
  return 0;
}

// A notify whose indices cannot be true: refused and counted; the guest gets
// BLK_LIES_MAX chances (a driver bug may do it once), then it is stopped, so
// that a guest cannot make the host check a lying ring forever.
static int
lie(struct vm *vm, const char *what, u32 a, u32 b)
{
  if (++vm->st.blk_lies >= BLK_LIES_MAX)
    vm_stop(vm, "its disk ring lies: %s (0x%x against 0x%x), %u times", what, a, b,
            vm->st.blk_lies);
  return E_INVAL;
}

// One request, already copied out of the ring: its status (sectors done, or
// an error). Each check stops what a hostile guest would get without it.
static int
do_request(struct vm *vm, struct blk_req *q)
{
  u8 sec[DISK_SECTOR];
  u32 size = ide_size(vm->disk.drive);
  // A count of 0 or more than 64 KiB: no work to bound, or too much.
  if (q->count == 0 || q->count > BLK_MAX_SECTORS || (q->op != BLK_READ && q->op != BLK_WRITE))
    return E_INVAL;
  // Sectors beyond its disk would be another VM's (or nobody's); written so
  // that sector + count cannot wrap around.
  if (q->sector >= size || q->count > size - q->sector)
    return E_INVAL;
  // The buffer must be its own memory, all of it, before anything moves (a
  // read would otherwise write into host memory through a wrapping address).
  if (!vm_range_ok(vm, q->buf, q->count * DISK_SECTOR))
    return E_FAULT;
  int write = q->op == BLK_WRITE;
  for (u32 i = 0; i < q->count; i++) {
    u32 at = q->buf + i * DISK_SECTOR;
    if (write && vm_copyin(vm, sec, at, DISK_SECTOR) < 0)
      return E_FAULT;
    if (ide_rw(vm->disk.drive, q->sector + i, sec, write) < 0)
      return E_INVAL;                  // the drive failed: say so, not how far
    if (!write && vm_copyout(vm, at, sec, DISK_SECTOR) < 0)
      return E_FAULT;
    vm->st.blk_sectors++;
  }
  return q->count;
}

// HC_BLK_NOTIFY: take what is queued, do it, post the completions, one
// interrupt for all. Bounded: at most BLK_NREQ requests (and no more than
// there is room for completions) and BLK_NOTIFY_SECTORS sectors a notify.
int
blkring_notify(struct vm *vm)
{
  struct vdisk *d = &vm->disk;
  struct blk_ring *r = d->ring;
  if (r == 0)
    return E_INVAL;
  vm->st.blk_notifies++;
  u32 prod = r->req_prod, done_cons = r->done_cons;   // read once each
  if (prod - d->req_cons > BLK_NREQ)
    return lie(vm, "req_prod is too far ahead of req_cons", prod, d->req_cons);
  if (d->done_prod - done_cons > BLK_NREQ)
    return lie(vm, "done_cons is not behind done_prod", done_cons, d->done_prod);
  u32 room = BLK_NREQ - (d->done_prod - done_cons);
  int taken = 0;
  u32 sectors = 0;
  while (d->req_cons != prod && room > 0 && sectors < BLK_NOTIFY_SECTORS) {
    struct blk_req q = r->req[d->req_cons % BLK_NREQ];   // a copy: the guest may
    int st = do_request(vm, &q);                           // change the slot meanwhile
    if (st < 0)
      vm->st.blk_refused++;
    else {
      sectors += st;
      vm->st.disk_cmds++;                                  // as HC_BLOCK_IO counts one
    }
    struct blk_done *c = &r->done[d->done_prod % BLK_NREQ];
    c->id = q.id;
    c->status = st;
    d->req_cons++;
    d->done_prod++;
    room--;
    taken++;
    vm->st.blk_requests++;
  }
  // The indices after the slots they publish (one CPU: program order is enough).
  r->req_cons = d->req_cons;
  r->done_prod = d->done_prod;
  if (taken > 0) {
    vm->st.blk_batches++;
    irq_raise(vm, VIRQ_DISK);
  }
  return taken;
}
