// proc.c: xv6a's processes and its scheduler. One CPU, and the kernel runs
// with interrupts off (every trap enters through an interrupt gate, real or
// virtual), so the process table needs no locks: a process gives up the CPU only
// in sched() (yield, or sleep: for the disk too, ide.c), and interrupts come in
// only in user mode, on the way back to it, and while the scheduler idles.
// What a sleeper holds across sched() is a sleeplock (sleeplock.c). Under vmos "interrupts off" is the virtual IF (pv.h), and a system
// call comes through a trap gate: its first instruction turns the virtual IF
// off (trapasm.S), and an interrupt taken just before finds nothing under way.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"
#include "file.h"

static struct proc ptable[NPROC];
struct proc *curproc;
static struct proc *initproc;
static struct context *schedctx;   // the scheduler's own context
static int nextpid = 1;
extern char trapret[];

// A fresh process in EMBRYO state with a kernel stack ready to "return" into
// forkret and then trapret, or 0.
static struct proc*
allocproc(void)
{
  struct proc *p;
  for (p = ptable; p < &ptable[NPROC]; p++)
    if (p->state == UNUSED)
      break;
  if (p == &ptable[NPROC] || (p->kstack = kalloc()) == 0)
    return 0;
  p->state = EMBRYO;
  p->pid = nextpid++;
  p->killed = 0;
  char *sp = p->kstack + KSTACKSIZE;
  sp -= sizeof(*p->tf);
  p->tf = (struct trapframe *)sp;
  sp -= 4;
  *(uint *)sp = (uint)trapret;     // forkret returns here
  sp -= sizeof(*p->context);
  p->context = (struct context *)sp;
  memset(p->context, 0, sizeof(*p->context));
  extern void forkret(void);
  p->context->eip = (uint)forkret;
  return p;
}

// The first process, before its first return to user mode: the file system
// (reading the disk sleeps, so it needs a process) and the program /init.
static void
initboot(void)
{
  iinit(ROOTDEV);                // the superblock
  initlog(ROOTDEV, &sb);         // replay a committed transaction, if any
  curproc->cwd = namei("/");
  char *argv[] = { "init", 0 };
  if (exec("/init", argv) < 0)
    panic("userinit: no /init on the disk");
}

// The first swtch into a new process lands here, and returns to trapret.
void
forkret(void)
{
  static int first = 1;
  if (first) {
    first = 0;
    initboot();
  }
}

// The first process: it starts the file system and runs /init (initboot).
void
userinit(void)
{
  struct proc *p = allocproc();
  if (p == 0 || (p->pgdir = setupkvm()) == 0)
    panic("userinit");
  initproc = p;
  safestrcpy(p->name, "init", sizeof(p->name));
  p->state = RUNNABLE;
}

// Pages a shrink forgets one by one (invlpg); more and the directory is reloaded.
#define SHRINK_INVLPG 8

int
growproc(int n)
{
  struct proc *p = curproc;
  uint sz = p->sz;
  if (n > 0) {                     // lazy: pages come when touched (vm.c, uvmtouch)
    if (sz + n < sz || sz + n >= KERNBASE ||
        (PGROUNDUP(sz + n) - PGROUNDUP(sz)) / PGSIZE > kfreecount())
      return -1;                     // past the kernel, or more than memory has
    p->sz = sz + n;
  } else if (n < 0) {
    if (0u - (uint)n > sz)         // (-n, without overflow for INT_MIN)
      return -1;
    p->sz = deallocuvm(p->pgdir, sz, sz + n);
    // The TLB (or the host's shadow) must forget the pages taken away: a
    // few one by one (invlpg), keeping the rest of the process's
    // translations; more with a reload of the directory, which forgets all.
    uint lo = PGROUNDUP(p->sz), hi = PGROUNDUP(sz);
    if (hi - lo <= SHRINK_INVLPG * PGSIZE)
      for (uint a = lo; a < hi; a += PGSIZE)
        pv_invlpg((void *)a);
    else
      flushuvm(p);
  }
  return 0;
}

int
fork(void)
{
  struct proc *np = allocproc();
  if (np == 0)
    return -1;
  if ((np->pgdir = copyuvm(curproc->pgdir, curproc->sz)) == 0) {
    kfree(np->kstack);
    np->kstack = 0;
    np->state = UNUSED;
    return -1;
  }
  np->sz = curproc->sz;
  np->parent = curproc;
  *np->tf = *curproc->tf;
  np->tf->eax = 0;                 // fork returns 0 in the child
  for (int i = 0; i < NOFILE; i++)
    if (curproc->ofile[i])
      np->ofile[i] = filedup(curproc->ofile[i]);
  np->cwd = idup(curproc->cwd);
  safestrcpy(np->name, curproc->name, sizeof(np->name));
  np->state = RUNNABLE;
  return np->pid;
}

