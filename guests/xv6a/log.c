// log.c: the write-ahead log that makes each system call's writes atomic.
// An operation (begin_op .. end_op) only changes cached blocks and records them
// (log_write). When no operation is open, end_op commits: the blocks go to the
// log area, then the header with their count (the commit point), then to their
// homes, then the header is cleared; each step waits until the one before is
// on the disk, and the blocks of a step go to the disk as one batch (bwritev:
// in pv mode one host entry for them all). initlog replays a committed log at boot, so
// a crash leaves either all of an operation's writes or none.
// Operations of several processes may be open at once (each sleeps while the
// disk works, ide.c), and commit together: begin_op lets one start only if the
// log has room for what every open one may still write (MAXOPBLOCKS each), and
// none while a commit is under way.
#include "xv6a.h"
#include "file.h"

struct logheader {
  int n;
  int block[LOGSIZE];
};

static struct {
  int start, size, dev;
  int outstanding;               // operations open
  int committing;                // end_op is writing the log: no operation may start
  struct logheader lh;
} log;

// Blocks one transaction may log: the log area but its header block, as far
// as the header has room to name them.
static int
log_room(void)
{
  return log.size - 1 < LOGSIZE ? log.size - 1 : LOGSIZE;
}

// Copy the logged blocks to their homes, all in one batch (bwritev): the
// header that committed them is on the disk already, so their order among
// themselves does not matter. All n are held at once: logged blocks stay
// cached anyway, and at boot nothing else holds a buffer (NBUF > LOGSIZE + 1).
static void
install(int from_log)
{
  struct buf *bs[LOGSIZE];
  int n = log.lh.n;
  for (int i = 0; i < n; i++) {
    bs[i] = bread(log.dev, log.lh.block[i]);
    if (from_log) {
      struct buf *src = bread(log.dev, log.start + 1 + i);
      memmove(bs[i]->data, src->data, BSIZE);
      brelse(src);
    }
  }
  bwritev(bs, 0, n);
  for (int i = 0; i < n; i++) {
    if (!from_log)
      bs[i]->logged = 0;
    brelse(bs[i]);
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
  while (log.committing || log.lh.n + (log.outstanding + 1) * MAXOPBLOCKS > log_room())
    sleep(&log);
  log.outstanding++;
}

// The logged blocks go to the log area straight from their cached buffers,
// in one batch (no buffer of the log area: holding one per block would need
// twice LOGSIZE buffers); the header, the commit point, only when all of them
// are on the disk (bwritev returns then). The cache's copies of log-area
// blocks (read by a replay at boot) are not read again.
static void
commit(void)
{
  struct buf *bs[LOGSIZE];
  uint at[LOGSIZE];
  int n = log.lh.n;
  if (n == 0)
    return;
  for (int i = 0; i < n; i++) {
    bs[i] = bread(log.dev, log.lh.block[i]);
    at[i] = log.start + 1 + i;
  }
  bwritev(bs, at, n);            // the blocks to the log
  for (int i = 0; i < n; i++)
    brelse(bs[i]);
  write_head();                  // the commit point
  install(0);
  log.lh.n = 0;
  write_head();
}

void
end_op(void)
{
  if (log.outstanding < 1 || log.committing)
    panic("end_op");
  if (--log.outstanding == 0) {
    log.committing = 1;
    commit();                    // sleeps on the disk: others wait in begin_op
    log.committing = 0;
  }
  wakeup(&log);                  // room freed, or the commit is over
}

// b changed and belongs to the current transaction.
void
log_write(struct buf *b)
{
  if (log.outstanding < 1)
    panic("log_write outside a transaction");
  if (!holdingsleep(&b->lock))
    panic("log_write: buffer not locked");
  int i;
  for (i = 0; i < log.lh.n; i++)
    if (log.lh.block[i] == (int)b->blockno)
      break;                     // already logged: absorbed
  if (i == log.lh.n) {
    if (log.lh.n >= log_room())
      panic("log_write: transaction too big");
    log.lh.block[log.lh.n++] = b->blockno;
  }
  b->logged = 1;
}
