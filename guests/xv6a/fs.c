// fs.c: the file system (xv6's design, fs.h's format): blocks and the free
// bitmap, inodes (an in-memory cache of on-disk inodes), file contents through
// the inode's block map, directories, and path names. Every change goes
// through log_write, inside an operation the caller opened with begin_op.
// The disk is interrupt-driven, so these functions sleep while it works and
// other processes run: an inode is locked (ilock .. iunlock, a sleeplock)
// while its fields or contents are used, a buffer from bread to brelse. A
// directory is locked before the entries in it, never the other way round.
#include "xv6a.h"
#include "file.h"
#include "stat.h"

struct superblock sb;
static struct inode icache[NINODE];

void
readsb(int dev, struct superblock *s)
{
  struct buf *b = bread(dev, 1);
  memmove(s, b->data, sizeof(*s));
  brelse(b);
}

static void
bzero(int dev, int bno)
{
  struct buf *b = bread(dev, bno);
  memset(b->data, 0, BSIZE);
  log_write(b);
  brelse(b);
}

// A zeroed free block, or 0 when the disk is full.
static uint
balloc(uint dev)
{
  for (uint b = 0; b < sb.size; b += BPB) {
    struct buf *bp = bread(dev, BBLOCK(b, sb));
    for (uint bi = 0; bi < BPB && b + bi < sb.size; bi++) {
      int m = 1 << (bi % 8);
      if ((bp->data[bi / 8] & m) == 0) {
        bp->data[bi / 8] |= m;
        log_write(bp);
        brelse(bp);
        bzero(dev, b + bi);
        return b + bi;
      }
    }
    brelse(bp);
  }
  cprintf("xv6a: out of disk blocks\n");
  return 0;
}

static void
bfree(int dev, uint b)
{
  struct buf *bp = bread(dev, BBLOCK(b, sb));
  int m = 1 << (b % BPB % 8);
  if ((bp->data[(b % BPB) / 8] & m) == 0)
    panic("freeing a free block");
  bp->data[(b % BPB) / 8] &= ~m;
  log_write(bp);
  brelse(bp);
}

void
iinit(int dev)
{
  for (struct inode *ip = icache; ip < icache + NINODE; ip++)
    initsleeplock(&ip->lock, "inode");
  readsb(dev, &sb);
  cprintf("xv6a: file system: %d blocks, %d inodes, log at %d\n", sb.size, sb.ninodes,
          sb.logstart);
}

static struct inode*
iget(uint dev, uint inum)
{
  struct inode *empty = 0;
  for (struct inode *ip = icache; ip < icache + NINODE; ip++) {
    if (ip->ref > 0 && ip->dev == dev && ip->inum == inum) {
      ip->ref++;
      return ip;
    }
    if (empty == 0 && ip->ref == 0)
      empty = ip;
  }
  if (empty == 0)
    panic("iget: no inodes");
  empty->dev = dev;
  empty->inum = inum;
  empty->ref = 1;
  empty->valid = 0;
  return empty;
}

// A new inode of this type on disk (referenced, not yet loaded), or 0.
struct inode*
ialloc(uint dev, short type)
{
  for (uint inum = 1; inum < sb.ninodes; inum++) {
    struct buf *bp = bread(dev, IBLOCK(inum, sb));
    struct dinode *dip = (struct dinode *)bp->data + inum % IPB;
    if (dip->type == 0) {
      memset(dip, 0, sizeof(*dip));
      dip->type = type;
      log_write(bp);
      brelse(bp);
      return iget(dev, inum);
    }
    brelse(bp);
  }
  cprintf("xv6a: out of inodes\n");
  return 0;
}

// Write an inode's fields back to disk.
void
iupdate(struct inode *ip)
{
  if (!holdingsleep(&ip->lock))
    panic("iupdate: inode not locked");
  struct buf *bp = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)bp->data + ip->inum % IPB;
  dip->type = ip->type;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->nlink = ip->nlink;
  dip->size = ip->size;
  memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(bp);
  brelse(bp);
}

struct inode*
idup(struct inode *ip)
{
  ip->ref++;
  return ip;
}

