// bio.c: the buffer cache: NBUF disk blocks, least recently used reused first.
// One CPU and a kernel that never sleeps inside a file system operation (the
// disk is polled) mean no buffer locks are needed: a buffer is in use while its
// refcnt is above 0, and blocks of an uncommitted transaction stay cached.
#include "xv6a.h"
#include "file.h"

static struct buf bufs[NBUF];
static struct buf head;          // circular LRU list

void
binit(void)
{
  head.next = head.prev = &head;
  for (struct buf *b = bufs; b < bufs + NBUF; b++) {
    b->next = head.next;
    b->prev = &head;
    head.next->prev = b;
    head.next = b;
  }
}

static struct buf*
bget(uint dev, uint blockno)
{
  for (struct buf *b = head.next; b != &head; b = b->next)
    if (b->dev == dev && b->blockno == blockno) {
      b->refcnt++;
      return b;
    }
  for (struct buf *b = head.prev; b != &head; b = b->prev)
    if (b->refcnt == 0 && !b->logged) {
      b->dev = dev;
      b->blockno = blockno;
      b->valid = 0;
      b->refcnt = 1;
      return b;
    }
  panic("bget: no buffers");
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
  iderw(b, 1);
}

void
brelse(struct buf *b)
{
  if (b->refcnt == 0)
    panic("brelse");
  if (--b->refcnt == 0) {      // most recently used goes to the front
    b->next->prev = b->prev;
    b->prev->next = b->next;
    b->next = head.next;
    b->prev = &head;
    head.next->prev = b;
    head.next = b;
  }
}
