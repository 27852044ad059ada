// ide.c: xv6a's disk driver: PIO on an IDE master, interrupt-driven. Requests
// wait in a queue; the head is the one the disk works on. A process asking
// for a block sleeps on its buffer; the disk's interrupt (ideintr, from
// trap.c) finishes the head, wakes its sleeper and starts the next, so other
// processes run while the disk works. The same code runs three ways: on bare
// QEMU these in/out instructions reach the controller and IRQ 14 comes
// through the 8259; under vmos in `trap` mode each faults into the host, which
// emulates the controller on this VM's own drive (vmos/emul/, as VM/370
// intended) and raises virtual interrupt VIRQ_DISK while nIEN is clear; in
// `pass` mode they reach the real controller of a channel the VM owns
// (pv_disk_port), whose IRQ is the VM's (pv_disk_irq). In `pv` mode the
// requests go into the request ring the VM shares with the host (vmos/abi.h,
// lab 3; ring_* below): one HC_BLK_NOTIFY hands the host what is queued, and
// its completions come back in the ring with one VIRQ_DISK, which finishes
// the buffers. A read that misses reads ahead into the driver's own buffer,
// up to a whole 64 KiB request while the reads go on in order, so a file read
// from start to end costs a host entry per up to 128 blocks; the log's commit
// writes all its blocks in one batch (idewritev), a host entry for them all
// where a request at a time cost one each. (A host without the ring: one
// synchronous HC_BLOCK_IO a block, pv_disk_rw.)
// A request whose interrupt has not come in IDE_TIMEOUT ticks is finished by
// polling, said and counted (idetick, from the timer): a lost interrupt costs
// a second, not the process that waits for it.
#include "xv6a.h"
#include "file.h"
#include "pv.h"
#include "vmos/abi.h"

