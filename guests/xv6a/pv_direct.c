// pv_direct.c: xv6a's side of vmos's direct paging (vmos/abi.h, "Direct
// paging"; the host's side is vmos/direct.c). Part of the vmos build only,
// beside pv_vmos.c, which turns it on when vm_info.mmu says MMU_DIRECT;
// otherwise every call here is the plain load or store of pv_bare.c.
//
// vm.c builds its tables as ever, through pv_pte_set/pv_pte_get, which put
// machine addresses in (P2M) and take physical ones out (M2P). A table
// stays an ordinary page, written with plain stores, until the directory it
// belongs to is first loaded (pv_pgdir_ready): then its kernel mapping (at
// KERNBASE) is made read-only and it is pinned, the directory last, each
// page validated whole by the host however full it is. After that an entry
// changes only by HC_MMU_UPDATE: the pair is queued here and the queue goes
// in one call when something needs the change in force (pv_mmu_flush). Pins
// and unpins go in the same queue, in order (MMU_PAGE_OP), so a fork's child
// at its first load is one call (its tables read-only, pinned) and so is a
// dead address space (unpinned, writable again, then kfree'd). Until the
// flush pv_pte_get answers from the queue, so vm.c reads what it wrote.
#include "xv6a.h"
#include "pv.h"
#include "guests/hcall.h"

static int direct;                 // on: vm_info.mmu == MMU_DIRECT
static uint myid;                  // the VM's id, as M2P names owners
static uchar pinned[MAXPHYS / PGSIZE / 8];   // bit n: physical page n is pinned
static uchar queued[MAXPHYS / PGSIZE / 8];   // ... has entries in the queue
static struct mmu_update q[MMU_UPDATE_MAX];  // queued pairs
static int nq;
static int urgent;                 // the queue holds what must be in force soon
static char *limbo[32];            // dead tables, read-only until the queue goes
static int nlimbo;
static int qop;                    // q[..qop) ends with a page operation: a pair
                                   // queued before it is never rewritten after it

#define P2M ((volatile uint *)P2M_BASE)
#define M2P ((volatile uint *)M2P_BASE)

static int  bit(uchar *map, uint pa) { return (map[pa >> 15] >> ((pa >> 12) & 7)) & 1; }
static void setbit(uchar *map, uint pa, int on)
{
  if (on)
    map[pa >> 15] |= 1 << ((pa >> 12) & 7);
  else
    map[pa >> 15] &= ~(1 << ((pa >> 12) & 7));
}
static int  ispinned(uint pa) { return bit(pinned, pa); }
static void setpinned(uint pa, int on) { setbit(pinned, pa, on); }

void
pv_direct_on(uint id)
{
  direct = 1;
  myid = id;
  cprintf("xv6a: direct paging: its page tables hold machine addresses\n");
}

// Send the queue, then free the tables that waited for it (limbo).
static void
send(void)
{
  if (nq) {
    int r = vmos_hcall(HC_MMU_UPDATE, (uint)q, nq, 0, 0);
    if (r != nq) {
      cprintf("pv: HC_MMU_UPDATE of %d: %d\n", nq, r);
      panic("pv: the host refused an update");
    }
  }
  for (int i = 0; i < nq; i++)
    setbit(queued, q[i].ptr, 0);
  nq = qop = urgent = 0;
  while (nlimbo > 0)
    kfree(limbo[--nlimbo]);      // writable again now
}

// What the running kernel or process may use must be in force: the queue
// goes if it holds any of that (a dead address space's unpins alone wait).
void
pv_mmu_flush(void)
{
  if (urgent)
    send();
}

static void
enq(uint ptr, uint val, int now)
{
  if (nq == MMU_UPDATE_MAX)
    send();
  q[nq].ptr = ptr;
  q[nq++].val = val;
  urgent |= now;
  if (!(ptr & MMU_PAGE_OP))
    setbit(queued, ptr, 1);
}

static void
pte_set(uint *e, uint pa, int perm, int now)
{
  uint v = perm ? pa | perm : 0;
  if (!direct) {
    *e = v;
    return;
  }
  if (v & PTE_P)
    v = PTE_ADDR(P2M[pa >> 12]) | (v & 0xFFF);
  uint epa = V2P(e);
  if (!ispinned(PTE_ADDR(epa))) {
    *e = v;                        // an ordinary page still
    return;
  }
  if (bit(queued, epa))
    for (int i = qop; i < nq; i++)
      if (q[i].ptr == epa) {       // queued already: the last value counts
        q[i].val = v;
        urgent |= now;
        return;
      }
  enq(epa, v, now);
}

