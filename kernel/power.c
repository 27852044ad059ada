// power.c: ending a run: QEMU's isa-debug-exit (for the test harness), halting
// the CPU, rebooting and powering off the machine.
#include "types.h"
#include "defs.h"
#include "x86.h"

#define DEBUG_EXIT_PORT 0xF4      // -device isa-debug-exit,iobase=0xf4,iosize=0x04

// Ends QEMU at once if it was started with isa-debug-exit; otherwise a no-op.
void
debug_exit(int code)
{
  outl(DEBUG_EXIT_PORT, code);
}

void
halt_forever(void)
{
  for (;;) {
    cli();
    hlt();
  }
}

void
reboot(void)
{
  outb(0x64, 0xFE);               // pulse the CPU reset line via the 8042
  // If that did not work, a triple fault resets the machine too.
  lidt(0, 1);
  asm volatile("int $3");
  halt_forever();
}

void
poweroff(void)
{
  // ACPI soft-off (SLP_EN with sleep type 0) on QEMU's PM1a control register:
  // 0xB004 on the i440fx/PIIX4 "pc" machine, 0x604 on q35.
  outw(0xB004, 0x2000);
  outw(0x604, 0x2000);
  // QEMU acts on the request a moment later: only then say it failed.
  for (u64 t0 = rdtsc(); rdtsc() - t0 < 2000000000ULL; )
    asm volatile("pause");
  kprintf("power off did not work; halted\n");
  halt_forever();
}
