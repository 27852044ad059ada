// load.c: guest images and how they get into a VM. An image is a 32-bit x86 ELF
// executable, either built into vmos (the Makefile embeds every image in
// GUEST_IMAGES with `ld -b binary` and generates the table guest_images[]) or
// handed to QEMU as a multiboot module (-initrd), named by its file name without
// directory and `.elf`. Every field of the ELF is checked against the image and
// the VM's memory before anything is copied: an image is untrusted input. The
// image also says what kind of guest it is: linked at FLAT_BASE, a flat guest
// (the host maps its memory); linked at or above GUEST_KERNBASE, a paged guest
// (its own page tables, shadowed: shadow.c). A paged image with a multiboot
// header is a PC kernel (xv6a-trap): it gets a trap-mode VM (vmos/emul/), a
// virtual PC, and is entered as a multiboot loader enters a kernel.
#include "types.h"
#include "defs.h"
#include "mmu.h"
#include "memlayout.h"
#include "multiboot.h"
#include "vmos/elf.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

#define MB_HEADER_MAGIC 0x1BADB002   // in the image
#define MB_INFO_GPA     0x9000       // where the host puts the multiboot info

struct guest_image {
  const char *name;
  const char *start, *end;
};
extern const struct guest_image guest_images[];   // out/guest_images.c (generated)
extern const int nguest_images;

// The module's name as the boot line says it: "dir/foo.elf" -> "foo".
static void
module_name(const char *path, char *out, int n)
{
  const char *base = path;
  for (const char *p = path; *p && *p != ' '; p++)
    if (*p == '/')
      base = p + 1;
  int len = 0;
  while (base[len] && base[len] != ' ')
    len++;
  if (len > 4 && strncmp(base + len - 4, ".elf", 4) == 0)
    len -= 4;
  if (len > n - 1)
    len = n - 1;
  memmove(out, base, len);
  out[len] = 0;
}

static int
find_image(const char *name, const char **start, u32 *size)
{
  for (int i = 0; i < nguest_images; i++) {
    if (strcmp(guest_images[i].name, name) == 0) {
      *start = guest_images[i].start;
      *size = guest_images[i].end - guest_images[i].start;
      return 1;
    }
  }
  for (int i = 0; i < nbootmods; i++) {
    char mname[VMNAME];
    module_name(bootmods[i].name, mname, sizeof(mname));
    if (strcmp(mname, name) == 0) {
      *start = P2V(bootmods[i].start);
      *size = bootmods[i].end - bootmods[i].start;
      return 1;
    }
  }
  return 0;
}

// Print the images a boot line may name.
void
load_list(void)
{
  kprintf("vmos: guest images:");
  for (int i = 0; i < nguest_images; i++)
    kprintf(" %s", guest_images[i].name);
  for (int i = 0; i < nbootmods; i++) {
    char mname[VMNAME];
    module_name(bootmods[i].name, mname, sizeof(mname));
    kprintf(" %s (module)", mname);
  }
  kprintf("\n");
}

// Where a segment goes in guest-physical memory: a flat guest's is linked at
// FLAT_BASE + its physical address, a paged guest's says so in p_paddr.
static u32
seg_gpa(struct vm *vm, const struct proghdr *ph)
{
  return vm->paged ? ph->paddr : ph->vaddr - FLAT_BASE;
}

// Check an ELF image and decide what kind of guest it is (vm->paged); 0 if
// good, else what is wrong.
static const char*
elf_check(const char *img, u32 size, struct vm *vm)
{
  const struct elfhdr *eh = (const struct elfhdr *)img;
  if (size < sizeof(*eh) || eh->magic != ELF_MAGIC)
    return "not an ELF file";
  if (eh->class != ELFCLASS32 || eh->data != ELFDATA2LSB || eh->machine != EM_386)
    return "not a 32-bit little-endian x86 ELF";
  if (eh->type != ET_EXEC)
    return "not an ELF executable";
  if (eh->phentsize != sizeof(struct proghdr) || eh->phnum == 0 || eh->phnum > 64 ||
      eh->phoff > size || size - eh->phoff < (u32)eh->phnum * sizeof(struct proghdr))
    return "bad program header table";
  const struct proghdr *ph = (const struct proghdr *)(img + eh->phoff);
  vm->paged = -1;
  for (int i = 0; i < eh->phnum; i++) {
    if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
      continue;                      // an empty segment loads nothing
    int paged = ph[i].vaddr >= GUEST_KERNBASE;
    if (vm->paged >= 0 && paged != vm->paged)
      return "segments both below and above GUEST_KERNBASE";
    vm->paged = paged;
    if (ph[i].filesz > ph[i].memsz || ph[i].off > size || size - ph[i].off < ph[i].filesz)
      return "a segment runs past the end of the file";
    u32 gpa = seg_gpa(vm, &ph[i]);
    if (gpa >= vm->mem_size || ph[i].memsz > vm->mem_size - gpa)
      return "a segment lies outside the VM's memory";
  }
  if (vm->paged < 0)
    return "nothing to load";
  u32 entry = eh->entry;
  if (vm->paged && entry < GUEST_KERNBASE)
    entry += GUEST_KERNBASE;         // a multiboot kernel's entry is physical
  u32 entry_gpa = vm->paged ? entry - GUEST_KERNBASE : entry - FLAT_BASE;
  if (entry_gpa >= vm->mem_size)
    return "entry point outside the VM's memory";
  return 0;
}

