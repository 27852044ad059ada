// sysproc.c: the system calls about processes and time, and (until the file
// descriptor layer lands) write to the console on descriptors 1 and 2.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"

int sys_fork(void) { return fork(); }
int sys_exit(void) { exit(); }
int sys_wait(void) { return wait(); }
int sys_getpid(void) { return curproc->pid; }
int sys_uptime(void) { return ticks; }

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
  uint t0 = ticks;
  while (ticks - t0 < (uint)n) {
    if (curproc->killed)
      return -1;
    sleep(&ticks);
  }
  return 0;
}

int
sys_exec(void)
{
  char *path, *argv[32];
  uint uargv;
  if (argstr(0, &path) < 0 || argint(1, (int *)&uargv) < 0)
    return -1;
  for (int i = 0;; i++) {
    int uarg;
    if (i >= 32 || fetchint(uargv + 4 * i, &uarg) < 0)
      return -1;
    if (uarg == 0) {
      argv[i] = 0;
      break;
    }
    if (fetchstr(uarg, &argv[i]) < 0)
      return -1;
  }
  return exec(path, argv);
}

int
sys_write(void)
{
  int fd, n;
  char *p;
  if (argint(0, &fd) < 0 || argint(2, &n) < 0 || argptr(1, &p, n) < 0 || (fd != 1 && fd != 2))
    return -1;
  for (int i = 0; i < n; i++)
    pv_putc(p[i]);
  return n;
}
