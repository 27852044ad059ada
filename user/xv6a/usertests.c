// usertests: xv6a's own test of its system calls from user mode: bad
// arguments, limits, memory, files, directories, pipes and processes under
// load. Each test prints "test NAME: OK" or "usertests: FAIL ..." and exits;
// at the end "ALL TESTS PASSED". Run it in a fresh file system (it creates files).
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "fs.h"
#include "param.h"
#include "user.h"

static char buf[8192];
static const char *cur;
static int okfd = -1;            // the test's child reports success down this pipe
static int failures;

static void
fail(const char *why)
{
  printf(1, "usertests: FAIL %s: %s\n", cur, why);
  exit();
}

#define CHECK(cond, why) do { if (!(cond)) fail(why); } while (0)

static void
ok(void)
{
  printf(1, "test %s: OK\n", cur);
  write(okfd, "k", 1);
}

// Run f in a child; the child must exit (not be killed) for the test to pass.
static void
run(const char *name, void (*f)(void))
{
  int p[2];
  cur = name;
  CHECK(pipe(p) == 0, "pipe");
  int pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    close(p[0]);
    okfd = p[1];
    f();
    ok();
    exit();
  }
  close(p[1]);
  char c;
  int n = read(p[0], &c, 1);
  close(p[0]);
  CHECK(wait() == pid, "wait");
  if (n != 1) {
    printf(1, "usertests: test %s did not finish\n", name);
    failures++;
  }
}

// A child that must be killed by the kernel (it touches memory it may not).
static void
must_die(void (*f)(void), const char *why)
{
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  int pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    close(p[0]);
    f();
    write(p[1], "x", 1);         // still alive: the kernel let it through
    exit();
  }
  close(p[1]);
  char c;
  int n = read(p[0], &c, 1);
  close(p[0]);
  CHECK(wait() == pid, "wait");
  CHECK(n == 0, why);
}

static void
t_badptr(void)
{
  char *bad[] = { (char *)0xFFFFFFFF, (char *)0x80100000, sbrk(0) + 4096, (char *)-100 };
  int fd = open("README.md", O_RDONLY);
  CHECK(fd >= 0, "open README.md");
  for (int i = 0; i < 4; i++) {
    CHECK(read(fd, bad[i], 10) == -1, "read into a bad pointer");
    CHECK(write(1, bad[i], 10) == -1, "write from a bad pointer");
    CHECK(open(bad[i], O_RDONLY) == -1, "open of a bad path pointer");
    CHECK(fstat(fd, (struct stat *)bad[i]) == -1, "fstat into a bad pointer");
    CHECK(pipe((int *)bad[i]) == -1, "pipe into a bad pointer");
    CHECK(exec(bad[i], 0) == -1, "exec of a bad path pointer");
    char *argv[] = { "echo", bad[i], 0 };
    CHECK(exec("echo", argv) == -1, "exec with a bad argument pointer");
    CHECK(mkdir(bad[i]) == -1 && unlink(bad[i]) == -1 && chdir(bad[i]) == -1, "paths");
    CHECK(link(bad[i], "x") == -1 && link("README.md", bad[i]) == -1, "link");
  }
  close(fd);
}

static void
t_baddesc(void)
{
  int fds[] = { -1, NOFILE, 100, 12 };
  for (int i = 0; i < 4; i++) {
    CHECK(read(fds[i], buf, 1) == -1, "read on a bad descriptor");
    CHECK(write(fds[i], buf, 1) == -1, "write on a bad descriptor");
    CHECK(close(fds[i]) == -1, "close of a bad descriptor");
    CHECK(dup(fds[i]) == -1, "dup of a bad descriptor");
    struct stat st;
    CHECK(fstat(fds[i], &st) == -1, "fstat of a bad descriptor");
  }
  int fd = open("README.md", O_RDONLY);
  CHECK(write(fd, "x", 1) == -1, "write to a read-only descriptor");
  close(fd);
  CHECK(open("README.md", O_WRONLY | O_CREATE) >= 0, "open for writing");
  CHECK(open(".", O_RDWR) == -1, "a directory opened for writing");
  int n = 0;
  while (open("README.md", O_RDONLY) >= 0)
    n++;
  CHECK(n <= NOFILE, "more descriptors than NOFILE");
}

