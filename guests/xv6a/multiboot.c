// multiboot.c: what a multiboot loader tells xv6a of its memory, for the two
// builds a loader starts: bare QEMU's (pv_bare.c) and vmos's trap mode, whose
// host enters it as a loader would (pv_trap.c). The paravirtual build is told
// in a register instead (pv_vmos.c).
#include "xv6a.h"
#include "pv.h"

// How much memory the boot loader found: the end of the usable region of its
// memory map that holds the kernel (at 1 MiB), else 1 MiB + mem_upper, else
// 16 MiB. Only the first 4 MiB are mapped yet (entry.S), where loaders put
// their tables; a map anywhere else is not read. The result is capped at
// 4 GiB - 4 KiB here and at MAXPHYS by main.
uint
multiboot_memsize(uint info)
{
  uint *mbi = P2V(info);
  if (mbi[0] & (1 << 6)) {       // mmap_length, mmap_addr
    uint len = mbi[11], addr = mbi[12];
    if (addr < (4 << 20) && len <= (4 << 20) - addr) {
      for (uint off = 0; off + 24 <= len; ) {
        uint *e = P2V(addr + off);   // size, base (64 bits), length (64), type
        unsigned long long base = e[1] | (unsigned long long)e[2] << 32;
        unsigned long long end = base + (e[3] | (unsigned long long)e[4] << 32);
        if (e[5] == 1 && base <= EXTMEM && end > EXTMEM)
          return end >= 0x100000000ULL ? 0xFFFFF000u : (uint)end;
        off += e[0] + 4;
      }
    }
  }
  if (mbi[0] & 1)                // mem_upper: KiB from 1 MiB to the first hole
    return EXTMEM + mbi[2] * 1024;
  return 16 << 20;
}