// A multiboot header (magic, flags, checksum summing to 0) in the image's
// first 8 KiB, 4-aligned, as the multiboot spec puts it: the kernel was
// written for a PC.
static int
has_multiboot(const char *img, u32 size)
{
  for (u32 off = 0; off + 12 <= size && off + 12 <= 8192; off += 4) {
    const u32 *h = (const u32 *)(img + off);
    if (h[0] == MB_HEADER_MAGIC && h[0] + h[1] + h[2] == 0)
      return 1;
  }
  return 0;
}

// What a multiboot loader tells a PC kernel, in its memory at MB_INFO_GPA
// (below 640 KiB, where loaders put it): mem_lower/mem_upper and a memory
// map of the VM's memory, 640 KiB below 1 MiB and the rest above it.
static int
multiboot_info(struct vm *vm)
{
  char *page = vm_gpa_page_write(vm, MB_INFO_GPA);
  if (page == 0)
    return -1;                       // no page for it (the VM was stopped)
  struct mb_info *mbi = (struct mb_info *)page;
  struct mb_mmap *map = (struct mb_mmap *)(page + 256);
  memset(page, 0, PGSIZE);
  mbi->flags = MB_INFO_MEM | MB_INFO_MMAP;
  mbi->mem_lower = 640;
  mbi->mem_upper = (vm->mem_size - 0x100000) / 1024;
  map[0] = (struct mb_mmap){ sizeof(map[0]) - 4, 0, 640 * 1024, 1 };
  map[1] = (struct mb_mmap){ sizeof(map[0]) - 4, 0x100000, vm->mem_size - 0x100000, 1 };
  mbi->mmap_length = 2 * sizeof(map[0]);
  mbi->mmap_addr = MB_INFO_GPA + 256;
  return 0;
}

// Load the named image into vm and set its registers for the first entry.
// Returns 0, or -1 after printing why.
int
load_guest(struct vm *vm, const char *image)
{
  const char *img;
  u32 size;
  if (!find_image(image, &img, &size)) {
    kprintf("vmos: VM %d: no guest image named '%s'\n", vm->id, image);
    load_list();
    return -1;
  }
  const char *err = elf_check(img, size, vm);
  if (err) {
    kprintf("vmos: VM %d: image '%s' is not a valid guest: %s\n", vm->id, image, err);
    return -1;
  }
  const struct elfhdr *eh = (const struct elfhdr *)img;
  const struct proghdr *ph = (const struct proghdr *)(img + eh->phoff);
  for (int i = 0; i < eh->phnum; i++) {
    if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
      continue;                      // the rest of memsz is already zero (the zero page)
    for (u32 off = 0; off < ph[i].filesz; ) {
      u32 gpa = seg_gpa(vm, &ph[i]) + off;
      u32 n = PGSIZE - (gpa & (PGSIZE - 1));
      if (n > ph[i].filesz - off)
        n = ph[i].filesz - off;
      // The write path: the page is the zero page until written (share.c).
      char *page = vm_gpa_page_write(vm, PGROUNDDOWN(gpa));
      if (page == 0) {
        kprintf("vmos: VM %d: no memory for its image\n", vm->id);
        return -1;
      }
      memmove(page + (gpa & (PGSIZE - 1)), img + ph[i].off + off, n);
      off += n;
    }
  }
  if (vm->paged) {
    vm->mem_base = GUEST_KERNBASE;   // its boot mapping
    vm->gcr3 = GCR3_BOOT;
  } else if (vm_make_flat(vm) < 0) {
    kprintf("vmos: VM %d: no memory for its page tables\n", vm->id);
    return -1;
  }

  struct trapframe *tf = &vm->tf;
  memset(tf, 0, sizeof(*tf));
  tf->cs = SEL_GKCODE;
  tf->ds = tf->es = tf->fs = tf->gs = tf->ss = SEL_GKDATA;
  tf->eip = vm->paged && eh->entry < GUEST_KERNBASE ? eh->entry + GUEST_KERNBASE : eh->entry;
  tf->esp = vm->mem_base + vm->mem_size;
  tf->eax = GUEST_BOOT_MAGIC;
  tf->ebx = vm->mem_size;
  tf->eflags = FL_IF | FL_RSVD;    // real interrupts always on in a guest
  if (vm->paged && vm->mem_size > 0x100000 && has_multiboot(img, size)) {
    if (emul_attach(vm) < 0) {
      kprintf("vmos: VM %d: image '%s' is a PC kernel, and no virtual PC could be had\n",
              vm->id, image);
      return -1;
    }
    if (multiboot_info(vm) < 0) {
      kprintf("vmos: VM %d: no memory for its multiboot information\n", vm->id);
      return -1;
    }
    tf->eax = MB_BOOT_MAGIC;
    tf->ebx = MB_INFO_GPA;
  }
  return 0;
}
