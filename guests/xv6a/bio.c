// bio.c: the buffer cache: NBUF disk blocks, least recently used reused first.
// A buffer is locked (a sleeplock) from bread to brelse: the disk is
// interrupt-driven (ide.c), so its holder may sleep while the disk works and
// others run, and a second reader of the same block waits for the first
// rather than reading it twice. Blocks of the open transaction (logged) stay
// cached until the log has written them home (log.c).
#include "xv6a.h"
#include "file.h"

static struct buf bufs[NBUF];
static struct buf head;          // circular LRU list

void
binit(void)
{
  head.next = head.prev = &head;
  for (struct buf *b = bufs; b < bufs + NBUF; b++) {
    initsleeplock(&b->lock, "buffer");
    b->next = head.next;
    b->prev = &head;
    head.next->prev = b;
    head.next = b;
  }
}

// The buffer of this block, locked. Finding it and taking it (refcnt) is one
// step, since nothing runs between (one CPU, interrupts off); only the lock
// may wait. With every buffer held or logged, wait for a brelse: the holders
// finish without asking for a buffer of their own, or hold one more at most
// (param.h: NBUF leaves room for the log and its writers).
static struct buf*
bget(uint dev, uint blockno)
{
  for (;;) {
    for (struct buf *b = head.next; b != &head; b = b->next)
      if (b->dev == dev && b->blockno == blockno) {
        b->refcnt++;
        acquiresleep(&b->lock);
        return b;
      }
    for (struct buf *b = head.prev; b != &head; b = b->prev)
      if (b->refcnt == 0 && !b->logged) {
        b->dev = dev;
        b->blockno = blockno;
        b->valid = 0;
        b->refcnt = 1;
        acquiresleep(&b->lock);  // unheld: refcnt was 0
        return b;
      }
    sleep(&head);
  }
}

struct buf*
bread(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);
  if (!b->valid)
    iderw(b, 0);
  return b;
}

void
bwrite(struct buf *b)
{
  if (!holdingsleep(&b->lock))
    panic("bwrite: buffer not locked");
  iderw(b, 1);
}

// Write n locked buffers at once, buffer i to sector at[i] (at 0: each to its
// own block); back when all of them are on the disk. The disk may take them
// in one batch (ide.c), so the caller orders only what comes after it: the
// log's commit block goes after its logged blocks (log.c).
void
bwritev(struct buf **bs, uint *at, int n)
{
  for (int i = 0; i < n; i++)
    if (!holdingsleep(&bs[i]->lock))
      panic("bwritev: buffer not locked");
  idewritev(bs, at, n);
}

void
brelse(struct buf *b)
{
  if (b->refcnt == 0 || !holdingsleep(&b->lock))
    panic("brelse");
  releasesleep(&b->lock);
  if (--b->refcnt == 0) {      // most recently used goes to the front
    b->next->prev = b->prev;
    b->prev->next = b->next;
    b->next = head.next;
    b->prev = &head;
    head.next->prev = b;
    head.next = b;
    wakeup(&head);             // a bget may be waiting for a free buffer
  }
}
