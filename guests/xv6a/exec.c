// exec.c: replace the current process's memory with a program. For now the
// programs are built into the kernel image (out/xv6a/user/_NAME, embedded by
// xv6a.mk); once the file system exists, exec reads them from it instead.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"

#define MAXARG 32

struct image {
  const char *name;
  const char *start, *end;
};
extern const struct image xv6a_images[];   // generated: out/xv6a/images.c

struct elfhdr {
  uint magic;
  uchar elf[12];
  ushort type, machine;
  uint version, entry, phoff, shoff, flags;
  ushort ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct proghdr {
  uint type, off, vaddr, paddr, filesz, memsz, flags, align;
};

static const struct image*
find(const char *path)
{
  while (*path == '/')
    path++;
  for (const struct image *im = xv6a_images; im->name; im++)
    if (strncmp(im->name, path, 32) == 0)
      return im;
  return 0;
}

int
exec(const char *path, char **argv)
{
  const struct image *im = find(path);
  if (im == 0)
    return -1;
  const char *img = im->start;
  uint size = im->end - im->start;
  const struct elfhdr *eh = (const struct elfhdr *)img;
  if (size < sizeof(*eh) || eh->magic != 0x464C457F || eh->phoff > size ||
      eh->phnum > 16 || size - eh->phoff < eh->phnum * sizeof(struct proghdr))
    return -1;
  pde_t *pgdir = setupkvm();
  if (pgdir == 0)
    return -1;
  uint sz = 0, sp, ustack[3 + MAXARG + 1];
  const struct proghdr *ph = (const struct proghdr *)(img + eh->phoff);
  for (int i = 0; i < eh->phnum; i++) {
    if (ph[i].type != 1 || ph[i].memsz == 0)
      continue;
    if (ph[i].memsz < ph[i].filesz || ph[i].vaddr + ph[i].memsz < ph[i].vaddr ||
        ph[i].off > size || size - ph[i].off < ph[i].filesz)
      goto bad;
    if ((sz = allocuvm(pgdir, sz, ph[i].vaddr + ph[i].memsz)) == 0)
      goto bad;
    if (copyout(pgdir, ph[i].vaddr, img + ph[i].off, ph[i].filesz) < 0)
      goto bad;
  }
  // Two pages: an inaccessible guard, then the stack.
  sz = PGROUNDUP(sz);
  if ((sz = allocuvm(pgdir, sz, sz + 2 * PGSIZE)) == 0)
    goto bad;
  clearpteu(pgdir, sz - 2 * PGSIZE);
  sp = sz;
  int argc;
  for (argc = 0; argv[argc]; argc++) {
    if (argc >= MAXARG)
      goto bad;
    sp = (sp - (strlen(argv[argc]) + 1)) & ~3;
    if (copyout(pgdir, sp, argv[argc], strlen(argv[argc]) + 1) < 0)
      goto bad;
    ustack[3 + argc] = sp;
  }
  ustack[3 + argc] = 0;
  ustack[0] = 0xFFFFFFFF;          // a fake return address
  ustack[1] = argc;
  ustack[2] = sp - (argc + 1) * 4; // argv
  sp -= (3 + argc + 1) * 4;
  if (copyout(pgdir, sp, ustack, (3 + argc + 1) * 4) < 0)
    goto bad;

  const char *last = path;
  for (const char *s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  safestrcpy(curproc->name, last, sizeof(curproc->name));
  pde_t *old = curproc->pgdir;
  curproc->pgdir = pgdir;
  curproc->sz = sz;
  struct trapframe *tf = curproc->tf;
  memset(tf, 0, sizeof(*tf));
  tf->cs = pv_ucs;
  tf->ds = tf->es = tf->ss = tf->fs = tf->gs = pv_uds;
  tf->eflags = 0x200;              // interrupts on in user mode
  tf->eip = eh->entry;
  tf->esp = sp;
  switchuvm(curproc);
  if (old)
    freevm(old);
  return 0;

bad:
  freevm(pgdir);
  return -1;
}