static void
t_badsize(void)
{
  CHECK(write(1, buf, -1) == -1, "write of a negative size");
  CHECK(read(0, buf, -5) == -1, "read of a negative size");
  CHECK(read(0, buf, 0x7FFFFFFF) == -1, "read larger than memory");
  CHECK(sbrk(0x7FFFFFFF) == (char *)-1, "sbrk past the kernel");
  CHECK(sbrk(0x70000000) == (char *)-1, "sbrk of more memory than there is");
}

static void
t_sbrk(void)
{
  char *a = sbrk(0);
  char *p = sbrk(10 * 4096);
  CHECK(p == a, "sbrk returns the old break");
  for (int i = 0; i < 10 * 4096; i += 512)
    p[i] = i;
  for (int i = 0; i < 10 * 4096; i += 512)
    CHECK(p[i] == (char)i, "grown memory lost its contents");
  CHECK(sbrk(-10 * 4096) == a + 10 * 4096, "shrink");
  CHECK(sbrk(0) == a, "break after shrinking");
}

// sbrk is lazy in xv6a (pages come on first touch): every way of touching a
// page first must work: the process itself, the kernel reading or writing it for
// a system call, a string argument, and a forked child, which gets its own.
static void
t_lazy(void)
{
  int n = 64 * 4096;
  char *a = sbrk(n);
  CHECK(a != (char *)-1, "sbrk of 256 KiB");
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  CHECK(write(p[1], "lazy", 5) == 5, "write to the pipe");
  CHECK(read(p[0], a + 3 * 4096 - 2, 5) == 5, "read into untouched pages (across two)");
  CHECK(strcmp(a + 3 * 4096 - 2, "lazy") == 0, "what read wrote");
  CHECK(write(p[1], a + 10 * 4096, 100) == 100, "write from an untouched page");
  CHECK(read(p[0], buf, 100) == 100 && buf[0] == 0 && buf[99] == 0, "untouched pages read zero");
  close(p[0]);
  close(p[1]);
  strcpy(a + 20 * 4096 - 3, "nosuchfile");  // a path name across a page boundary
  CHECK(open(a + 20 * 4096 - 3, 0) == -1, "open of a lazily backed name");
  CHECK(unlink(a + 30 * 4096) == -1, "unlink of an empty name in an untouched page");
  a[40 * 4096] = 'p';
  int pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    if (a[40 * 4096] != 'p' || a[50 * 4096] != 0)
      fail("the child's copy");
    a[50 * 4096] = 'c';            // its own page, not the parent's
    exit();
  }
  CHECK(wait() == pid, "wait");
  CHECK(a[50 * 4096] == 0, "a child's write reached the parent");
  for (int i = 0; i < n; i += 4096)
    a[i] = 1;
  CHECK(sbrk(-n) == a + n, "shrink");
}

// Lazy memory can run out at the touch, not at the sbrk: two sbrks that each
// fit what is free, touched in full, are more than there is. The process is
// killed; its kernel lives on, and gets all the memory back.
static void
touch_too_much(void)
{
  int n = 20 << 20;
  char *a = sbrk(n), *b = sbrk(n);
  if (a == (char *)-1 || b == (char *)-1)
    exit();                        // (less memory than assumed: nothing to show)
  for (int i = 0; i < 2 * n; i += 4096)
    a[i] = 1;
}

static void
t_lazyoom(void)
{
  must_die(touch_too_much, "a process touched more lazy memory than there is");
  char *p = sbrk(20 << 20);        // and all of it came back
  CHECK(p != (char *)-1, "sbrk after the memory hog died");
  for (int i = 0; i < (20 << 20); i += 4096)
    p[i] = 1;
  sbrk(-(20 << 20));
}

