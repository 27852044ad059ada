// hello.c: the shortest task: a line, then exit.
#include "user/mini/ulib.h"

void
hello_main(void)
{
  printf("hello from task %d\n", getpid());
  exit(0);
}
