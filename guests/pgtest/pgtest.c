// pgtest.c: a small paged guest that exercises the host's shadow paging
// (vmos/shadow.c), as xv6a will: it starts on the boot mapping, builds and loads
// its own page directory, pages in memory on demand from its own page-fault
// handler, checks which translations survive a page-directory load (global
// ones) and which invlpg and flush drop, and runs a process that may not touch
// kernel pages. The variant pgtest-bad maps a page outside its memory, which
// must stop the VM. pgtest-ldt and pgtest-df attack the host from a paged
// guest kernel (grade/hostile.py): a call gate in the LDT at linear 0, which
// this kernel maps, and hypercalls with the direction flag set.
#include "guests/hcall.h"

typedef unsigned int uint;
#define PGSIZE 4096
#define V2P(a) ((uint)(a) - GUEST_KERNBASE)
#define P 1
#define W 2
#define U 4
#define PS 0x80
#define G 0x100

extern char user_code[], user_code_end[], kstack1_top[], pf_entry[];
void enter_user(uint eip, uint esp);

static uint pd[1024] __attribute__((aligned(PGSIZE)));
static uint pt_low[1024] __attribute__((aligned(PGSIZE)));     // 0 .. 4 MiB: the process
static uint pt_demand[1024] __attribute__((aligned(PGSIZE)));  // 4 MiB ..: paged on demand
static char upage[PGSIZE] __attribute__((aligned(PGSIZE)));
static char ustack[PGSIZE] __attribute__((aligned(PGSIZE)));
static char demand_page[PGSIZE] __attribute__((aligned(PGSIZE)));
static char shared[PGSIZE] __attribute__((aligned(PGSIZE)));
static char page_a[PGSIZE] __attribute__((aligned(PGSIZE)));
static char page_b[PGSIZE] __attribute__((aligned(PGSIZE)));
static uint pd2[1024] __attribute__((aligned(PGSIZE)));        // a second address space
static uint pt2[1024] __attribute__((aligned(PGSIZE)));
#define NPDX 7                                                 // > the host's cache (6)
static uint pdx[NPDX][1024] __attribute__((aligned(PGSIZE)));

struct frame { uint edi, esi, ebp, oesp, ebx, edx, ecx, eax, err, eip, cs, eflags; };

#define hc(nr, a, b) vmos_hcall(nr, a, b, 0, 0)
#define BARRIER() asm volatile("" : : : "memory")   // page-table stores happen here

static void
say(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  hc(HC_CONSOLE_WRITE, (uint)s, n);
}

static void
sayx(const char *s, uint v, const char *t)
{
  char buf[11] = "0x";
  for (int i = 0; i < 8; i++)
    buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
  buf[10] = 0;
  say(s);
  say(buf);
  say(t);
}

void
pf_handler(struct frame *f)
{
  uint addr = ((struct vm_shared *)shared)->cr2;
  if ((f->cs & 3) == 3) {
    sayx("pgtest: process access to ", addr, " refused by the guest's tables");
    sayx(" (err ", f->err, ")\n");
    hc(HC_EXIT, 0, (uint)"pgtest done");
  }
  sayx("pgtest: page fault at ", addr, " reflected to the guest");
  sayx(" (err ", f->err, ")\n");
  // Demand paging: map the page and tell the host to forget what it knew.
  pd[addr >> 22] = V2P(pt_demand) | P | W;
  pt_demand[(addr >> 12) & 1023] = V2P(demand_page) | P | W;
  hc(HC_INVLPG, addr, 0);
}

#if defined(PGTEST_LDT)
// A reset-state LDTR (base 0, limit 0xFFFF) would make linear 0..0xFFFF the
// LDT: map a page of ours there, put a call gate to the host's code selector
// in entry 0 and call through selector 0x5 (LDT entry 0, RPL 1). A host with
// a null LDTR makes the CPU refuse it (#GP; this guest has no handler for it).
static char ldt_page[PGSIZE] __attribute__((aligned(PGSIZE)));
volatile uint ring0_cs;
void ring0_code(void);
asm(".text\nring0_code:\n  movl %cs, %eax\n  movl %eax, ring0_cs\n  lret\n");