static inline uchar inb(ushort p) { uchar v; asm volatile("inb %1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outb(ushort p, uchar v) { asm volatile("outb %0,%1" : : "a"(v), "d"(p)); }
static inline void insl(int p, void *a, int n) { asm volatile("cld; rep insl" : "+D"(a), "+c"(n) : "d"(p) : "memory"); }
static inline void outsl(int p, const void *a, int n) { asm volatile("cld; rep outsl" : "+S"(a), "+c"(n) : "d"(p)); }

#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DF   0x20
#define ST_DRQ  0x08
#define ST_ERR  0x01

static ushort base = 0x1F0;      // the channel's command block: data .. status
static ushort ctrl = 0x3F6;      // its control register (nIEN)
static struct buf *queue;        // requests; the head is on the disk
static uint nrequests, ninterrupts;   // so far (idedump): in trap and pass mode
                                 // each request is finished by an interrupt of its own
static uint nlost;               // ... but these, finished by idetick
static uint nread, nwritten;     // requests by kind: sectors the file system moved
static struct buf bounce;        // idewritev's copy of a block bound elsewhere
static uint started;             // the clock (trap.c's ticks) when the head was started
#define IDE_TIMEOUT 100          // ticks (1 s) without its interrupt: it is lost

// Wait while the drive is busy; its status, or -1 if it failed (or never
// became ready). Reading the status also acknowledges its interrupt.
static int
idewait(void)
{
  for (int i = 0; i < 10000000; i++) {
    int r = inb(base + 7);
    if ((r & (ST_BSY | ST_DRDY)) == ST_DRDY)
      return (r & (ST_DF | ST_ERR)) ? -1 : r;
  }
  return -1;
}

// ---- pv mode: the request ring ----
static struct blk_ring *ring;    // 0: not pv mode, or a host without a ring
static uint nnotifies;           // HC_BLK_NOTIFY made (idedump)
static uint nbatches, nbatched;  // idewritev's batches, and the writes they held
static uint nempty;              // disk interrupts that found no completion
#define RA_ID   0                // the id of a read into rabuf (a buffer's is its address)
#define RA_MIN  4                // sectors a read that starts elsewhere reads
static uchar rabuf[BLK_MAX_SECTORS * DISK_SECTOR];   // read ahead: sectors ra_start ..
static uint ra_start, ra_n;      // ra_start + ra_n - 1 are (or, while ra_busy, will
                                 // be) a copy of the disk's
static uint ra_win = RA_MIN;     // the next read ahead's size: doubles while in order
static int ra_busy, ra_error;    // a read into rabuf is queued; it failed
static int ra_stale;             // a sector of it was written while it was queued
static uint disk_end;            // sectors on the disk (reads ahead stop there)

// Hand the host what is queued and not yet taken. It takes all of it up to
// its bound a notify (vmos/abi.h); req_cons says how far it got.
static void
ring_kick(void)
{
  for (int i = 0; i < 16 && ring->req_cons != ring->req_prod; i++) {
    nnotifies++;
    if (pv_disk_notify() < 0)
      panic("ide: the host refused the disk ring");
  }
}

// Queue one request without telling the host; its completion comes with
// VIRQ_DISK after a ring_kick. The kernel runs with interrupts off, so
// nothing else queues meanwhile (but while it sleeps for a free slot).
static void
ring_queue(uint id, int op, uint sector, uint count, void *buf)
{
  while (ring->req_prod - ring->done_cons >= BLK_NREQ) {  // every slot unreaped:
    ring_kick();                                          // what we queued first,
    sleep(&ring);                                         // then wait for the interrupt
  }
  struct blk_req *q = &ring->req[ring->req_prod % BLK_NREQ];
  q->id = id;
  q->op = op;
  q->sector = sector;
  q->count = count;
  q->buf = (uint)buf;
  ring->req_prod++;
}

// VIRQ_DISK: finish every completed request.
static void
ring_intr(void)
{
  if (ring->done_cons == ring->done_prod)
    nempty++;
  while (ring->done_cons != ring->done_prod) {
    struct blk_done *c = &ring->done[ring->done_cons % BLK_NREQ];
    if (c->id == RA_ID) {
      ra_busy = 0;
      ra_error = c->status <= 0;
      wakeup(&ra_busy);
    } else {
      struct buf *b = (struct buf *)c->id;
      b->error = c->status != 1;
      b->done = 1;
      wakeup(b);
    }
    ring->done_cons++;
  }
  wakeup(&ring);
}

// Read b through rabuf: a copy if it is there, else a read ahead from it.
static void
ring_read(struct buf *b)
{
  for (;;) {
    while (ra_busy)
      sleep(&ra_busy);
    if (b->blockno >= ra_start && b->blockno < ra_start + ra_n) {
      memmove(b->data, rabuf + (b->blockno - ra_start) * BSIZE, BSIZE);
      return;
    }
    if (b->blockno != ra_start + ra_n)        // not where the last one ended
      ra_win = RA_MIN;
    else if (ra_win < BLK_MAX_SECTORS)
      ra_win *= 2;
    uint n = ra_win < disk_end - b->blockno ? ra_win : disk_end - b->blockno;
    ra_busy = 1;
    ra_stale = 0;
    ra_start = b->blockno;       // set now, so that a write meanwhile sees it
    ra_n = n;
    ring_queue(RA_ID, BLK_READ, b->blockno, n, rabuf);
    ring_kick();
    while (ra_busy)
      sleep(&ra_busy);
    if (ra_error)
      panic("iderw: pv disk error");
    if (ra_stale)                // it may hold what was there before: again
      ra_n = 0;
  }
}

// A write of sector s from data: rabuf's copy of it, if any, stays true
// (or, while the read into rabuf is under way, is thrown away when it comes).
static void
ring_written(uint s, const uchar *data)
{
  if (s < ra_start || s >= ra_start + ra_n)
    return;
  if (ra_busy)
    ra_stale = 1;
  else
    memmove(rabuf + (s - ra_start) * BSIZE, data, BSIZE);
}

// Write bs[0..n-1] (at[i]: the sector each goes to) in one batch, one
// notify, and wait for all of them.
static void
ring_writev(struct buf **bs, uint *at, int n)
{
  for (int i = 0; i < n; i++) {
    ring_written(at[i], bs[i]->data);
    bs[i]->done = 0;
    bs[i]->error = 0;
    ring_queue((uint)bs[i], BLK_WRITE, at[i], 1, bs[i]->data);
  }
  ring_kick();
  for (int i = 0; i < n; i++) {
    while (!bs[i]->done)
      sleep(bs[i]);
    if (bs[i]->error)
      panic("iderw: pv disk error");
  }
}

void
ideinit(void)
{
  initsleeplock(&bounce.lock, "ide bounce");
  if (pv_disk_pv()) {            // vmos pv mode: no ports; the ring's interrupt
    ring = pv_disk_ring();
    disk_end = FSSIZE;
    return;
  }
  base = pv_disk_port();
  ctrl = base + 0x206;
  outb(base + 6, 0xE0);          // the master, LBA
  outb(ctrl, 0);                 // nIEN clear: it interrupts when done
  if (idewait() < 0)
    panic("ideinit: no disk");
}

// Give the disk request b (the queue's head, the disk idle).
static void
idestart(struct buf *b)
{
  started = ticks;
  if (idewait() < 0)
    panic("idestart: the disk is not ready");
  outb(base + 2, 1);
  outb(base + 3, b->blockno);
  outb(base + 4, b->blockno >> 8);
  outb(base + 5, b->blockno >> 16);
  outb(base + 6, 0xE0 | ((b->blockno >> 24) & 0x0F));
  outb(base + 7, b->write ? 0x30 : 0x20);
  if (b->write) {                // the drive asks for the data at once
    int r = 0;
    for (int i = 0; i < 10000000 && ((r = inb(base + 7)) & (ST_BSY | ST_DRQ)) != ST_DRQ; i++)
      if (r & ST_ERR)
        break;
    if ((r & (ST_BSY | ST_DRQ)) != ST_DRQ)
      panic("idestart: the disk took no data");
    outsl(base, b->data, BSIZE / 4);
  }
}

// The head request is done (a read's data waits in the controller): finish
// it, wake its sleeper, start the next.
static void
finish(struct buf *b)
{
  int r = idewait();
  if (r >= 0 && !b->write && (r & ST_DRQ))
    insl(base, b->data, BSIZE / 4);
  b->error = r < 0 || (!b->write && !(r & ST_DRQ));
  queue = b->qnext;
  b->done = 1;
  wakeup(b);
  if (queue)
    idestart(queue);
}

// The disk's interrupt.
void
ideintr(void)
{
  ninterrupts++;
  if (ring) {
    ring_intr();
    return;
  }
  if (queue == 0) {              // nothing asked for: just acknowledge it
    inb(base + 7);
    return;
  }
  finish(queue);
}

// Each timer tick: has the head request waited too long for its interrupt?
// (Its interrupt may still come later: finding no request, or the next one,
// it does no harm, as idewait waits for the drive.) One the host has noted
// for us is not lost, only late: this tick was delivered before it (they
// take turns), which a loaded machine's clock can make a second after the
// command (QEMU's ticks catch up with real time when it gets the CPU back).
void
idetick(void)
{
  if (queue == 0 || ticks - started < IDE_TIMEOUT || pv_irq_noted(pv_disk_irq()))
    return;
  nlost++;
  cprintf("xv6a: ide: no interrupt for block %d in %d ticks: finished by polling\n",
          queue->blockno, IDE_TIMEOUT);
  finish(queue);
}

// For ^P (procdump): the requests so far and the interrupts that came.
void
idedump(void)
{
  cprintf("ide: %d requests, %d interrupts, %d lost\n", nrequests, ninterrupts, nlost);
  cprintf("ide: sectors read %d, written %d\n", nread, nwritten);
  if (ring)
    cprintf("ide: ring: %d notifies, %d requests, %d interrupts with nothing done; %d "
            "batches of %d writes; read ahead: %d sectors held, next %d\n", nnotifies,
            ring->req_prod, nempty, nbatches, nbatched, ra_n, ra_win);
}

// Read b from disk, or write it; the caller holds b's lock and sleeps here
// until the disk is done.
void
iderw(struct buf *b, int write)
{
  if (!holdingsleep(&b->lock))
    panic("iderw: buffer not locked");
  if (b->blockno >= FSSIZE)
    panic("iderw: block out of range");
  nrequests++;
  if (write)
    nwritten++;
  else
    nread++;
  if (ring) {
    if (write) {
      uint at = b->blockno;
      ring_writev(&b, &at, 1);
    } else
      ring_read(b);
    b->valid = 1;
    return;
  }
  if (pv_disk_pv()) {
    if (pv_disk_rw(b->blockno, b->data, write) < 0)
      panic("iderw: pv disk error");
    b->valid = 1;
    return;
  }
  b->write = write;
  b->done = 0;
  b->error = 0;
  b->qnext = 0;
  struct buf **pp = &queue;
  while (*pp)
    pp = &(*pp)->qnext;
  *pp = b;
  if (queue == b)
    idestart(b);
  while (!b->done)               // a loop: kill() wakes sleepers early
    sleep(b);
  if (b->error)
    panic("iderw: disk error");
  b->valid = 1;
}

// Write bs[0..n-1], each locked by the caller, buffer i to sector at[i] (or,
// with at 0, each to its own block), and return when all are on the disk.
// In pv mode one batch: one notify for all of them (the log's commit, log.c,
// writes its blocks so). Else one request after another; a buffer that goes
// to another sector than its own is copied to a buffer of the driver's.
void
idewritev(struct buf **bs, uint *at, int n)
{
  uint own[LOGSIZE];
  if (at == 0) {
    if (n > LOGSIZE)
      panic("idewritev: too many");
    for (int i = 0; i < n; i++)
      own[i] = bs[i]->blockno;
    at = own;
  }
  for (int i = 0; i < n; i++)
    if (!holdingsleep(&bs[i]->lock) || at[i] >= FSSIZE)
      panic("idewritev");
  if (ring) {
    nrequests += n;
    nwritten += n;
    nbatches++;
    nbatched += n;
    ring_writev(bs, at, n);
    return;
  }
  for (int i = 0; i < n; i++) {
    if (at[i] == bs[i]->blockno) {
      iderw(bs[i], 1);
      continue;
    }
    acquiresleep(&bounce.lock);
    bounce.blockno = at[i];
    memmove(bounce.data, bs[i]->data, BSIZE);
    iderw(&bounce, 1);
    releasesleep(&bounce.lock);
  }
}