// Lock the inode, and load its fields if they are not yet.
void
ilock(struct inode *ip)
{
  if (ip == 0 || ip->ref < 1)
    panic("ilock");
  acquiresleep(&ip->lock);
  if (ip->valid)
    return;
  struct buf *bp = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)bp->data + ip->inum % IPB;
  ip->type = dip->type;
  ip->major = dip->major;
  ip->minor = dip->minor;
  ip->nlink = dip->nlink;
  ip->size = dip->size;
  memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
  brelse(bp);
  ip->valid = 1;
  if (ip->type == 0)
    panic("ilock: no type");
}

void
iunlock(struct inode *ip)
{
  if (ip == 0 || ip->ref < 1 || !holdingsleep(&ip->lock))
    panic("iunlock");
  releasesleep(&ip->lock);
}

static void itrunc(struct inode *ip);

// Drop a reference (unlocked); the last reference to an unlinked inode
// frees it, so call it inside an operation: it may write.
void
iput(struct inode *ip)
{
  if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
    // The last reference, and no directory names it: nobody else holds or
    // can find it; the lock is for iupdate's check.
    acquiresleep(&ip->lock);
    itrunc(ip);
    ip->type = 0;
    iupdate(ip);
    ip->valid = 0;
    releasesleep(&ip->lock);
  }
  ip->ref--;
}

void
iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// The disk block holding the bn'th block of ip, allocated if need be; 0 if the
// disk is full.
static uint
bmap(struct inode *ip, uint bn)
{
  uint addr;
  if (bn < NDIRECT) {
    if ((addr = ip->addrs[bn]) == 0 && (addr = balloc(ip->dev)) != 0)
      ip->addrs[bn] = addr;
    return addr;
  }
  bn -= NDIRECT;
  if (bn >= NINDIRECT)
    panic("bmap: out of range");
  if ((addr = ip->addrs[NDIRECT]) == 0) {
    if ((addr = balloc(ip->dev)) == 0)
      return 0;
    ip->addrs[NDIRECT] = addr;
  }
  struct buf *bp = bread(ip->dev, addr);
  uint *a = (uint *)bp->data;
  if ((addr = a[bn]) == 0 && (addr = balloc(ip->dev)) != 0) {
    a[bn] = addr;
    log_write(bp);
  }
  brelse(bp);
  return addr;
}

static void
itrunc(struct inode *ip)
{
  for (int i = 0; i < NDIRECT; i++)
    if (ip->addrs[i]) {
      bfree(ip->dev, ip->addrs[i]);
      ip->addrs[i] = 0;
    }
  if (ip->addrs[NDIRECT]) {
    struct buf *bp = bread(ip->dev, ip->addrs[NDIRECT]);
    uint *a = (uint *)bp->data;
    for (uint j = 0; j < NINDIRECT; j++)
      if (a[j])
        bfree(ip->dev, a[j]);
    brelse(bp);
    bfree(ip->dev, ip->addrs[NDIRECT]);
    ip->addrs[NDIRECT] = 0;
  }
  ip->size = 0;
  iupdate(ip);
}

