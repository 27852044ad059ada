// ide.c: xv6a's disk driver: PIO on the IDE primary master, polled. On bare
// QEMU these in/out instructions reach the controller; under vmos in `trap`
// mode each faults into the host, which emulates the controller on this VM's
// own drive (vmos/emulate.c) — the same code either way, as VM/370 intended;
// in `pass` mode they reach the real controller of a channel the VM owns. In
// `pv` mode a sector is one hypercall instead (pv_disk_rw).
#include "xv6a.h"
#include "file.h"
#include "pv.h"

static inline uchar inb(ushort p) { uchar v; asm volatile("inb %1,%0" : "=a"(v) : "d"(p)); return v; }
static inline void outb(ushort p, uchar v) { asm volatile("outb %0,%1" : : "a"(v), "d"(p)); }
static inline void insl(int p, void *a, int n) { asm volatile("cld; rep insl" : "+D"(a), "+c"(n) : "d"(p) : "memory"); }
static inline void outsl(int p, const void *a, int n) { asm volatile("cld; rep outsl" : "+S"(a), "+c"(n) : "d"(p)); }

static int
idewait(void)
{
  int r;
  for (int i = 0; i < 10000000; i++)
    if (((r = inb(0x1F7)) & 0xC0) == 0x40)
      return (r & 0x21) ? -1 : 0;
  return -1;
}

void
ideinit(void)
{
  if (pv_disk_pv())
    return;                      // vmos pv mode: no ports to set up
  outb(0x1F6, 0xE0);           // the master, LBA
  outb(0x3F6, 0x02);           // no interrupts: we poll
  if (idewait() < 0)
    panic("ideinit: no disk");
}

// Read b from disk, or write it.
void
iderw(struct buf *b, int write)
{
  if (b->blockno >= FSSIZE)
    panic("iderw: block out of range");
  if (pv_disk_pv()) {
    if (pv_disk_rw(b->blockno, b->data, write) < 0)
      panic("iderw: pv disk error");
    b->valid = 1;
    return;
  }
  idewait();
  outb(0x1F2, 1);
  outb(0x1F3, b->blockno);
  outb(0x1F4, b->blockno >> 8);
  outb(0x1F5, b->blockno >> 16);
  outb(0x1F6, 0xE0 | ((b->blockno >> 24) & 0x0F));
  outb(0x1F7, write ? 0x30 : 0x20);
  if (write) {
    while ((inb(0x1F7) & 0x88) != 0x08)
      ;
    outsl(0x1F0, b->data, BSIZE / 4);
  }
  if (idewait() < 0)
    panic("iderw: disk error");
  if (!write)
    insl(0x1F0, b->data, BSIZE / 4);
  b->valid = 1;
}
