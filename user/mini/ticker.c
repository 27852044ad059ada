// ticker.c: sleeps 20 virtual ticks (200 ms of its own CPU time at 10 ms a tick), prints the time, again.
#include "user/mini/ulib.h"

void
ticker_main(void)
{
  for (;;) {
    sleep(20);
    printf("ticker: uptime %d\n", uptime());
  }
}