static char *freed;
static void touch_freed(void) { *(volatile char *)freed = 1; }
static void read_kernel(void) { (void)*(volatile char *)0x80100000; }
static void write_kernel(void) { *(volatile char *)0x80100000 = 1; }
static void run_cli(void) { asm volatile("cli"); }

static void
t_memfaults(void)
{
  freed = sbrk(4096);
  sbrk(-4096);
  must_die(touch_freed, "a process touched memory it had given back");
  must_die(read_kernel, "a process read kernel memory");
  must_die(write_kernel, "a process wrote kernel memory");
  must_die(run_cli, "a process ran cli");
}

static void
t_forklimit(void)
{
  int n;
  for (n = 0; n < NPROC + 5; n++) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0) {
      sleep(5);
      exit();
    }
  }
  CHECK(n < NPROC + 5, "fork never failed");
  for (; n > 0; n--)
    CHECK(wait() > 0, "wait lost a child");
  CHECK(wait() == -1, "wait found an extra child");
}

static void
t_bigfile(void)
{
  int fd = open("big", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create big");
  int blocks = MAXFILE;
  for (int i = 0; i < blocks; i++) {
    ((int *)buf)[0] = i;
    CHECK(write(fd, buf, BSIZE) == BSIZE, "write a block of big");
  }
  CHECK(write(fd, buf, BSIZE) == -1, "a file grew past MAXFILE");
  close(fd);
  fd = open("big", O_RDONLY);
  for (int i = 0; i < blocks; i++) {
    CHECK(read(fd, buf, BSIZE) == BSIZE, "read a block of big");
    CHECK(((int *)buf)[0] == i, "big's contents are wrong");
  }
  CHECK(read(fd, buf, BSIZE) == 0, "read past the end");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.size == (uint)blocks * BSIZE, "size of big");
  close(fd);
  CHECK(unlink("big") == 0, "unlink big");
}

static void
t_manyfiles(void)
{
  char name[] = "mf00";
  for (int i = 0; i < 60; i++) {
    name[2] = '0' + i / 10;
    name[3] = '0' + i % 10;
    int fd = open(name, O_CREATE | O_RDWR);
    CHECK(fd >= 0, "create");
    CHECK(write(fd, name, 4) == 4, "write");
    close(fd);
  }
  for (int i = 0; i < 60; i++) {
    name[2] = '0' + i / 10;
    name[3] = '0' + i % 10;
    int fd = open(name, O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 10) == 4 && buf[3] == name[3], "read back");
    close(fd);
    CHECK(unlink(name) == 0, "unlink");
  }
}

static void
t_concreate(void)
{
  char name[] = "cc0";
  for (int p = 0; p < 4; p++) {
    if (fork() == 0) {
      for (int round = 0; round < 20; round++)
        for (int i = 0; i < 5; i++) {
          name[2] = '0' + i;
          if ((round + p) % 2) {
            int fd = open(name, O_CREATE | O_RDWR);
            if (fd >= 0) {
              write(fd, "data", 4);
              close(fd);
            }
          } else {
            unlink(name);
          }
        }
      exit();
    }
  }
  for (int p = 0; p < 4; p++)
    CHECK(wait() > 0, "wait");
  for (int i = 0; i < 5; i++) {
    name[2] = '0' + i;
    int fd = open(name, O_RDONLY);
    if (fd >= 0) {
      struct stat st;
      CHECK(fstat(fd, &st) == 0 && st.type == T_FILE && st.nlink == 1, "a damaged file");
      close(fd);
      CHECK(unlink(name) == 0, "unlink");
    }
  }
}

