// xv6a.h: xv6a's kernel-wide definitions: types, its address map, and every
// kernel function, grouped by the file that defines it. xv6a is vmos's
// xv6-style guest OS; the same source is built twice: as a vmos guest (ring 1,
// privileged work through the pv layer's hypercalls: pv_vmos.c) and for bare
// QEMU (ring 0, real instructions: pv_bare.c). pv.h is the line between them.
#ifndef XV6A_H
#define XV6A_H

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "traps.h"
typedef uint pte_t;

// Address map (memlayout.h, as xv6): the kernel at KERNBASE + physical;
// processes from 0.
// xv6a uses the memory it is given (bare: the boot loader's memory map; under
// vmos: the VM's size), up to MAXPHYS. The kernel maps all of it at KERNBASE
// with page tables every process shares (vm.c), so more memory costs one page
// table per 4 MiB, once; 1 GiB (xv6 stops at PHYSTOP, 224 MiB) keeps KERNBASE +
// MAXPHYS far below DEVSPACE and vmos's switcher region (0xFFC00000).
#define MAXPHYS   0x40000000u

#define PGSIZE 4096
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))
#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_U 0x004
#define PTE_PS 0x080
#define PTE_G  0x100   // global: the same in every address space (kept across CR3 loads)
#define PDX(va) (((uint)(va) >> 22) & 0x3FF)
#define PTX(va) (((uint)(va) >> 12) & 0x3FF)
#define PTE_ADDR(pte) ((uint)(pte) & ~0xFFF)


// The registers a trap saves (trapasm.S builds it).
struct trapframe {
  uint edi, esi, ebp, oesp, ebx, edx, ecx, eax;
  ushort gs, pad1, fs, pad2, es, pad3, ds, pad4;
  uint trapno, err, eip;
  ushort cs, pad5;
  uint eflags, esp;
  ushort ss, pad6;
};

// sleeplock.c: a lock held across sleep (a buffer, an inode; sleeplock.h)
struct sleeplock;
void initsleeplock(struct sleeplock *lk, const char *name);
void acquiresleep(struct sleeplock *lk);
void releasesleep(struct sleeplock *lk);
int holdingsleep(struct sleeplock *lk);

// uart.c: a 16550 port it drives itself (COM1 bare, COM2 as a vmos guest)
#define COM1 0x3F8
#define COM2 0x2F8
void uart_init(ushort port);
int uart_present(ushort port);
void uart_putc(ushort port, int c);
int uart_getc(ushort port);

// balloon.c: memory back to the host when it asks (vmos; nothing bare or in trap mode)
void balloon_init(void);
void balloon_tick(uint now);

// console.c
void cprintf(const char *fmt, ...);
void panic(const char *s) __attribute__((noreturn));
void consoleintr(int c);

// kalloc.c
void kinit(void *start, void *end);
char *kalloc(void);
void kfree(char *v);
uint kfreecount(void);

// main.c
extern uint physmem;             // bytes of physical memory xv6a uses

// string.c
void *memset(void *dst, int c, uint n);
void *memmove(void *dst, const void *src, uint n);
int strlen(const char *s);

// trap.c
extern uint ticks;
void trapinit(void);
void trap(struct trapframe *tf);

// vm.c
struct proc;
extern pde_t *kpgdir;
void kvmalloc(void);
pte_t *walkpgdir(pde_t *pgdir, const void *va, int alloc);
pde_t *setupkvm(void);
void switchuvm(struct proc *p);
void flushuvm(struct proc *p);
int allocuvm(pde_t *pgdir, uint oldsz, uint newsz);
int deallocuvm(pde_t *pgdir, uint oldsz, uint newsz);
void freevm(pde_t *pgdir);
pde_t *copyuvm(pde_t *pgdir, uint sz);
int uvmtouch(pde_t *pgdir, uint sz, uint va);
int uvmtouchrange(pde_t *pgdir, uint sz, uint va, uint n);
char *uva2ka(pde_t *pgdir, uint va);
int copyout(pde_t *pgdir, uint va, const void *p, uint len);
void clearpteu(pde_t *pgdir, uint va);

// proc.c
void pinit(void);
void userinit(void);
void scheduler(void) __attribute__((noreturn));
void sched(void);
void yield(void);
void sleep(void *chan);
void wakeup(void *chan);
int fork(void);
void exit(void) __attribute__((noreturn));
int wait(void);
int kill(int pid);
int growproc(int n);
void procdump(void);

// exec.c
int exec(const char *path, char **argv);

// file system: bio.c, log.c, fs.c, file.c, pipe.c, ide.c, console.c
struct buf;
struct file;
struct inode;
struct pipe;
struct stat;
struct superblock;
void binit(void);
struct buf *bread(uint dev, uint blockno);
void bwrite(struct buf *b);
void bwritev(struct buf **bs, uint *at, int n);
void brelse(struct buf *b);
void initlog(int dev, struct superblock *sb);
void begin_op(void);
void end_op(void);
void log_write(struct buf *b);
extern struct superblock sb;
void iinit(int dev);
struct inode *ialloc(uint dev, short type);
void iupdate(struct inode *ip);
struct inode *idup(struct inode *ip);
void ilock(struct inode *ip);
void iunlock(struct inode *ip);
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
void stati(struct inode *ip, struct stat *st);
int readi(struct inode *ip, char *dst, uint off, uint n);
int writei(struct inode *ip, char *src, uint off, uint n);
int namecmp(const char *s, const char *t);
struct inode *dirlookup(struct inode *dp, const char *name, uint *poff);
int dirlink(struct inode *dp, const char *name, uint inum);
struct inode *namei(const char *path);
struct inode *nameiparent(const char *path, char *name);
struct inode *cwd_of_current(void);
struct file *filealloc(void);
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int filestat(struct file *f, struct stat *st);
int fileread(struct file *f, char *addr, int n);
int filewrite(struct file *f, char *addr, int n);
int pipealloc(struct file **f0, struct file **f1);
void pipeclose(struct pipe *p, int writable);
int piperead(struct pipe *p, char *addr, int n);
int pipewrite(struct pipe *p, char *addr, int n);
void ideinit(void);
void iderw(struct buf *b, int write);
void idewritev(struct buf **bs, uint *at, int n);
void ideintr(void);
void idetick(void);
void idedump(void);
void consoleinit(void);
void consoleintr_poll(void);

// syscall.c
void syscall(void);
int argint(int n, int *ip);
int argptr(int n, char **pp, int size);
int argstr(int n, char **pp);
int fetchint(uint addr, int *ip);
int fetchstr(uint addr, char **pp);

// string.c
int strncmp(const char *p, const char *q, uint n);
char *safestrcpy(char *s, const char *t, int n);

#endif
