// syscall.c: xv6a's system calls: the number in eax, arguments on the user
// stack (xv6's convention, so xv6 programs run unchanged), the result in eax.
// Every user pointer is checked against the process's size before use.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"

int
fetchint(uint addr, int *ip)
{
  if (addr >= curproc->sz || addr + 4 > curproc->sz || addr + 4 < addr)
    return -1;
  *ip = *(int *)addr;
  return 0;
}

int
fetchstr(uint addr, char **pp)
{
  if (addr >= curproc->sz)
    return -1;
  *pp = (char *)addr;
  for (char *s = *pp; s < (char *)curproc->sz; s++)
    if (*s == 0)
      return s - *pp;
  return -1;
}

int
argint(int n, int *ip)
{
  return fetchint(curproc->tf->esp + 4 + 4 * n, ip);
}

int
argptr(int n, char **pp, int size)
{
  int i;
  if (argint(n, &i) < 0)
    return -1;
  if (size < 0 || (uint)i >= curproc->sz || (uint)i + size > curproc->sz ||
      (uint)i + size < (uint)i)
    return -1;
  *pp = (char *)i;
  return 0;
}

int
argstr(int n, char **pp)
{
  int addr;
  if (argint(n, &addr) < 0)
    return -1;
  return fetchstr(addr, pp);
}

int sys_fork(void), sys_exit(void), sys_wait(void), sys_kill(void), sys_exec(void),
    sys_getpid(void), sys_sbrk(void), sys_sleep(void), sys_uptime(void), sys_write(void);

// xv6's numbers (guests/xv6a/syscall.h when the file system lands).
static int (*const syscalls[])(void) = {
  [1] sys_fork, [2] sys_exit, [3] sys_wait, [6] sys_kill, [7] sys_exec,
  [11] sys_getpid, [12] sys_sbrk, [13] sys_sleep, [14] sys_uptime, [16] sys_write,
};

void
syscall(void)
{
  uint num = curproc->tf->eax;
  if (num < sizeof(syscalls) / sizeof(syscalls[0]) && syscalls[num])
    curproc->tf->eax = syscalls[num]();
  else
    curproc->tf->eax = -1;
}
