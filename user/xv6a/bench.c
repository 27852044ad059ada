// bench: the xv6a workloads `make bench` measures (grade/bench.py), the same
// binary on bare QEMU and in a vmos guest. Each runs n operations between two
// rdtsc reads, bracketed by hostmark() so that under vmos the host prints its
// counters before and after. Under -icount shift=0 an rdtsc difference is the
// number of instructions retired in between, xv6a's kernel and the host's
// included; without icount it is wall time in cycles. Prints, per workload,
//   bench: NAME n N total T
// (bench.py divides), and "bench: done" at the end.
// Usage: bench [NAME ...] (default: all of them); bench -exit exits at once
// (what the exec workload runs).
#include "types.h"
#include "fcntl.h"
#include "user.h"

static uint
rdtsc_lo(uint *hi)
{
  uint lo, h;
  asm volatile("rdtsc" : "=a"(lo), "=d"(h));
  *hi = h;
  return lo;
}

// A 64-bit count in decimal, with 32-bit arithmetic only (no libgcc here):
// four 16-bit digits in base 65536, divided by 10 one digit at a time.
static void
printu64(uint hi, uint lo)
{
  uint d[4] = { hi >> 16, hi & 0xFFFF, lo >> 16, lo & 0xFFFF };
  char s[24];
  int n = 0;
  do {
    uint rem = 0;
    for (int i = 0; i < 4; i++) {
      uint cur = (rem << 16) | d[i];
      d[i] = cur / 10;
      rem = cur % 10;
    }
    s[n++] = '0' + rem;
  } while (d[0] | d[1] | d[2] | d[3]);
  while (n > 0)
    printf(1, "%c", s[--n]);
}

static void
die(const char *why)
{
  printf(1, "bench: FAIL %s\n", why);
  exit();
}

// ---- the workloads: each does n operations ----

static void
null_syscall(int n)
{
  for (int i = 0; i < n; i++)
    getpid();
}

static void
fork_exit_wait(int n)
{
  for (int i = 0; i < n; i++) {
    int pid = fork();
    if (pid < 0)
      die("fork");
    if (pid == 0)
      exit();
    if (wait() != pid)
      die("wait");
  }
}

// Run a program in a child and wait for it.
static void
spawn(char **argv)
{
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    exec(argv[0], argv);
    die("exec");
  }
  if (wait() != pid)
    die("wait");
}

static void
fork_exec_exit(int n)
{
  static char *argv[] = { "bench", "-exit", 0 };
  for (int i = 0; i < n; i++)
    spawn(argv);
}

// n process context switches: a byte goes back and forth between two
// processes through two pipes, two switches per round trip.
static void
pipe_pingpong(int n)
{
  int ping[2], pong[2];
  char c = 'x';
  if (pipe(ping) < 0 || pipe(pong) < 0)
    die("pipe");
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    for (int i = 0; i < n / 2; i++)
      if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
        die("child's pipes");
    exit();
  }
  for (int i = 0; i < n / 2; i++)
    if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
      die("parent's pipes");
  wait();
  close(ping[0]), close(ping[1]), close(pong[0]), close(pong[1]);
}

// n page faults: sbrk is lazy, so the first touch of each page faults and
// xv6a's trap handler gives it memory (under vmos the host sees it first).
static char *region;
static void
page_fault(int n)
{
  for (int i = 0; i < n; i++)
    region[i * 4096] = 1;
}
static void
page_fault_setup(int n)
{
  if ((region = sbrk(n * 4096)) == (char *)-1)
    die("sbrk");
}
static void
page_fault_done(int n)
{
  sbrk(-n * 4096);
}

// n rounds of a malloc/free loop over the same thousand heap pages (issue 8's
// hidden-fault storm): each round mallocs HEAP_PAGES blocks of one page each
// (4096 bytes with malloc's 8-byte header), writes a byte into each and frees
// them again. The pages stay mapped once touched, so bare this costs the
// stores and malloc's bookkeeping. As a guest, each page-directory load the
// guest makes empties the host's shadow of the process's pages, and the next
// round refills every page with a hidden fault: bench.py prints those per
// timer tick. (Freed in reverse order, each free merges at once: no list walk.)
#define HEAP_PAGES 1000
static char *heap_blocks[HEAP_PAGES];
static void
heap_retouch(int n)
{
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < HEAP_PAGES; j++) {
      if ((heap_blocks[j] = malloc(4096 - 8)) == 0)
        die("malloc");
      heap_blocks[j][0] = j;
    }
    for (int j = HEAP_PAGES - 1; j >= 0; j--)
      free(heap_blocks[j]);
  }
}