static void
t_exec(void)
{
  char *argv[MAXARG + 2];
  CHECK(exec("nosuchprogram", argv) == -1, "exec of a missing file");
  argv[0] = "README.md";
  argv[1] = 0;
  CHECK(exec("README.md", argv) == -1, "exec of a file that is not ELF");
  for (int i = 0; i < MAXARG + 1; i++)
    argv[i] = "x";
  argv[MAXARG + 1] = 0;
  CHECK(exec("echo", argv) == -1, "exec with too many arguments");
  int pid = fork();
  if (pid == 0) {
    char *a[] = { "echo", "usertests:", "exec", "works", 0 };
    close(1);
    open("execout", O_CREATE | O_WRONLY);
    exec("echo", a);
    exit();
  }
  CHECK(wait() == pid, "wait");
  int fd = open("execout", O_RDONLY);
  int n = read(fd, buf, sizeof(buf));
  close(fd);
  unlink("execout");
  CHECK(n == 22 && buf[11] == 'e', "echo's output");
}

static void
t_pipes(void)
{
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  for (int w = 0; w < 3; w++) {
    if (fork() == 0) {
      close(p[0]);
      for (int i = 0; i < 100; i++) {
        char chunk[64];
        for (int j = 0; j < 64; j++)
          chunk[j] = 'a' + w;
        CHECK(write(p[1], chunk, 64) == 64, "write to the pipe");
      }
      exit();
    }
  }
  close(p[1]);
  int count[3] = { 0, 0, 0 }, n;
  while ((n = read(p[0], buf, 100)) > 0)
    for (int i = 0; i < n; i++) {
      CHECK(buf[i] >= 'a' && buf[i] <= 'c', "bytes from nowhere");
      count[buf[i] - 'a']++;
    }
  close(p[0]);
  for (int w = 0; w < 3; w++) {
    CHECK(wait() > 0, "wait");
    CHECK(count[w] == 6400, "bytes lost in the pipe");
  }
  CHECK(pipe(p) == 0, "pipe");
  close(p[0]);
  CHECK(write(p[1], "x", 1) == -1, "write to a pipe nobody reads");
  close(p[1]);
}

static void
t_dirs(void)
{
  CHECK(mkdir("dd") == 0, "mkdir");
  CHECK(mkdir("dd") == -1, "mkdir of an existing name");
  CHECK(chdir("dd") == 0, "chdir");
  int fd = open("ff", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create in the directory");
  close(fd);
  CHECK(chdir("..") == 0, "chdir ..");
  CHECK(unlink("dd") == -1, "unlink of a directory that is not empty");
  CHECK(link("dd", "dd2") == -1, "link to a directory");
  CHECK(unlink("dd/..") == -1 && unlink("dd/.") == -1, "unlink . or ..");
  CHECK(link("dd/ff", "dd/gg") == 0, "link");
  struct stat st;
  CHECK(stat("dd/gg", &st) == 0 && st.nlink == 2, "nlink after link");
  CHECK(unlink("dd/ff") == 0 && stat("dd/gg", &st) == 0 && st.nlink == 1, "nlink after unlink");
  CHECK(unlink("dd/gg") == 0, "unlink");
  CHECK(chdir("dd/nosuch") == -1 && chdir("README.md") == -1, "chdir to a non-directory");
  CHECK(open("dd/ff/x", O_CREATE | O_RDWR) == -1, "create under a file");
  CHECK(unlink("dd") == 0, "unlink an empty directory");
}

int
main(void)
{
  printf(1, "usertests starting\n");
  run("badptr", t_badptr);
  run("baddesc", t_baddesc);
  run("badsize", t_badsize);
  run("sbrk", t_sbrk);
  run("lazy", t_lazy);
  run("lazyoom", t_lazyoom);
  run("memfaults", t_memfaults);
  run("forklimit", t_forklimit);
  run("bigfile", t_bigfile);
  run("manyfiles", t_manyfiles);
  run("concreate", t_concreate);
  run("exec", t_exec);
  run("pipes", t_pipes);
  run("dirs", t_dirs);
  if (failures)
    printf(1, "usertests: %d tests FAILED\n", failures);
  else
    printf(1, "ALL TESTS PASSED\n");
  exit();
}
