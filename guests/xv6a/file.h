// file.h: open files, in-memory inodes, buffers and devices.
#ifndef XV6A_FILE_H
#define XV6A_FILE_H
#include "fs.h"
#include "sleeplock.h"

struct buf {
  int valid;                   // data holds the block
  int logged;                  // in the current transaction: keep it cached
  uint dev, blockno;
  uint refcnt;                 // holders and waiters: while above 0 it keeps its block
  struct sleeplock lock;       // held from bread to brelse, across the disk's work
  struct buf *prev, *next;     // LRU list, most recent first
  // the disk driver's (ide.c): a request in its queue
  int write;                   // the request: write data to the block (else read it)
  int done;                    // the disk has finished it
  int error;                   // ... and failed
  struct buf *qnext;           // the next request
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
  struct sleeplock lock;       // held while its fields or contents are used
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
