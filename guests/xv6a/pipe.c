// pipe.c: pipes: a small ring buffer between a writer and a reader, who sleep
// on it when it is full or empty.
#include "xv6a.h"
#include "file.h"
#include "proc.h"

#define PIPESIZE 512

struct pipe {
  char data[PIPESIZE];
  uint nread, nwrite;            // bytes read and written so far
  int readopen, writeopen;
};

int
pipealloc(struct file **f0, struct file **f1)
{
  struct pipe *p = 0;
  *f0 = *f1 = 0;
  if ((*f0 = filealloc()) == 0 || (*f1 = filealloc()) == 0 || (p = (struct pipe *)kalloc()) == 0)
    goto bad;
  p->readopen = p->writeopen = 1;
  p->nread = p->nwrite = 0;
  (*f0)->type = FD_PIPE;
  (*f0)->readable = 1;
  (*f0)->writable = 0;
  (*f0)->pipe = p;
  (*f1)->type = FD_PIPE;
  (*f1)->readable = 0;
  (*f1)->writable = 1;
  (*f1)->pipe = p;
  return 0;
bad:
  if (p)
    kfree((char *)p);
  if (*f0)
    fileclose(*f0);
  if (*f1)
    fileclose(*f1);
  return -1;
}

void
pipeclose(struct pipe *p, int writable)
{
  if (writable) {
    p->writeopen = 0;
    wakeup(&p->nread);
  } else {
    p->readopen = 0;
    wakeup(&p->nwrite);
  }
  if (!p->readopen && !p->writeopen)
    kfree((char *)p);
}

int
pipewrite(struct pipe *p, char *addr, int n)
{
  if (!p->readopen)
    return -1;                   // nobody will ever read it
  for (int i = 0; i < n; i++) {
    while (p->nwrite == p->nread + PIPESIZE) {
      if (!p->readopen || curproc->killed)
        return -1;
      wakeup(&p->nread);
      sleep(&p->nwrite);
    }
    p->data[p->nwrite++ % PIPESIZE] = addr[i];
  }
  wakeup(&p->nread);
  return n;
}

int
piperead(struct pipe *p, char *addr, int n)
{
  while (p->nread == p->nwrite && p->writeopen) {
    if (curproc->killed)
      return -1;
    sleep(&p->nread);
  }
  int i;
  for (i = 0; i < n && p->nread != p->nwrite; i++)
    addr[i] = p->data[p->nread++ % PIPESIZE];
  wakeup(&p->nwrite);
  return i;
}
