// file.c: open files: the table of them, and reading and writing through one
// (a pipe, a device, or an inode with an offset).
#include "xv6a.h"
#include "file.h"
#include "stat.h"

struct devsw devsw[NDEV];
static struct file ftable[NFILE];

struct file*
filealloc(void)
{
  for (struct file *f = ftable; f < ftable + NFILE; f++)
    if (f->ref == 0) {
      memset(f, 0, sizeof(*f));
      f->ref = 1;
      return f;
    }
  return 0;
}

struct file*
filedup(struct file *f)
{
  if (f->ref < 1)
    panic("filedup");
  f->ref++;
  return f;
}

void
fileclose(struct file *f)
{
  if (f->ref < 1)
    panic("fileclose");
  if (--f->ref > 0)
    return;
  struct file ff = *f;
  f->ref = 0;
  f->type = FD_NONE;
  if (ff.type == FD_PIPE) {
    pipeclose(ff.pipe, ff.writable);
  } else if (ff.type == FD_INODE) {
    begin_op();
    iput(ff.ip);
    end_op();
  }
}

int
filestat(struct file *f, struct stat *st)
{
  if (f->type != FD_INODE)
    return -1;
  ilock(f->ip);
  stati(f->ip, st);
  iunlock(f->ip);
  return 0;
}

int
fileread(struct file *f, char *addr, int n)
{
  if (!f->readable)
    return -1;
  if (f->type == FD_PIPE)
    return piperead(f->pipe, addr, n);
  if (f->type != FD_INODE)
    panic("fileread");
  ilock(f->ip);                  // held across readi: the offset moves as one
  int r = readi(f->ip, addr, f->off, n);
  if (r > 0)
    f->off += r;
  iunlock(f->ip);
  return r;
}

// Big writes are split so that no operation outgrows the log.
int
filewrite(struct file *f, char *addr, int n)
{
  if (!f->writable)
    return -1;
  if (f->type == FD_PIPE)
    return pipewrite(f->pipe, addr, n);
  if (f->type != FD_INODE)
    panic("filewrite");
  int max = ((MAXOPBLOCKS - 1 - 1 - 2) / 2) * BSIZE, i = 0;
  while (i < n) {
    int n1 = n - i < max ? n - i : max;
    begin_op();
    ilock(f->ip);
    int r = writei(f->ip, addr + i, f->off, n1);
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    end_op();
    if (r != n1)
      break;
    i += r;
  }
  return i == n ? n : -1;
}
