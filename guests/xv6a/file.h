// file.h: open files, in-memory inodes, buffers and devices.
#ifndef XV6A_FILE_H
#define XV6A_FILE_H
#include "fs.h"

struct buf {
  int valid;                   // data holds the block
  int logged;                  // in the current transaction: keep it cached
  uint dev, blockno;
  uint refcnt;
  struct buf *prev, *next;     // LRU list, most recent first
  uchar data[BSIZE];
};

struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE } type;
  int ref;
  char readable, writable;
  struct pipe *pipe;
  struct inode *ip;
  uint off;
};

struct inode {
  uint dev, inum;
  int ref;
  int valid;                   // the fields below were read from disk
  short type, major, minor, nlink;
  uint size;
  uint addrs[NDIRECT + 1];
};

struct devsw {
  int (*read)(struct inode *, char *, int);
  int (*write)(struct inode *, char *, int);
};
extern struct devsw devsw[];
#define CONSOLE 1
#endif
