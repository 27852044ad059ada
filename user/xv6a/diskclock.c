// diskclock [rounds]: how the clock keeps up under disk-heavy work (issue 8:
// a guest's uptime advanced 1 tick in 6 s of disk work). Between two
// hostmark()s (under vmos the host prints its counters, its timer ticks among
// them) it reads uptime, writes and reads back a file `rounds` times (default
// 20), and reads uptime again; meanwhile a child sleeps SLEEP ticks between
// two hostmarks of its own. Prints how far uptime advanced; grade/xv6a.py
// compares both with the host's ticks.
#include "types.h"
#include "fcntl.h"
#include "user.h"

#define SLEEP 20
#define BLOCKS 20

static char data[512];

static void
diskwork(int rounds)
{
  for (int r = 0; r < rounds; r++) {
    int fd = open("diskclock.tmp", O_CREATE | O_RDWR);
    if (fd < 0) {
      printf(1, "diskclock: FAIL cannot create diskclock.tmp\n");
      exit();
    }
    for (int i = 0; i < BLOCKS; i++)
      if (write(fd, data, sizeof(data)) != sizeof(data)) {
        printf(1, "diskclock: FAIL write\n");
        exit();
      }
    close(fd);
    fd = open("diskclock.tmp", O_RDONLY);
    for (int i = 0; i < BLOCKS; i++)
      read(fd, data, sizeof(data));
    close(fd);
    unlink("diskclock.tmp");
  }
}

int
main(int argc, char *argv[])
{
  int rounds = argc > 1 ? atoi(argv[1]) : 20;
  memset(data, 'd', sizeof(data));
  int pid = fork();
  if (pid < 0) {
    printf(1, "diskclock: FAIL fork\n");
    exit();
  }
  if (pid == 0) {                  // the sleeper
    hostmark("diskclock-sleep-begin");
    int t0 = uptime();
    sleep(SLEEP);
    int t1 = uptime();
    hostmark("diskclock-sleep-end");
    printf(1, "diskclock: sleep %d took %d ticks of uptime\n", SLEEP, t1 - t0);
    exit();
  }
  hostmark("diskclock-begin");
  int t0 = uptime();
  diskwork(rounds);
  int t1 = uptime();
  hostmark("diskclock-end");
  wait();
  printf(1, "diskclock: %d rounds of disk work, uptime advanced %d ticks\n", rounds, t1 - t0);
  exit();
}
