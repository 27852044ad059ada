// multiboot.h: the Multiboot (v1) information block the boot loader (QEMU's
// -kernel, or GRUB) hands the host in %ebx. Only the fields vmos reads.
#ifndef VMOS_MULTIBOOT_H
#define VMOS_MULTIBOOT_H
#include "types.h"

#define MB_BOOT_MAGIC  0x2BADB002   // in %eax at entry
#define MB_INFO_MEM    0x001        // mem_lower/mem_upper valid
#define MB_INFO_CMDLINE 0x004
#define MB_INFO_MODS   0x008
#define MB_INFO_MMAP   0x040

struct mb_info {
  u32 flags;
  u32 mem_lower, mem_upper;   // KiB below 1 MiB, KiB above 1 MiB
  u32 boot_device;
  u32 cmdline;                // physical address of a NUL-terminated string
  u32 mods_count, mods_addr;
  u32 syms[4];
  u32 mmap_length, mmap_addr;
};

struct mb_mmap {              // one memory-map entry; size excludes itself
  u32 size;
  u64 addr, len;
  u32 type;                   // 1 = usable RAM
} __attribute__((packed));

struct mb_module {            // one -initrd module
  u32 start, end;             // physical
  u32 string;                 // physical address of its command line
  u32 reserved;
};

#endif
