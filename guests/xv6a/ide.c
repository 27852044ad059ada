// ide.c: xv6a's disk driver: PIO on an IDE master, interrupt-driven. Requests
// wait in a queue; the head is the one the disk works on. A process asking
// for a block sleeps on its buffer; the disk's interrupt (ideintr, from
// trap.c) finishes the head, wakes its sleeper and starts the next, so other
// processes run while the disk works. The same code runs three ways: on bare
// QEMU these in/out instructions reach the controller and IRQ 14 comes
// through the 8259; under vmos in `trap` mode each faults into the host, which
// emulates the controller on this VM's own drive (vmos/emulate.c, as VM/370
// intended) and raises virtual interrupt VIRQ_DISK while nIEN is clear; in
// `pass` mode they reach the real controller of a channel the VM owns
// (pv_disk_port), whose IRQ is the VM's (pv_disk_irq). In `pv` mode a sector
// is one synchronous hypercall instead (pv_disk_rw), and nothing is queued.
// A request whose interrupt has not come in IDE_TIMEOUT ticks is finished by
// polling, said and counted (idetick, from the timer): a lost interrupt costs
// a second, not the process that waits for it.
#include "xv6a.h"
#include "file.h"
#include "pv.h"

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

void
ideinit(void)
{
  if (pv_disk_pv())
    return;                      // vmos pv mode: no ports, no interrupt
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
  if (queue == 0) {              // nothing asked for: just acknowledge it
    inb(base + 7);
    return;
  }
  finish(queue);
}

// Each timer tick: has the head request waited too long for its interrupt?
// (Its interrupt may still come later: finding no request, or the next one,
// it does no harm, as idewait waits for the drive.)
void
idetick(void)
{
  if (queue == 0 || ticks - started < IDE_TIMEOUT)
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