void
exit(void)
{
  if (curproc == initproc)
    panic("init exiting");
  for (int fd = 0; fd < NOFILE; fd++)
    if (curproc->ofile[fd]) {
      fileclose(curproc->ofile[fd]);
      curproc->ofile[fd] = 0;
    }
  begin_op();
  iput(curproc->cwd);
  end_op();
  curproc->cwd = 0;
  for (struct proc *p = ptable; p < &ptable[NPROC]; p++)
    if (p->parent == curproc) {    // orphans go to init
      p->parent = initproc;
      if (p->state == ZOMBIE)
        wakeup(initproc);
    }
  wakeup(curproc->parent);
  curproc->state = ZOMBIE;
  sched();
  panic("zombie exit");
}

int
wait(void)
{
  for (;;) {
    int havekids = 0;
    for (struct proc *p = ptable; p < &ptable[NPROC]; p++) {
      if (p->parent != curproc)
        continue;
      havekids = 1;
      if (p->state == ZOMBIE) {
        int pid = p->pid;
        kfree(p->kstack);
        p->kstack = 0;
        freevm(p->pgdir);
        p->pgdir = 0;
        p->pid = 0;
        p->parent = 0;
        p->name[0] = 0;
        p->killed = 0;
        p->state = UNUSED;
        return pid;
      }
    }
    if (!havekids || curproc->killed)
      return -1;
    sleep(curproc);
  }
}

int
kill(int pid)
{
  for (struct proc *p = ptable; p < &ptable[NPROC]; p++)
    if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE) {
      p->killed = 1;
      if (p->state == SLEEPING)
        p->state = RUNNABLE;
      return 0;
    }
  return -1;
}

// Give the CPU to the scheduler (interrupts are off).
void
sched(void)
{
  if (pv_intr_on())
    panic("sched: interrupts on");
  swtch(&curproc->context, schedctx);
}

void
yield(void)
{
  curproc->state = RUNNABLE;
  sched();
}

void
sleep(void *chan)
{
  curproc->chan = chan;
  curproc->state = SLEEPING;
  sched();
  curproc->chan = 0;
}

void
wakeup(void *chan)
{
  for (struct proc *p = ptable; p < &ptable[NPROC]; p++)
    if (p->state == SLEEPING && p->chan == chan)
      p->state = RUNNABLE;
}

// The clock tick by which the idle kernel must look again, 0 for none.
// Processes in sleep() (sysproc.c) wait on &ticks and look at the time at
// each tick, keeping their wake time to themselves: the earliest xv6a knows
// one may wake is the next tick. With nobody asleep on the clock only an
// interrupt (the disk, the console) can make work: no deadline.
static uint
next_deadline(void)
{
  for (struct proc *p = ptable; p < &ptable[NPROC]; p++)
    if (p->state == SLEEPING && p->chan == &ticks)
      return ticks + 1;
  return 0;
}

// Round robin over runnable processes; with none, wait for an interrupt (or
// the next tick a sleeper waits for).
void
scheduler(void)
{
  struct proc *p = ptable;
  for (;;) {
    int found = 0;
    for (int i = 0; i < NPROC; i++, p = (p + 1 < &ptable[NPROC]) ? p + 1 : ptable) {
      if (p->state != RUNNABLE)
        continue;
      found = 1;
      curproc = p;
      switchuvm(p);                // a load only if another process ran last
      p->state = RUNNING;
      swtch(&schedctx, p->context);
      curproc = 0;                 // it came back through sched()
    }
    if (!found) {
      pv_idle(next_deadline());    // interrupts on until one arrives
      pv_cli();
    }
  }
}

// ^P on the console: each process (pid, state, name) and the disk's counts.
void
procdump(void)
{
  static const char *states[] = { [UNUSED] "unused", [EMBRYO] "embryo", [SLEEPING] "sleep",
                                  [RUNNABLE] "runble", [RUNNING] "run", [ZOMBIE] "zombie" };
  for (struct proc *p = ptable; p < &ptable[NPROC]; p++)
    if (p->state != UNUSED)
      cprintf("%d %s %s\n", p->pid, states[p->state], p->name);
  idedump();
}

// Where relative path names start: the current process's directory.
struct inode*
cwd_of_current(void)
{
  return curproc->cwd;
}