void pv_pte_set(uint *e, uint pa, int perm) { pte_set(e, pa, perm, 1); }

uint
pv_pte_get(uint *e)
{
  uint v = *e;
  if (!direct || (!(v & PTE_P) && nq == 0))
    return v;                      // (the common case of a loop over a table)
  uint epa = V2P(e);
  if (bit(queued, epa))           // (a page with entries queued: rare)
    for (int i = 0; i < nq; i++)
      if (q[i].ptr == epa)
        v = q[i].val;
  if (!(v & PTE_P))
    return v;
  uint m = M2P[v >> 12];
  if (M2P_OWNER(m) != myid)
    return 0;                      // not our page: the host's switcher slot
  return PTE_ADDR(m) | (v & 0xFFF);
}

int
pv_pte_next(uint *t, int i, int n)
{
  if (direct && bit(queued, V2P(t)))   // entries of it queued: ask about each
    while (i < n && !(pv_pte_get(&t[i]) & PTE_P))
      i++;
  else
    while (i < n && !(t[i] & PTE_P))   // (the same test, raw: absent is absent)
      i++;
  return i;
}

// The kernel's own mapping of physical page pa, writable or not.
static void
kmap(uint pa, int writable)
{
  pte_t *pte = walkpgdir(kpgdir, P2V(pa), 0);
  if (pte == 0)
    panic("pv kmap");
  pte_set(pte, pa, PTE_P | PTE_G | (writable ? PTE_W : 0), !writable);
}

// Queue a pin or unpin of page pa, after what is queued (the host fails the
// batch if it is refused: pv_mmu_flush).
static void
pin(int op, uint pa)
{
  enq(pa | MMU_PAGE_OP, op, op != MMU_UNPIN);
  qop = nq;
  setpinned(pa, op != MMU_UNPIN);
}

void
pv_pt_new(uint *pgdir, void *pt)
{
  if (!direct || !ispinned(V2P(pgdir)))
    return;                        // pinned with its directory, at its load
  kmap(V2P(pt), 0);                // (both go with the entry that points at it)
  pin(MMU_PIN_PT, V2P(pt));
}

// Directory pa is about to be loaded: pin it and its tables if not yet.
void
pv_pgdir_ready(uint pa)
{
  pde_t *pgdir = P2V(pa);
  if (!direct || ispinned(pa)) {
    pv_mmu_flush();
    return;
  }
  // The first directory (kpgdir) brings the kernel's tables, which map every
  // page, these tables too: all read-only before the first pin. Later ones
  // share those, pinned already, and a user table maps only user pages: each
  // can be pinned right after its own mapping went read-only, in one pass
  // over the user half.
  int top = pgdir == kpgdir ? PDX(ABI_SWITCHER_BASE) : PDX(KERNBASE);
  for (int pass = pgdir == kpgdir ? 0 : 1; pass < 2; pass++)
    for (int i = 0; (i = pv_pte_next(pgdir, i, top)) < top; i++) {
      uint e = pv_pte_get(&pgdir[i]);
      if (!(e & PTE_P) || ispinned(PTE_ADDR(e)))
        continue;
      if (pass == 0 || pgdir != kpgdir)
        kmap(PTE_ADDR(e), 0);
      if (pass == 1)
        pin(MMU_PIN_PT, PTE_ADDR(e));
    }
  kmap(pa, 0);
  pin(MMU_PIN_PD, pa);
  send();
}

// Page pa, a dead table: unpinned, writable, freed, in that order.
static void
unpin(uint pa)
{
  if (nq + 2 > MMU_UPDATE_MAX || nlimbo == sizeof(limbo) / sizeof(limbo[0]))
    send();                        // (which frees those in limbo)
  pin(MMU_UNPIN, pa);
  kmap(pa, 1);
  limbo[nlimbo++] = P2V(pa);
}

// Unpin a dead directory and its user tables and make them writable again,
// lazily: the pairs wait in the queue for the next send (a pgdir load, say)
// and the pages in limbo till then. 1: the pages are ours to free.
int
pv_pgdir_free(uint *pgdir)
{
  uint pa = V2P(pgdir);
  if (!direct || !ispinned(pa))
    return 0;
  unpin(pa);                       // first: then nothing points at its tables
  for (int i = 0; (i = pv_pte_next(pgdir, i, PDX(KERNBASE))) < PDX(KERNBASE); i++)
    unpin(PTE_ADDR(pv_pte_get(&pgdir[i])));
  return 1;
}
