// disktest.c: a flat guest that drives an IDE disk with plain port I/O, as a
// guest written for real hardware would. Under vmos in trap mode every in/out
// faults into the host, which emulates the controller on the VM's own drive
// (vmos/emul/, vmos/vdev_disk.c). It reads sector 0, counts its boots in
// sector 1 (so a test can see writes survive a reboot of QEMU), reads that back,
// and checks the virtual disk interrupt was raised. The same code runs in `pass`
// mode (the ports are its own: no host entry at all); disktest-pv (-DDISKTEST_PV)
// does the same transfers with HC_BLOCK_IO.
#include "guests/hcall.h"

typedef unsigned int uint;
typedef unsigned char uchar;

static char shared[4096] __attribute__((aligned(4096)));
static uchar sec[512];

#define hc(nr, a, b) vmos_hcall(nr, a, b, 0, 0)

#ifndef DISKTEST_PV
static inline uchar inb(int port) { uchar v; asm volatile("inb %w1,%0" : "=a"(v) : "d"(port)); return v; }
static inline void outb(int port, uchar v) { asm volatile("outb %0,%w1" : : "a"(v), "d"(port)); }
static inline void insl(int port, void *a, int n) { asm volatile("cld; rep insl" : "+D"(a), "+c"(n) : "d"(port) : "memory"); }
static inline void outsl(int port, const void *a, int n) { asm volatile("cld; rep outsl" : "+S"(a), "+c"(n) : "d"(port)); }
#endif

static void
say(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  hc(HC_CONSOLE_WRITE, (uint)s, n);
}

#ifndef DISKTEST_PV
static int
wait_ready(void)
{
  int s;
  while (((s = inb(0x1F7)) & 0xC0) != 0x40)
    ;
  return (s & 0x21) ? -1 : 0;
}

#endif

#ifdef DISKTEST_PV
// pv mode: one hypercall per transfer, no port I/O at all.
static int
rw(uint lba, int write)
{
  return vmos_hcall(HC_BLOCK_IO, lba, (uint)sec, 1, write) == 1 ? 0 : -1;
}
#else
static int
rw(uint lba, int write)
{
  wait_ready();
  outb(0x1F2, 1);
  outb(0x1F3, lba);
  outb(0x1F4, lba >> 8);
  outb(0x1F5, lba >> 16);
  outb(0x1F6, 0xE0 | ((lba >> 24) & 0x0F));
  outb(0x1F7, write ? 0x30 : 0x20);
  if (write) {
    while (!(inb(0x1F7) & 0x08))
      ;
    outsl(0x1F0, sec, 512 / 4);
  }
  if (wait_ready() < 0)
    return -1;
  if (!write)
    insl(0x1F0, sec, 512 / 4);
  return 0;
}
#endif

void
main(void)
{
  hc(HC_SET_SHARED, (uint)shared, 0);
#ifndef DISKTEST_PV
  outb(0x1F6, 0xE0);                    // the master drive, LBA
  outb(0x3F6, 0);                       // disk interrupts on
#endif
  if (rw(0, 0) < 0) {
    say("disktest: reading sector 0 failed\n");
    hc(HC_EXIT, 1, (uint)"disk error");
  }
  sec[40] = 0;
  say("disktest: sector 0 says: ");
  say((char *)sec);
  say("\n");

  rw(1, 0);
  uint boots = sec[0] == 'b' ? sec[5] - '0' : 0;   // "boot N" from the last boot
  char msg[] = "boot 0";
  msg[5] = '0' + (boots + 1) % 10;
  for (int i = 0; i < 512; i++)
    sec[i] = i < 7 ? msg[i] : 0;
  if (rw(1, 1) < 0)
    say("disktest: writing sector 1 failed\n");
  for (int i = 0; i < 512; i++)
    sec[i] = 0;
  rw(1, 0);
  say("disktest: sector 1 now says: ");
  say((char *)sec);
  say("\n");
  if (((struct vm_shared *)shared)->pending & (1 << VIRQ_DISK))
    say("disktest: virtual disk interrupt pending\n");
  hc(HC_EXIT, 0, (uint)"disktest done");
}
