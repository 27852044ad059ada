// proc.h: xv6a's processes.
#ifndef XV6A_PROC_H
#define XV6A_PROC_H
#include "xv6a.h"


// Registers swtch saves: the callee-saved ones and where to go on.
struct context {
  uint edi, esi, ebx, ebp, eip;
};

enum procstate { UNUSED, EMBRYO, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
  uint sz;                       // bytes of user memory
  pde_t *pgdir;
  char *kstack;                  // bottom of its kernel stack
  enum procstate state;
  int pid;
  struct proc *parent;
  struct trapframe *tf;          // its user registers, on its kernel stack
  struct context *context;       // where swtch left it
  void *chan;                    // what it sleeps on
  int killed;
  struct file *ofile[NOFILE];    // open files
  struct inode *cwd;             // current directory
  int xstate;                    // exit status for wait
  char name[16];
};

extern struct proc *curproc;
void swtch(struct context **old, struct context *new);
#endif