static void
ldt_attack(void)
{
  uint off = (uint)ring0_code;
  pt_low[0] = V2P(ldt_page) | P | W;
  hc(HC_INVLPG, 0, 0);
  volatile uint *gate;
  asm("" : "=r"(gate) : "0"(0));     // linear 0, on purpose (gcc would object)
  gate[0] = SEL_HCODE << 16 | (off & 0xFFFF);
  gate[1] = (off & 0xFFFF0000) | 0x8000 | 3 << 13 | 0xC << 8;
  struct { uint off; unsigned short sel; } __attribute__((packed)) far = { 0, 0x5 };
  say("pgtest: calling through LDT selector 0x5\n");
  asm volatile("lcall *%0" : : "m"(far) : "memory", "eax");
  sayx("pgtest: escaped to ring 0 (cs ", ring0_cs, ")\n");
}
#elif defined(PGTEST_DF)
// The host entered with EFLAGS.DF set: hypercalls, page-directory loads above
// all (the host's shadow log was once overwritten this way), then timer ticks.
static void
df_attack(void)
{
  say("pgtest: page-directory loads with the direction flag set\n");
  // What a backwards copy of the frame would bring into the host: the words
  // below the frame on our vCPU page, chosen by us (a host address, say).
  volatile uint *vcpu = (volatile uint *)(ABI_SWITCHER_BASE + 0x5000);
  for (int i = 0; i < 1024 - 64; i++)
    vcpu[i] = 0xC0100000;
  for (int i = 0; i < 500; i++) {
    asm volatile("std; int $0x82; cld" : : "a"(HC_SET_PGDIR), "b"(V2P(pd)), "c"(0)
                 : "memory", "cc");
    asm volatile("std; int $0x82; cld" : : "a"(HC_NULL) : "memory", "cc");
  }
  volatile uint n = 0;
  asm volatile("std" : : : "cc");
  for (uint i = 0; i < (1u << 24); i++)
    n++;                             // host timer ticks with DF set
  asm volatile("cld" : : : "cc");
  say("pgtest: survived DF\n");
}
#endif

// The host keeps the shadows of recently loaded directories (issue 11): a
// reload of one is a hit and refills nothing; a change to the table of an
// address space that is not loaded, told to nobody, is seen when it is loaded
// again (the host write-protects the tables its shadows came from); more
// directories than the cache holds evict the least recently used, which is
// then a miss, and still right. 0x407000 is local in pd2 and every pdx.
static void
cache_test(void)
{
  volatile char *c = (volatile char *)0x407000;
  char seen[6];
  for (int i = 512; i < 1024; i++)
    pd2[i] = pd[i];                        // the kernel, as in pd
  pd2[1] = V2P(pt2) | P | W;
  pt2[7] = V2P(page_a) | P | W;
  BARRIER();
  hc(HC_SET_PGDIR, V2P(pd2), 0);
  seen[0] = *c;                            // A
  hc(HC_SET_PGDIR, V2P(pd), 0);
  hc(HC_MARK, (uint)"cache-write-begin", 0);
  pt2[7] = V2P(page_b) | P | W;            // pd2 not loaded, nobody told
  BARRIER();
  hc(HC_MARK, (uint)"cache-write-end", 0);
  hc(HC_SET_PGDIR, V2P(pd2), 0);
  seen[1] = *c;                            // B: its shadow dropped the entry
  for (int k = 0; k < 3; k++) {            // reloads: the last ones refill nothing
    hc(HC_MARK, (uint)"cache-reload", 0);
    hc(HC_SET_PGDIR, V2P(pd), 0);
    hc(HC_SET_PGDIR, V2P(pd2), 0);
    seen[2] = *c;                          // B
  }
  hc(HC_MARK, (uint)"cache-reload", 0);
  for (int k = 0; k < NPDX; k++) {         // more address spaces than it keeps
    for (int i = 512; i < 1024; i++)
      pdx[k][i] = pd[i];
    pdx[k][1] = V2P(pt_demand) | P | W;
    BARRIER();
    hc(HC_SET_PGDIR, V2P(pdx[k]), 0);
    seen[3] = *(volatile char *)0x406000;
  }
  hc(HC_MARK, (uint)"cache-evict-begin", 0);
  hc(HC_SET_PGDIR, V2P(pd2), 0);           // evicted: a miss, and right
  seen[4] = *c;                            // B
  hc(HC_MARK, (uint)"cache-evict-end", 0);
  hc(HC_SET_PGDIR, V2P(pd), 0);
  seen[3] = seen[3] == 'B' ? 'B' : '?';
  seen[5] = 0;
  say("pgtest: cache: ");
  say(seen);
  say("\n");
}

