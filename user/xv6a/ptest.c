// ptest: checks the process system calls (fork, exit, wait, kill, getpid, sbrk,
// sleep, uptime, exec, write) from user mode and says what it found. The same
// program runs on bare QEMU and under vmos.
#include "types.h"
#include "user.h"

static int fails;

static void
puts_(const char *s)
{
  int n = 0;
  while (s[n])
    n++;
  write(1, s, n);
}

static void
putn(int v)
{
  char b[12];
  int i = 11;
  b[i] = 0;
  do
    b[--i] = '0' + v % 10;
  while ((v /= 10) > 0);
  puts_(&b[i]);
}

static void
check(int ok, const char *what)
{
  puts_(ok ? "ptest: ok: " : "ptest: FAILED: ");
  puts_(what);
  puts_("\n");
  if (!ok)
    fails++;
}

int
main(void)
{
  puts_("ptest: pid ");
  putn(getpid());
  puts_(", process tests\n");

  int pid = fork();
  if (pid == 0) {
    char *p = sbrk(8192);
    p[0] = 'x';
    p[8191] = 'y';
    sbrk(-8192);
    exit();
  }
  check(pid > 1 && wait() == pid, "fork, sbrk in the child, exit, wait");

  int n;
  for (n = 0; n < 20; n++)
    if (fork() == 0) {
      sleep(1);
      exit();
    }
  int reaped = 0;
  while (wait() > 0)
    reaped++;
  check(reaped == 20, "20 children forked and reaped");

  int t0 = uptime();
  sleep(10);
  check(uptime() - t0 >= 10, "sleep 10 ticks (uptime advances)");

  pid = fork();
  if (pid == 0)
    for (;;)
      ;
  check(kill(pid) == 0 && wait() == pid, "kill a spinning child");

  check(write(1, (char *)0x80100000, 10) == -1, "write from a kernel address fails");
  char *argv[] = { "nosuch", 0 };
  check(exec("nosuch", argv) == -1, "exec of a missing program fails");

  pid = fork();
  if (pid == 0) {
    volatile int *k = (int *)0x80100000;
    *k = 1;                      // kernel memory: the kernel must kill us
    puts_("ptest: FAILED: a process wrote kernel memory\n");
    exit();
  }
  check(wait() == pid, "a process writing kernel memory is killed");

  pid = fork();
  if (pid == 0) {
    asm volatile("cli");         // privileged: #GP in ring 3
    puts_("ptest: FAILED: a process ran cli\n");
    exit();
  }
  check(wait() == pid, "a process running cli is killed");

  puts_(fails ? "ptest: FAILED\n" : "ptest: all process tests passed\n");
  exit();
}
