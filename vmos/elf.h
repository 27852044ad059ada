// elf.h: the parts of the ELF format the guest loader reads (32-bit x86 only).
#ifndef VMOS_ELF_H
#define VMOS_ELF_H
#include "types.h"

#define ELF_MAGIC 0x464C457FU   // "\x7FELF", little endian
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define PT_LOAD 1

struct elfhdr {
  u32 magic;
  u8 class, data, version, osabi, pad[8];
  u16 type, machine;
  u32 version2, entry, phoff, shoff, flags;
  u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct proghdr {
  u32 type, off, vaddr, paddr, filesz, memsz, flags, align;
};
#endif