void
stati(struct inode *ip, struct stat *st)
{
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

int
readi(struct inode *ip, char *dst, uint off, uint n)
{
  if (!holdingsleep(&ip->lock))
    panic("readi: inode not locked");
  if (ip->type == T_DEV) {
    if (ip->major < 0 || ip->major >= NDEV || !devsw[ip->major].read)
      return -1;
    return devsw[ip->major].read(ip, dst, n);
  }
  if (off > ip->size || off + n < off)
    return -1;
  if (off + n > ip->size)
    n = ip->size - off;
  for (uint tot = 0, m; tot < n; tot += m, off += m, dst += m) {
    uint addr = bmap(ip, off / BSIZE);
    if (addr == 0)
      return -1;
    struct buf *bp = bread(ip->dev, addr);
    m = BSIZE - off % BSIZE;
    if (m > n - tot)
      m = n - tot;
    memmove(dst, bp->data + off % BSIZE, m);
    brelse(bp);
  }
  return n;
}

int
writei(struct inode *ip, char *src, uint off, uint n)
{
  if (!holdingsleep(&ip->lock))
    panic("writei: inode not locked");
  if (ip->type == T_DEV) {
    if (ip->major < 0 || ip->major >= NDEV || !devsw[ip->major].write)
      return -1;
    return devsw[ip->major].write(ip, src, n);
  }
  if (off > ip->size || off + n < off || off + n > MAXFILE * BSIZE)
    return -1;
  uint tot, m;
  for (tot = 0; tot < n; tot += m, off += m, src += m) {
    uint addr = bmap(ip, off / BSIZE);
    if (addr == 0)
      break;                     // disk full: what was written stays
    struct buf *bp = bread(ip->dev, addr);
    m = BSIZE - off % BSIZE;
    if (m > n - tot)
      m = n - tot;
    memmove(bp->data + off % BSIZE, src, m);
    log_write(bp);
    brelse(bp);
  }
  if (off > ip->size)
    ip->size = off;
  iupdate(ip);                   // the block map may have changed too
  return tot;
}

int
namecmp(const char *s, const char *t)
{
  return strncmp(s, t, DIRSIZ);
}

// The entry name in directory dp (and its offset), or 0.
struct inode*
dirlookup(struct inode *dp, const char *name, uint *poff)
{
  struct dirent de;
  if (dp->type != T_DIR)
    panic("dirlookup: not a directory");
  for (uint off = 0; off < dp->size; off += sizeof(de)) {
    if (readi(dp, (char *)&de, off, sizeof(de)) != sizeof(de))
      panic("dirlookup: read");
    if (de.inum != 0 && namecmp(name, de.name) == 0) {
      if (poff)
        *poff = off;
      return iget(dp->dev, de.inum);
    }
  }
  return 0;
}

int
dirlink(struct inode *dp, const char *name, uint inum)
{
  struct inode *ip = dirlookup(dp, name, 0);
  if (ip) {
    iput(ip);
    return -1;
  }
  struct dirent de;
  uint off;
  for (off = 0; off < dp->size; off += sizeof(de)) {
    if (readi(dp, (char *)&de, off, sizeof(de)) != sizeof(de))
      panic("dirlink: read");
    if (de.inum == 0)
      break;
  }
  memset(&de, 0, sizeof(de));
  int len = strlen(name);
  memmove(de.name, name, len < DIRSIZ ? len : DIRSIZ);
  de.inum = inum;
  if (writei(dp, (char *)&de, off, sizeof(de)) != sizeof(de))
    return -1;
  return 0;
}

// The next element of path into name; the rest of the path, or 0 at the end.
static const char*
skipelem(const char *path, char *name)
{
  while (*path == '/')
    path++;
  if (*path == 0)
    return 0;
  const char *s = path;
  while (*path != '/' && *path != 0)
    path++;
  int len = path - s;
  memmove(name, s, len < DIRSIZ ? len : DIRSIZ);
  if (len < DIRSIZ)
    name[len] = 0;
  while (*path == '/')
    path++;
  return path;
}

static struct inode*
namex(const char *path, int parent, char *name)
{
  struct inode *ip = *path == '/' ? iget(ROOTDEV, ROOTINO) : idup(cwd_of_current());
  struct inode *next;
  while ((path = skipelem(path, name)) != 0) {
    ilock(ip);
    if (ip->type != T_DIR) {
      iunlockput(ip);
      return 0;
    }
    if (parent && *path == 0) {
      iunlock(ip);
      return ip;                 // stop one early
    }
    if ((next = dirlookup(ip, name, 0)) == 0) {
      iunlockput(ip);
      return 0;
    }
    iunlockput(ip);              // before locking next: ".." would be the other way round
    ip = next;
  }
  if (parent) {
    iput(ip);
    return 0;
  }
  return ip;
}

struct inode*
namei(const char *path)
{
  char name[DIRSIZ];
  return namex(path, 0, name);
}

struct inode*
nameiparent(const char *path, char *name)
{
  return namex(path, 1, name);
}
