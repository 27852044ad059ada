// spin.c: a CPU-bound task: it never sleeps, so its VM always wants the CPU
// (the lab 1 CPU-share test relies on that). It says so now and then.
#include "user/mini/ulib.h"

void
spin_main(void)
{
  volatile unsigned int n = 0;
  for (int round = 1;; round++) {
    for (unsigned int i = 0; i < (1u << 24); i++)
      n++;
    printf("spin: round %d\n", round);
  }
}