// n disk reads: one 512-byte block each, in order through a file larger
// than the buffer cache (NBUF 50 blocks, least recently used out first), so
// that every one misses and goes to the disk. The file stays open from one
// call to the next (xv6 has no lseek), so the measured reads go on where the
// warm-up's stopped and do not meet its blocks. The file (128 blocks: 12
// direct, the rest through the indirect block, which stays cached) is written
// once, outside the measurement. Beside busy VMs in route, swap and defer
// this is make bench's disk throughput (grade/bench_disk.py).
#define READ_FILE "benchfile"
#define READ_BLOCKS 128
static char block[512];
static int read_fd = -1, read_pos;
static void
disk_read_setup(int n)
{
  if (read_fd >= 0)
    return;
  int fd = open(READ_FILE, O_CREATE | O_RDWR);
  if (fd < 0)
    die("create " READ_FILE);
  for (int i = 0; i < READ_BLOCKS; i++) {
    block[0] = i;
    if (write(fd, block, sizeof(block)) != sizeof(block))
      die("write " READ_FILE);
  }
  close(fd);
  read_pos = READ_BLOCKS;                  // disk_read opens it again
}
static void
disk_read(int n)
{
  for (int i = 0; i < n; i++) {
    if (read_pos == READ_BLOCKS) {
      if (read_fd >= 0)
        close(read_fd);
      if ((read_fd = open(READ_FILE, O_RDONLY)) < 0)
        die("open " READ_FILE);
      read_pos = 0;
    }
    if (read(read_fd, block, sizeof(block)) != sizeof(block) || block[0] != (char)read_pos)
      die("read " READ_FILE);
    read_pos++;
  }
}

// The same reads while another process of this xv6a computes: the VM is
// busy, so its disk's interrupts often come while it runs (in swap mode they
// then reach its handler straight from the device) instead of always while
// it idles. The spinner is started and killed outside the measurement.
static int spinner = -1;
static void
busy_setup(int n)
{
  disk_read_setup(n);
  if ((spinner = fork()) < 0)
    die("fork");
  if (spinner == 0)
    for (volatile uint x = 0;; x++)
      ;
}
static void
busy_done(int n)
{
  kill(spinner);
  if (wait() != spinner)
    die("wait for the spinner");
}

static void
usertests(int n)
{
  static char *argv[] = { "usertests", 0 };
  spawn(argv);
}

static struct workload {
  char *name;
  int n;
  void (*run)(int n);
  void (*setup)(int n), (*done)(int n);   // outside the measurement
} workloads[] = {
  { "null-syscall",   20000, null_syscall },
  { "fork-exit-wait",   200, fork_exit_wait },
  { "fork-exec-exit",   100, fork_exec_exit },
  { "context-switch",  4000, pipe_pingpong },
  { "page-fault",      1000, page_fault, page_fault_setup, page_fault_done },
  { "heap-retouch",     1000, heap_retouch },
  { "disk-read",        128, disk_read, disk_read_setup },
  { "disk-read-busy",    32, disk_read, busy_setup, busy_done },
  { "usertests",          1, usertests },
};
#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static void
measure(struct workload *w)
{
  char label[32];
  uint hi0, hi1, lo0, lo1;
  int k = strlen(w->name);
  memmove(label, w->name, k);
  printf(1, "bench: %s running\n", w->name);
  if (w->n >= 10) {                // a tenth first, unmeasured: QEMU translates the
    if (w->setup)                  // code once, and the wall clock should not see it
      w->setup(w->n / 10);
    w->run(w->n / 10);
    if (w->done)
      w->done(w->n / 10);
  }
  if (w->setup)
    w->setup(w->n);
  strcpy(label + k, "-begin");
  hostmark(label);
  lo0 = rdtsc_lo(&hi0);
  w->run(w->n);
  lo1 = rdtsc_lo(&hi1);
  strcpy(label + k, "-end");
  hostmark(label);
  if (w->done)
    w->done(w->n);
  uint lo = lo1 - lo0, hi = hi1 - hi0 - (lo1 < lo0);
  printf(1, "bench: %s n %d total ", w->name, w->n);
  printu64(hi, lo);
  printf(1, "\n");
}

int
main(int argc, char *argv[])
{
  if (argc > 1 && strcmp(argv[1], "-exit") == 0)
    exit();
  for (int i = 0; i < NWORKLOADS; i++) {
    int chosen = argc == 1;
    for (int j = 1; j < argc; j++)
      chosen |= strcmp(argv[j], workloads[i].name) == 0;
    if (chosen)
      measure(&workloads[i]);
  }
  printf(1, "bench: done\n");
  exit();
}
