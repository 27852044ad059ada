// work.c: a CPU-bound task that counts its work (the scale suite and bench,
// grade/scale.py, grade/bench_scale.py; only mini-scale runs it). A unit of
// work is WORK_UNIT turns of a counting loop; after each unit the task reads
// the host's clock (a system call) and counts the units it finished inside a
// fixed window of host ticks, the same for every VM, so that the units of
// 1,024 minis and of one mini alone over the same time can be added up and
// compared. It says when its first unit is done (that it runs at all) and,
// after the window, how many units fell in it; then it exits, and mini idles
// with its timer off (task.c), costing the host nothing.
#include "user/mini/ulib.h"

#define WORK_UNIT  (1u << 14)    // loop turns a unit (some 100,000 instructions)
#define WORK_START 1500          // the window, in host ticks since boot: after
#define WORK_END   2500          // 1,024 minis have booted (a tick each), 10 s

void
work_main(void)
{
  volatile unsigned int n = 0;
  unsigned int units = 0, counted = 0;
  for (;;) {
    for (unsigned int i = 0; i < WORK_UNIT; i++)
      n++;
    unsigned int now = clock();
    if (units++ == 0)
      printf("work: first unit done at host tick %d\n", now);
    if (now >= WORK_END)
      break;
    if (now >= WORK_START)
      counted++;
  }
  printf("work: %d units in host ticks %d-%d, %d in all\n", counted, WORK_START, WORK_END,
         units);
  exit(0);
}
