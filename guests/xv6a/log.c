// log.c: the write-ahead log that makes each system call's writes atomic.
// An operation (begin_op .. end_op) only changes cached blocks and records them
// (log_write). When no operation is open, end_op commits: the blocks go to the
// log area, then the header with their count (the commit point), then to their
// homes, then the header is cleared. initlog replays a committed log at boot, so
// a crash leaves either all of an operation's writes or none.
#include "xv6a.h"
#include "file.h"

struct logheader {
  int n;
  int block[LOGSIZE];
};

static struct {
  int start, size, outstanding, dev;
  struct logheader lh;
} log;

static void
install(int from_log)            // copy the logged blocks to their homes
{
  for (int i = 0; i < log.lh.n; i++) {
    struct buf *dst = bread(log.dev, log.lh.block[i]);
    if (from_log) {
      struct buf *src = bread(log.dev, log.start + 1 + i);
      memmove(dst->data, src->data, BSIZE);
      brelse(src);
    }
    bwrite(dst);
    if (!from_log)
      dst->logged = 0;
    brelse(dst);
  }
}

static void
read_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  memmove(&log.lh, b->data, sizeof(log.lh));
  brelse(b);
}

static void
write_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  memmove(b->data, &log.lh, sizeof(log.lh));
  bwrite(b);
  brelse(b);
}

void
initlog(int dev, struct superblock *sb)
{
  _Static_assert(sizeof(struct logheader) <= BSIZE, "log header too big");
  log.start = sb->logstart;
  log.size = sb->nlog;
  log.dev = dev;
  read_head();
  if (log.lh.n > 0)
    cprintf("xv6a: log: replaying %d blocks of a committed transaction\n", log.lh.n);
  install(1);                    // a committed transaction reaches its homes
  log.lh.n = 0;
  write_head();
}

void
begin_op(void)
{
  if (log.outstanding > 0)
    panic("begin_op: nested");   // a one-CPU kernel that never sleeps in one
  log.outstanding++;
}

static void
commit(void)
{
  if (log.lh.n == 0)
    return;
  for (int i = 0; i < log.lh.n; i++) {   // the blocks to the log
    struct buf *from = bread(log.dev, log.lh.block[i]);
    struct buf *to = bread(log.dev, log.start + 1 + i);
    memmove(to->data, from->data, BSIZE);
    bwrite(to);
    brelse(to);
    brelse(from);
  }
  write_head();                  // the commit point
  install(0);
  log.lh.n = 0;
  write_head();
}

void
end_op(void)
{
  if (--log.outstanding == 0)
    commit();
}

// b changed and belongs to the current transaction.
void
log_write(struct buf *b)
{
  if (log.outstanding < 1)
    panic("log_write outside a transaction");
  int i;
  for (i = 0; i < log.lh.n; i++)
    if (log.lh.block[i] == (int)b->blockno)
      break;                     // already logged: absorbed
  if (i == log.lh.n) {
    if (log.lh.n >= LOGSIZE - 1 || log.lh.n >= log.size - 1)
      panic("log_write: transaction too big");
    log.lh.block[log.lh.n++] = b->blockno;
  }
  b->logged = 1;
}
