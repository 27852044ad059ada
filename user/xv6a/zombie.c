// zombie: leave a child as a zombie: the parent sleeps without waiting.
#include "types.h"
#include "user.h"

int
main(void)
{
  if (fork() > 0)
    sleep(5);
  exit();
}
