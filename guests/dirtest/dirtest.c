// dirtest.c: a small paged guest for vmos's direct paging (vmos/direct.c,
// grade/direct.py), booted as vms=dirtest:4M:direct. From the boot mapping it
// builds its own tables with machine addresses (P2M), pins them and loads
// them; then it tries, one at a time, each thing a hostile guest would try
// against HC_MMU_PIN, HC_MMU_UPDATE and HC_SET_PGDIR, and prints what the host
// answered: `dirtest: CASE: N` (0 or a count: done; < 0: the E_* code). A
// good update must be in force with no invlpg. Last it writes a pinned table
// itself (its own map says read-only: the fault comes back to it), and from
// that fault's handler writes the switcher region's M2P (the host stops it).
#include "guests/hcall.h"

typedef unsigned int uint;
#define PGSIZE 4096
#define V2P(a) ((uint)(a) - GUEST_KERNBASE)
#define P 1
#define W 2
#define U 4
#define PS 0x80

extern char kstack1_top[], pf_entry[];

static uint pd[1024] __attribute__((aligned(PGSIZE)));
static uint pt_k[1024] __attribute__((aligned(PGSIZE)));   // the kernel: 4 MiB at KERNBASE
static uint pt_u[1024] __attribute__((aligned(PGSIZE)));   // 0 .. 4 MiB: test mappings
static char shared[PGSIZE] __attribute__((aligned(PGSIZE)));
static char page_a[PGSIZE] __attribute__((aligned(PGSIZE)));
static char page_b[PGSIZE] __attribute__((aligned(PGSIZE)));
static struct mmu_update u[MMU_UPDATE_MAX + 1];
static int faulted;

#define hc(nr, a, b) vmos_hcall(nr, a, b, 0, 0)
#define P2M ((volatile uint *)P2M_BASE)
static uint m(void *kva) { return P2M[V2P(kva) >> 12] & ~0xFFFu; }   // its machine address

static void
say(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  hc(HC_CONSOLE_WRITE, (uint)s, n);
}

static void
sayn(const char *s, int v)
{
  char buf[12], *p = buf + 11;
  uint x = v < 0 ? -v : v;
  *p = 0;
  do
    *--p = '0' + x % 10;
  while (x /= 10);
  if (v < 0)
    *--p = '-';
  say("dirtest: ");
  say(s);
  say(": ");
  say(p);
  say("\n");
}

// HC_MMU_UPDATE; *bad: ecx after it (the index of a refused pair).
static int
update(uint n, uint *bad)
{
  int r;
  uint c;
  asm volatile("int $0x82" : "=a"(r), "=c"(c) : "a"(HC_MMU_UPDATE), "b"(u), "c"(n) : "memory");
  if (bad)
    *bad = c;
  return r;
}

static int
update1(uint *entry, uint val)
{
  u[0].ptr = V2P(entry);
  u[0].val = val;
  return update(1, 0);
}

void
pf_handler(void *frame)
{
  if (!faulted++) {
    say("dirtest: writing a pinned table faulted: reflected to its kernel\n");
    hc(HC_MARK, (uint)"end", 0);
    say("dirtest: writing M2P in the switcher region\n");
    *(volatile uint *)M2P_BASE = 0;
  }
  say("dirtest: still running (wrong)\n");
  hc(HC_EXIT, 1, (uint)"dirtest: not stopped");
}

