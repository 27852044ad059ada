// sleeplock.h: a lock a process may hold while it sleeps (sleeplock.c): a
// buffer's (bio.c) and an inode's (fs.c).
#ifndef XV6A_SLEEPLOCK_H
#define XV6A_SLEEPLOCK_H
struct sleeplock {
  int locked;
  int pid;                       // who holds it
  const char *name;              // what a panic names when it is misused
};
#endif
