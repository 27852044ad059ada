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

// A request that is wrong itself: its error; 0 if it may go to the drive.
// The guest wrote it; the host copied it out of the ring first (the guest may
// change the slot meanwhile) and believes nothing in it unchecked.
static int
check(struct vm *vm, struct blk_req *q)
{
  int st = 0;
  // LAB 3: the checks of one request of the disk ring. What must hold: a
  // request goes to the drive only if its count is 1..BLK_MAX_SECTORS (none:
  // no work to bound; more: too much for one notify), its op is BLK_READ or
  // BLK_WRITE, its sectors all lie on the VM's disk (ide_size; beyond it is
  // another VM's disk or nobody's; mind that sector + count can wrap), and
  // its buffer, all of it, is the VM's own memory (vm_range_ok), before
  // anything moves: a read would otherwise write into host memory. E_INVAL
  // for the first three, E_FAULT for the buffer.
  /* LAB 3: BEGIN */
  u32 size = ide_size(vm->disk.drive);
  if (q->count == 0 || q->count > BLK_MAX_SECTORS || (q->op != BLK_READ && q->op != BLK_WRITE))
    st = E_INVAL;
  else if (q->sector >= size || q->count > size - q->sector)
    st = E_INVAL;                    // written so that sector + count cannot wrap
  else if (!vm_range_ok(vm, q->buf, q->count * DISK_SECTOR))
    st = E_FAULT;
  /* LAB 3: END */
  return st;
}

#define MERGE 16                   // sectors one drive command moves (READ/WRITE MULTIPLE)
static struct blk_req run[MERGE];  // checked requests for one command: same op, in order
static int nrun;
static u32 run_sectors;
static u8 chunk[MERGE * DISK_SECTOR];

static void
post(struct vm *vm, u32 id, int st)
{
  struct blk_done *c = &vm->disk.ring->done[vm->disk.done_prod % BLK_NREQ];
  c->id = id;
  c->status = st;
  vm->disk.done_prod++;
  if (st < 0)
    vm->st.blk_refused++;
  else
    vm->st.disk_cmds++;
}

// The run's requests as one drive command, then their completions in order.
static void
flush(struct vm *vm)
{
  if (nrun == 0)
    return;
  int write = run[0].op == BLK_WRITE, st = 0;
  u32 off = 0;
  for (int i = 0; write && i < nrun; off += run[i++].count * DISK_SECTOR)
    if (vm_copyin(vm, chunk + off, run[i].buf, run[i].count * DISK_SECTOR) < 0)
      st = E_FAULT;
  if (st == 0 && ide_rwn(vm->disk.drive, run[0].sector, chunk, run_sectors, write) < 0)
    st = E_INVAL;
  off = 0;
  for (int i = 0; i < nrun; off += run[i++].count * DISK_SECTOR) {
    int s = st;
    if (s == 0 && !write && vm_copyout(vm, run[i].buf, chunk + off, run[i].count * DISK_SECTOR) < 0)
      s = E_FAULT;
    if (s == 0) {
      s = run[i].count;
      vm->st.blk_sectors += s;
    }
    post(vm, run[i].id, s);
  }
  nrun = 0;
  run_sectors = 0;
}

// A request larger than a command: MERGE sectors a command.
static int
do_big(struct vm *vm, struct blk_req *q)
{
  int write = q->op == BLK_WRITE;
  for (u32 i = 0; i < q->count; i += MERGE) {
    u32 k = q->count - i < MERGE ? q->count - i : MERGE;
    u32 at = q->buf + i * DISK_SECTOR;
    if (write && vm_copyin(vm, chunk, at, k * DISK_SECTOR) < 0)
      return E_FAULT;
    if (ide_rwn(vm->disk.drive, q->sector + i, chunk, k, write) < 0)
      return E_INVAL;
    if (!write && vm_copyout(vm, at, chunk, k * DISK_SECTOR) < 0)
      return E_FAULT;
    vm->st.blk_sectors += k;
  }
  return q->count;
}

// HC_BLK_NOTIFY: take what is queued, do it, post the completions, one
// interrupt for all. Bounded: at most BLK_NREQ requests (and no more than
// there is room for completions) and BLK_NOTIFY_SECTORS sectors a notify.
// Requests for adjacent sectors, in order and of one kind, go to the drive
// as one command.
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
    d->req_cons++;                                         // change the slot meanwhile
    room--;
    taken++;
    vm->st.blk_requests++;
    int st = check(vm, &q);
    if (st < 0 || q.count > MERGE) {
      flush(vm);
      if (st == 0)
        st = do_big(vm, &q);
      if (st > 0)
        sectors += st;
      post(vm, q.id, st);
      continue;
    }
    if (nrun > 0 && (q.op != run[0].op || q.sector != run[nrun - 1].sector + run[nrun - 1].count ||
                     run_sectors + q.count > MERGE))
      flush(vm);
    run[nrun++] = q;
    run_sectors += q.count;
    sectors += q.count;
  }
  flush(vm);
  // The indices after the slots they publish (one CPU: program order is enough).
  r->req_cons = d->req_cons;
  r->done_prod = d->done_prod;
  if (taken > 0) {
    vm->st.blk_batches++;
    irq_raise(vm, VIRQ_DISK);
  }
  return taken;
}
