// sleeplock.c: locks a process may hold while it sleeps: a buffer while the
// disk fills it, an inode across a file system operation that reads the disk.
// Since the disk is interrupt-driven (ide.c), a process that waits for it
// gives the CPU to others, which may reach for the same buffer or inode.
// One CPU and a kernel that runs with interrupts off (proc.c) make the test
// and the set below one step: nobody runs between them.
#include "xv6a.h"
#include "proc.h"
#include "sleeplock.h"

void
initsleeplock(struct sleeplock *lk, const char *name)
{
  lk->locked = 0;
  lk->pid = 0;
  lk->name = name;
}

// Wait until nobody holds lk, then hold it. The loop also covers kill(),
// which makes a sleeper runnable whatever it waits for.
void
acquiresleep(struct sleeplock *lk)
{
  if (curproc == 0)
    panic("acquiresleep: no process");
  while (lk->locked)
    sleep(lk);
  lk->locked = 1;
  lk->pid = curproc->pid;
}

void
releasesleep(struct sleeplock *lk)
{
  if (!holdingsleep(lk))
    panic(lk->name);
  lk->locked = 0;
  lk->pid = 0;
  wakeup(lk);
}

// Does the current process hold lk?
int
holdingsleep(struct sleeplock *lk)
{
  return lk->locked && curproc && lk->pid == curproc->pid;
}