void
main(uint memsize)
{
  hc(HC_SET_SHARED, (uint)shared, 0);
  hc(HC_SET_TRAP, 14, (uint)pf_entry);
  say("pgtest: running on the boot mapping\n");

  // The kernel: all memory at GUEST_KERNBASE, in 4 MiB pages, supervisor.
  for (uint pa = 0; pa < memsize; pa += 4 << 20)
    pd[(GUEST_KERNBASE + pa) >> 22] = pa | P | W | PS;
  // The process: its code at 0x1000 and its stack below 0x3000, user pages.
  for (uint i = 0; i < (uint)(user_code_end - user_code); i++)
    upage[i] = user_code[i];
  pd[0] = V2P(pt_low) | P | W | U;
  pt_low[1] = V2P(upage) | P | U;
  pt_low[2] = V2P(ustack) | P | W | U;
#ifdef PGTEST_BAD
  pt_low[5] = 0x40000000 | P | W;          // far outside a 2 MiB VM
#endif
  hc(HC_SET_PGDIR, V2P(pd), 0);
  say("pgtest: own page directory loaded\n");
  hc(HC_MARK, (uint)"after-pgdir", 0);
#if defined(PGTEST_LDT)
  ldt_attack();
#elif defined(PGTEST_DF)
  df_attack();
#endif

#ifdef PGTEST_BAD
  say("pgtest: touching a page mapped outside its memory\n");
  *(volatile uint *)0x5000 = 1;
  say("pgtest: still running (wrong)\n");
#endif
  // Not mapped yet: the host must reflect the fault, the handler maps it.
  volatile uint *p = (volatile uint *)0x400000;
  *p = 1234;
  sayx("pgtest: demand-paged 0x00400000, read back ", *p, "\n");

  // The host's shadow is a TLB with global pages: a page-directory load keeps
  // a global translation (even one the guest changed without telling: x86
  // allows the stale one) and drops the others; HC_INVLPG and HC_FLUSH_TLB
  // drop global ones too. 0x405000 is global, 0x406000 is not.
  volatile char *g = (volatile char *)0x405000, *l = (volatile char *)0x406000;
  char seen[8];
  page_a[0] = 'A';
  page_b[0] = 'B';
  pt_demand[5] = V2P(page_a) | P | W | G;
  pt_demand[6] = V2P(page_a) | P | W;
  BARRIER();
  seen[0] = *g;                            // A: filled
  seen[1] = *l;                            // A
  pt_demand[5] = V2P(page_b) | P | W | G;  // both changed, nobody told
  pt_demand[6] = V2P(page_b) | P | W;
  BARRIER();
  hc(HC_SET_PGDIR, V2P(pd), 0);
  seen[2] = *g;                            // A: the global one is kept
  seen[3] = *l;                            // B: the local one was dropped
  hc(HC_INVLPG, 0x405000, 0);
  seen[4] = *g;                            // B
  pt_demand[5] = V2P(page_a) | P | W | G;
  BARRIER();
  hc(HC_FLUSH_TLB, 0, 0);
  seen[5] = *g;                            // A
  seen[6] = '\n';
  seen[7] = 0;
  say("pgtest: global, local: ");
  say(seen);
  cache_test();

  hc(HC_STACK_SWITCH, (uint)kstack1_top, 0);
  say("pgtest: entering the process\n");
  enter_user(0x1000, 0x3000);
}
