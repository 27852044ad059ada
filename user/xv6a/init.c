// init: the first process. It opens the console as descriptors 0, 1 and 2
// (making /console if the disk has none), then runs the shell, again whenever
// it exits, and reaps orphans meanwhile.
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "user.h"
#include "file.h"

int
main(void)
{
  if (open("console", O_RDWR) < 0) {
    mknod("console", CONSOLE, 0);
    open("console", O_RDWR);
  }
  dup(0);
  dup(0);
  for (;;) {
    printf(1, "init: starting sh\n");
    int pid = fork();
    if (pid < 0) {
      printf(1, "init: fork failed\n");
      exit();
    }
    if (pid == 0) {
      char *argv[] = { "sh", 0 };
      exec("sh", argv);
      printf(1, "init: exec sh failed\n");
      exit();
    }
    int w;
    while ((w = wait()) >= 0 && w != pid)
      ;                          // an orphan
  }
}
