// syscall.c: the system calls of mini's tasks (int $0x30, numbers in
// user/mini/syscall.h). A task's pointer must lie in the user pages: the
// kernel (ring 1) could read its own pages for it otherwise.
#include "mini.h"
#include "hcall.h"
#include "user/mini/syscall.h"

static int
user_range_ok(uint p, uint n)
{
  return p >= FLAT_USER && n <= memtop() - FLAT_USER && p - FLAT_USER <= memtop() - FLAT_USER - n;
}

void
syscall(struct tf *tf)
{
  switch (tf->eax) {
  case SYS_write:
    if (!user_range_ok(tf->ebx, tf->ecx)) {
      tf->eax = -1;
      return;
    }
    kputs((const char *)tf->ebx, tf->ecx);
    tf->eax = tf->ecx;
    return;
  case SYS_exit:
    task_exit(tf, tf->ebx);
    return;
  case SYS_yield:
    tf->eax = 0;
    task_yield(tf);
    return;
  case SYS_getpid:
    tf->eax = cur->pid;
    return;
  case SYS_sleep:
    tf->eax = 0;
    task_sleep(tf, tf->ebx);
    return;
  case SYS_uptime:
    tf->eax = ticks;
    return;
  case SYS_clock:
    hcall1(HC_VM_INFO, &info);
    tf->eax = info.host_ticks;
    return;
  default:
    tf->eax = -1;
  }
}
