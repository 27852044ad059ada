// mkfs.c: builds an xv6a (xv6-format) file system image on the host.
//   mkfs fs.img file...
// Layout (guests/xv6a/fs.h): boot block, superblock, log, inode blocks, free
// bitmap, data blocks; FSSIZE blocks in all. The root directory holds "." and
// ".." and one entry per file, named without its directory and a leading '_'
// (the Makefile's names for user programs, as in xv6).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "guests/xv6a/types.h"
#include "guests/xv6a/fs.h"
#define stat xv6_stat          // the host has its own struct stat
#include "guests/xv6a/stat.h"
#undef stat
#include "guests/xv6a/param.h"

#define NINODES 200

static int fd;
static struct superblock sb;
static uint freeinode = 1, freeblock;

static void
die(const char *what)
{
  perror(what);
  exit(1);
}

static void
wsect(uint sec, const void *buf)
{
  if (pwrite(fd, buf, BSIZE, (off_t)sec * BSIZE) != BSIZE)
    die("mkfs: write");
}

static void
rsect(uint sec, void *buf)
{
  if (pread(fd, buf, BSIZE, (off_t)sec * BSIZE) != BSIZE)
    die("mkfs: read");
}

static void
winode(uint inum, struct dinode *ip)
{
  char buf[BSIZE];
  uint bn = IBLOCK(inum, sb);
  rsect(bn, buf);
  ((struct dinode *)buf)[inum % IPB] = *ip;
  wsect(bn, buf);
}

static void
rinode(uint inum, struct dinode *ip)
{
  char buf[BSIZE];
  rsect(IBLOCK(inum, sb), buf);
  *ip = ((struct dinode *)buf)[inum % IPB];
}

static uint
ialloc(short type)
{
  struct dinode din;
  memset(&din, 0, sizeof(din));
  din.type = type;
  din.nlink = 1;
  winode(freeinode, &din);
  return freeinode++;
}

// Append n bytes to inode inum, allocating blocks (and the indirect block).
static void
iappend(uint inum, const void *p, int n)
{
  const char *src = p;
  struct dinode din;
  char buf[BSIZE];
  uint indirect[NINDIRECT];
  rinode(inum, &din);
  uint off = din.size;
  while (n > 0) {
    uint fbn = off / BSIZE, x;
    if (fbn >= MAXFILE) {
      fprintf(stderr, "mkfs: file too big\n");
      exit(1);
    }
    if (fbn < NDIRECT) {
      if (din.addrs[fbn] == 0)
        din.addrs[fbn] = freeblock++;
      x = din.addrs[fbn];
    } else {
      if (din.addrs[NDIRECT] == 0) {
        din.addrs[NDIRECT] = freeblock++;
        memset(indirect, 0, sizeof(indirect));
        wsect(din.addrs[NDIRECT], indirect);
      }
      rsect(din.addrs[NDIRECT], indirect);
      if (indirect[fbn - NDIRECT] == 0) {
        indirect[fbn - NDIRECT] = freeblock++;
        wsect(din.addrs[NDIRECT], indirect);
      }
      x = indirect[fbn - NDIRECT];
    }
    uint n1 = (fbn + 1) * BSIZE - off;
    if (n1 > (uint)n)
      n1 = n;
    rsect(x, buf);
    memcpy(buf + off - fbn * BSIZE, src, n1);
    wsect(x, buf);
    n -= n1;
    off += n1;
    src += n1;
  }
  din.size = off;
  winode(inum, &din);
}

static void
dirent_add(uint dir, uint inum, const char *name)
{
  struct dirent de;
  memset(&de, 0, sizeof(de));
  de.inum = inum;
  memcpy(de.name, name, strnlen(name, DIRSIZ));   // not NUL-terminated when full
  iappend(dir, &de, sizeof(de));
}

int
main(int argc, char *argv[])
{
  _Static_assert(BSIZE % sizeof(struct dinode) == 0, "dinode size");
  _Static_assert(BSIZE % sizeof(struct dirent) == 0, "dirent size");
  if (argc < 2) {
    fprintf(stderr, "usage: mkfs fs.img files...\n");
    return 2;
  }
  if ((fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0666)) < 0)
    die(argv[1]);
  uint nbitmap = FSSIZE / BPB + 1, ninodeblocks = NINODES / IPB + 1, nlog = LOGSIZE;
  uint nmeta = 2 + nlog + ninodeblocks + nbitmap;
  sb.size = FSSIZE;
  sb.nblocks = FSSIZE - nmeta;
  sb.ninodes = NINODES;
  sb.nlog = nlog;
  sb.logstart = 2;
  sb.inodestart = 2 + nlog;
  sb.bmapstart = 2 + nlog + ninodeblocks;
  freeblock = nmeta;

  char zero[BSIZE];
  memset(zero, 0, sizeof(zero));
  for (uint i = 0; i < FSSIZE; i++)
    wsect(i, zero);
  char buf[BSIZE];
  memset(buf, 0, sizeof(buf));
  memcpy(buf, &sb, sizeof(sb));
  wsect(1, buf);

  uint root = ialloc(T_DIR);
  if (root != ROOTINO)
    return 1;
  dirent_add(root, root, ".");
  dirent_add(root, root, "..");
  for (int i = 2; i < argc; i++) {
    const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
    if (*name == '_')
      name++;
    if (strlen(name) > DIRSIZ) {
      fprintf(stderr, "mkfs: name too long: %s\n", name);
      return 1;
    }
    int f = open(argv[i], O_RDONLY);
    if (f < 0)
      die(argv[i]);
    uint inum = ialloc(T_FILE);
    dirent_add(root, inum, name);
    ssize_t n;
    while ((n = read(f, buf, sizeof(buf))) > 0)
      iappend(inum, buf, n);
    close(f);
  }
  // Round the root directory up to a whole block, as xv6 does.
  struct dinode din;
  rinode(root, &din);
  din.size = ((din.size / BSIZE) + 1) * BSIZE;
  winode(root, &din);

  // Mark the blocks in use in the bitmap (they all fit in its first block).
  if (freeblock > BPB) {
    fprintf(stderr, "mkfs: too many blocks for one bitmap block\n");
    return 1;
  }
  memset(buf, 0, sizeof(buf));
  for (uint i = 0; i < freeblock; i++)
    buf[i / 8] |= 1 << (i % 8);
  wsect(sb.bmapstart, buf);
  printf("mkfs: %s: %u blocks, %u used, %u inodes used\n", argv[1], FSSIZE, freeblock,
         freeinode - 1);
  return 0;
}
