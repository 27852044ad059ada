// mem.c: what the boot loader told us about the machine: memory size (from the
// multiboot memory map), the boot line, and the modules (-initrd files) that vmos
// may load as guest images. Everything is copied out of the multiboot info before
// the page allocator may reuse the memory it sits in.
#include "types.h"
#include "defs.h"
#include "memlayout.h"
#include "multiboot.h"
#include "mmu.h"

#define MAXMODS 8
struct bootmod bootmods[MAXMODS];
int nbootmods;

// Returns the top of usable machine memory (physical, page aligned), capped at
// what the direct map can hold. Copies the boot line into cmdline, and says
// how long it really was in *cmdline_len.
u32
mem_init(u32 magic, struct mb_info *mbi, char *cmdline, int cmdline_size, u32 *cmdline_len)
{
  u32 top = 0;
  cmdline[0] = 0;
  *cmdline_len = 0;
  if (magic != MB_BOOT_MAGIC)
    panic("not started by a multiboot loader (eax 0x%x)", magic);
  if (mbi->flags & MB_INFO_CMDLINE) {
    safestrcpy(cmdline, P2V(mbi->cmdline), cmdline_size);
    *cmdline_len = strlen(P2V(mbi->cmdline));   // longer than the copy: it was cut
  }
  if (mbi->flags & MB_INFO_MMAP) {
    u32 p = mbi->mmap_addr, e = mbi->mmap_addr + mbi->mmap_length;
    while (p < e) {
      struct mb_mmap *m = P2V(p);
      if (m->type == 1 && m->addr < MAXPHYS) {
        u64 end = m->addr + m->len;
        if (end > MAXPHYS)
          end = MAXPHYS;
        if (end > top)
          top = end;
      }
      p += m->size + 4;
    }
  } else if (mbi->flags & MB_INFO_MEM) {
    u64 end = EXTMEM + (u64)mbi->mem_upper * 1024;
    top = end > MAXPHYS ? MAXPHYS : end;
  }
  if (mbi->flags & MB_INFO_MODS) {
    struct mb_module *mods = P2V(mbi->mods_addr);
    for (u32 i = 0; i < mbi->mods_count && nbootmods < MAXMODS; i++) {
      struct bootmod *b = &bootmods[nbootmods++];
      b->start = mods[i].start;
      b->end = mods[i].end;
      b->name[0] = 0;
      if (mods[i].string) {          // keep the file's own name, not its directory
        const char *path = P2V(mods[i].string), *base = path;
        for (const char *p = path; *p && *p != ' '; p++)
          if (*p == '/')
            base = p + 1;
        safestrcpy(b->name, base, sizeof(b->name));
      }
    }
  }
  return PGROUNDDOWN(top);
}
