// sysproc.c: the system calls about processes and time.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"

int sys_fork(void) { return fork(); }
int sys_exit(void) { exit(); }
int sys_wait(void) { return wait(); }
int sys_getpid(void) { return curproc->pid; }
int sys_uptime(void) { return pv_clock(ticks); }

int
sys_kill(void)
{
  int pid;
  return argint(0, &pid) < 0 ? -1 : kill(pid);
}

int
sys_sbrk(void)
{
  int n;
  if (argint(0, &n) < 0)
    return -1;
  int addr = curproc->sz;
  return growproc(n) < 0 ? -1 : addr;
}

int
sys_sleep(void)
{
  int n;
  if (argint(0, &n) < 0)
    return -1;
  uint t0 = pv_clock(ticks);      // the host's clock under vmos (pv.h)
  while (pv_clock(ticks) - t0 < (uint)n) {
    if (curproc->killed)
      return -1;
    sleep(&ticks);
  }
  return 0;
}


// `make bench` brackets each workload with hostmark("name-begin"/"name-end"):
// under vmos the host prints its counters for this VM (host entries, hidden
// faults, ...) so their difference is what the workload cost the host.
int
sys_hostmark(void)
{
  char *s, label[32];
  if (argstr(0, &s) < 0)
    return -1;
  safestrcpy(label, s, sizeof(label));   // the host reads it from kernel memory
  return pv_mark(label);
}
