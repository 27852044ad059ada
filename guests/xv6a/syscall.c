// syscall.c: xv6a's system calls: the number in eax, arguments on the user
// stack (xv6's convention, so xv6 programs run unchanged), the result in eax.
// Every user pointer is checked against the process's size before use, and
// the pages it covers are made present (sbrk is lazy: vm.c, uvmtouch).
#include "xv6a.h"
#include "pv.h"
#include "proc.h"
#include "syscall.h"

int
fetchint(uint addr, int *ip)
{
  if (addr >= curproc->sz || addr + 4 > curproc->sz || addr + 4 < addr ||
      uvmtouchrange(curproc->pgdir, curproc->sz, addr, 4) < 0)
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
  for (char *s = *pp; s < (char *)curproc->sz; s++) {
    if ((s == *pp || ((uint)s & (PGSIZE - 1)) == 0) &&
        uvmtouch(curproc->pgdir, curproc->sz, (uint)s) < 0)
      return -1;                   // a page of the string, first touched here
    if (*s == 0)
      return s - *pp;
  }
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
      (uint)i + size < (uint)i || uvmtouchrange(curproc->pgdir, curproc->sz, i, size) < 0)
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

int sys_fork(void), sys_exit(void), sys_wait(void), sys_pipe(void), sys_read(void),
    sys_kill(void), sys_exec(void), sys_fstat(void), sys_chdir(void), sys_dup(void),
    sys_getpid(void), sys_sbrk(void), sys_sleep(void), sys_uptime(void), sys_open(void),
    sys_write(void), sys_mknod(void), sys_unlink(void), sys_link(void), sys_mkdir(void),
    sys_close(void), sys_hostmark(void);

static int (*const syscalls[])(void) = {
  [SYS_fork] sys_fork, [SYS_exit] sys_exit, [SYS_wait] sys_wait, [SYS_pipe] sys_pipe,
  [SYS_read] sys_read, [SYS_kill] sys_kill, [SYS_exec] sys_exec, [SYS_fstat] sys_fstat,
  [SYS_chdir] sys_chdir, [SYS_dup] sys_dup, [SYS_getpid] sys_getpid, [SYS_sbrk] sys_sbrk,
  [SYS_sleep] sys_sleep, [SYS_uptime] sys_uptime, [SYS_open] sys_open,
  [SYS_write] sys_write, [SYS_mknod] sys_mknod, [SYS_unlink] sys_unlink,
  [SYS_link] sys_link, [SYS_mkdir] sys_mkdir, [SYS_close] sys_close,
  [SYS_hostmark] sys_hostmark,
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
