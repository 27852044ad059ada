// spin [ticks]: a CPU-bound process for tests: it computes in user mode until
// uptime has advanced `ticks` (default 100), then says so. grade/devices.py
// runs it in the background beside disk work, so that the disk's interrupts
// come while a process of the VM runs with its interrupts on: in swap mode
// those reach xv6a's handler straight from the device.
#include "types.h"
#include "user.h"

int
main(int argc, char *argv[])
{
  int n = argc > 1 ? atoi(argv[1]) : 100;
  int t0 = uptime();
  volatile unsigned int x = 0;
  while (uptime() - t0 < n)
    for (int i = 0; i < 100000; i++)
      x++;
  printf(1, "spin: %d ticks\n", n);
  exit();
}
