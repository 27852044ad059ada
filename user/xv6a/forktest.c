// forktest: fork until the kernel says no, then reap every child.
#include "types.h"
#include "user.h"

#define N 1000

int
main(void)
{
  int n, pid;
  printf(1, "fork test\n");
  for (n = 0; n < N; n++) {
    if ((pid = fork()) < 0)
      break;
    if (pid == 0)
      exit();
  }
  if (n == N) {
    printf(1, "fork claimed to work %d times!\n", N);
    exit();
  }
  for (; n > 0; n--)
    if (wait() < 0) {
      printf(1, "wait stopped early\n");
      exit();
    }
  if (wait() != -1) {
    printf(1, "wait got too many\n");
    exit();
  }
  printf(1, "fork test OK\n");
  exit();
}
