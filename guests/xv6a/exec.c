// exec.c: replace the current process's memory with a program read from the
// file system: an ELF executable linked at 0 (as xv6's user programs are).
// Every field of the file is checked before it is used.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"
#include "file.h"

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

// Read n bytes at offset off of ip into user address va of pgdir.
static int
loadseg(pde_t *pgdir, uint va, struct inode *ip, uint off, uint n)
{
  while (n > 0) {
    char *ka = uva2ka(pgdir, PGROUNDDOWN(va));
    if (ka == 0)
      return -1;
    uint m = PGSIZE - (va & (PGSIZE - 1));
    if (m > n)
      m = n;
    if (readi(ip, ka + (va & (PGSIZE - 1)), off, m) != (int)m)
      return -1;
    va += m;
    off += m;
    n -= m;
  }
  return 0;
}

int
exec(const char *path, char **argv)
{
  struct elfhdr elf;
  struct proghdr ph;
  pde_t *pgdir = 0;
  uint sz = 0, sp, ustack[3 + MAXARG + 1];
  begin_op();
  struct inode *ip = namei(path);
  if (ip == 0) {
    end_op();
    return -1;
  }
  ilock(ip);
  if (readi(ip, (char *)&elf, 0, sizeof(elf)) != sizeof(elf) || elf.magic != 0x464C457F ||
      (pgdir = setupkvm()) == 0)
    goto bad;
  for (uint i = 0, off = elf.phoff; i < elf.phnum; i++, off += sizeof(ph)) {
    if (readi(ip, (char *)&ph, off, sizeof(ph)) != sizeof(ph))
      goto bad;
    if (ph.type != 1 || ph.memsz == 0)
      continue;
    if (ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr)
      goto bad;
    if ((sz = allocuvm(pgdir, sz, ph.vaddr + ph.memsz)) == 0)
      goto bad;
    if (loadseg(pgdir, ph.vaddr, ip, ph.off, ph.filesz) < 0)
      goto bad;
  }
  iunlockput(ip);
  end_op();
  ip = 0;
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
  tf->eip = elf.entry;
  tf->esp = sp;
  switchuvm(curproc);
  if (old)
    freevm(old);
  return 0;

bad:
  if (pgdir)
    freevm(pgdir);
  if (ip) {
    iunlockput(ip);
    end_op();
  }
  return -1;
}
