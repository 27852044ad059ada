// cli.c: a task that tries to turn interrupts off. In ring 3 with IOPL 0 the CPU
// raises #GP; the host reflects it to mini, which must end this task only.
#include "user/mini/ulib.h"

void
cli_main(void)
{
  printf("cli: about to run cli\n");
  asm volatile("cli");
  printf("cli: still running after cli (wrong)\n");
  exit(1);
}