void
main(uint memsize)
{
  struct vm_info vi;
  hc(HC_SET_SHARED, (uint)shared, 0);
  hc(HC_SET_TRAP, 14, (uint)pf_entry);
  hc(HC_STACK_SWITCH, (uint)kstack1_top, 0);
  if (hc(HC_VM_INFO, (uint)&vi, 0) < 0 || vi.mmu != MMU_DIRECT)
    hc(HC_EXIT, 1, (uint)"dirtest: not in direct mode");
  say("dirtest: direct paging, on the boot mapping\n");

  // Its tables: the kernel's 4 MiB at KERNBASE, its own tables read-only.
  for (uint pa = 0; pa < memsize && pa < (4u << 20); pa += PGSIZE)
    pt_k[pa >> 12] = (P2M[pa >> 12] & ~0xFFFu) | P | W;
  pt_k[V2P(pd) >> 12] &= ~W;
  pt_k[V2P(pt_k) >> 12] &= ~W;
  pt_k[V2P(pt_u) >> 12] &= ~W;
  pd[GUEST_KERNBASE >> 22] = m(pt_k) | P | W;
  pd[0] = m(pt_u) | P | W | U;
  page_a[0] = 'A';
  page_b[0] = 'B';

  sayn("set_pgdir of an unpinned page", hc(HC_SET_PGDIR, V2P(pd), 0));
  sayn("pin at an unaligned address", hc(HC_MMU_PIN, MMU_PIN_PT, V2P(pt_u) + 4));
  sayn("pin outside its memory", hc(HC_MMU_PIN, MMU_PIN_PT, memsize));
  sayn("pin a directory whose entry leads to an unpinned page", hc(HC_MMU_PIN, MMU_PIN_PD,
                                                                   V2P(pd)));
  sayn("pin pt_k", hc(HC_MMU_PIN, MMU_PIN_PT, V2P(pt_k)));
  sayn("pin pt_u", hc(HC_MMU_PIN, MMU_PIN_PT, V2P(pt_u)));
  sayn("pin pd", hc(HC_MMU_PIN, MMU_PIN_PD, V2P(pd)));
  sayn("pin a page mapped writable", hc(HC_MMU_PIN, MMU_PIN_PT, V2P(page_a)));
  sayn("set_pgdir", hc(HC_SET_PGDIR, V2P(pd), 0));
  hc(HC_MARK, (uint)"begin", 0);

  sayn("an entry pointing outside the VM", update1(&pt_u[1], 0x1000 | P | W));
  sayn("a writable mapping of a pinned table", update1(&pt_u[1], m(pt_k) | P | W));
  sayn("a switcher-region mapping", update1(&pd[1023], m(pt_u) | P | W));
  sayn("an entry in a page that is no pinned table", update1((uint *)page_a, 0));
  u[0].ptr = V2P(&pt_u[1]) + 2;
  u[0].val = 0;
  sayn("an unaligned entry address", update(1, 0));
  u[0].ptr = memsize;
  sayn("an entry address outside its memory", update(1, 0));
  sayn("a 4 MiB page", update1(&pd[1], m(page_a) | P | W | PS));
  sayn("a directory entry to an unpinned page", update1(&pd[1], m(page_a) | P | W));
  for (int i = 0; i <= MMU_UPDATE_MAX; i++) {
    u[i].ptr = V2P(&pt_u[10 + i]);
    u[i].val = 0;
  }
  sayn("a batch too long", update(MMU_UPDATE_MAX + 1, 0));
  sayn("unpin the loaded directory", hc(HC_MMU_PIN, MMU_UNPIN, V2P(pd)));
  sayn("unpin a table a pinned directory points at", hc(HC_MMU_PIN, MMU_UNPIN, V2P(pt_k)));

  // A good pair, then a bad one: the first is done, ecx names the second.
  uint bad = 99;
  u[0].ptr = V2P(&pt_u[3]);
  u[0].val = m(page_a) | P | W;
  u[1].ptr = V2P(&pt_u[4]);
  u[1].val = m(pd) | P | W;
  sayn("a good pair then a bad one", update(2, &bad));
  sayn("index of the refused pair", bad);
  sayn("0x3000 reads (A=65)", *(volatile char *)0x3000);
  sayn("a good batch of two", (u[0].ptr = V2P(&pt_u[2]), u[0].val = m(page_b) | P | W,
                               u[1].ptr = V2P(&pt_u[5]), u[1].val = m(pt_k) | P,
                               update(2, 0)));
  sayn("0x2000 reads (B=66), no invlpg", *(volatile char *)0x2000);
  sayn("a read-only mapping of a pinned table, read", *(volatile uint *)0x5000 == pt_k[0]);
  hc(HC_MARK, (uint)"refusals", 0);
  say("dirtest: writing a pinned table itself\n");
  pt_u[6] = m(pt_k) | P | W;
  say("dirtest: the write went through (wrong)\n");
  hc(HC_EXIT, 1, (uint)"dirtest: wrote a pinned table");
}
