// memlayout.h: xv6's memory layout (xv6a keeps it).
#define EXTMEM   0x100000            // start of extended memory
#define PHYSTOP  0xE000000           // top physical memory xv6 would use
#define DEVSPACE 0xFE000000          // other devices
#define KERNBASE 0x80000000          // first kernel virtual address
#define KERNLINK (KERNBASE + EXTMEM) // where the kernel is linked
#define V2P(a) (((uint)(a)) - KERNBASE)
#define P2V(a) ((void *)(((char *)(a)) + KERNBASE))
#define V2P_WO(x) ((x) - KERNBASE)
#define P2V_WO(x) ((x) + KERNBASE)
