// init.c: xv6a's first process until the file system and the shell land: it
// checks the process system calls (fork, exit, wait, kill, getpid, sbrk, sleep,
// uptime, exec, write) from user mode and says what it found. The same program
// runs on bare QEMU and under vmos.
int fork(void);
void exit(void) __attribute__((noreturn));
int wait(void);
int kill(int);
int exec(const char *, char **);
int getpid(void);
char *sbrk(int);
int sleep(int);
int uptime(void);
int write(int, const void *, int);

static int fails;

static void
puts(const char *s)
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
  puts(&b[i]);
}

static void
check(int ok, const char *what)
{
  puts(ok ? "init: ok: " : "init: FAILED: ");
  puts(what);
  puts("\n");
  if (!ok)
    fails++;
}

int
main(void)
{
  puts("init: pid ");
  putn(getpid());
  puts(", stage-2 process tests\n");

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
    puts("init: FAILED: a process wrote kernel memory\n");
    exit();
  }
  check(wait() == pid, "a process writing kernel memory is killed");

  puts(fails ? "init: stage-2 tests FAILED\n" : "init: all stage-2 tests passed\n");
  for (;;)
    sleep(1000);
}
