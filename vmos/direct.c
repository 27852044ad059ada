// direct.c: direct paging (Xen's paravirtual MMU), a paged guest's second
// memory mode beside shadow.c (lab 4; boot line mmu=direct, vms= field
// `direct`; the contract is vmos/abi.h, "Direct paging"). The CPU walks the
// guest's own page tables, so there is no shadow to fill and no hidden fault:
// the host's part is to make sure those tables can only ever lead into the
// VM's own machine pages. It does that by never letting the guest write a
// table the CPU may walk: such a page is *pinned* (HC_MMU_PIN), validated
// whole, and from then on changed only through HC_MMU_UPDATE, every entry
// checked on the way in.
//
// What the host keeps, per machine frame (bounded: one word per frame in
// pages of CHUNK frames, made only for frames a direct VM owns): its type
// (none, PT, PD), how many writable mappings of it the VM's pinned tables
// hold (a pinned page must have none: that is the whole of the isolation),
// and for a PT how many pinned directory entries point at it (it cannot be
// unpinned while any does). Also M2P, machine -> guest-physical with the
// owner's id, which every direct VM reads at M2P_BASE; P2M needs no copy:
// the VM's pmap page tables are that array already, mapped read-only at
// P2M_BASE of its own switcher region (switcher.c's free slots).
//
// Why this shape (refining Xen's): pinning a page whole means a new table
// costs one hypercall however many entries it has (xv6a fills a table while
// it is an ordinary page, then pins it: a fork's child costs a few calls,
// not one per entry); HC_MMU_UPDATE's batch is for entries of tables in use.
// No TLB bookkeeping: the host runs without CR4.PGE and clears PTE_G, and
// every host entry reloads CR3 both ways, so nothing the guest changed
// survives in a TLB past the hypercall that changed it. Before its first
// HC_SET_PGDIR the guest runs on the boot mapping (GUEST_KERNBASE + pa),
// built here whole at boot (no faults to fill it) in vm->pgdir: a page pinned
// then is read-only there too, and the boot mapping goes for good at the first
// load. After that vm->pgdir keeps only the switcher's slot, so the host's
// own accesses (vm.c) always come here: direct_translate walks the guest's
// tables itself.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "memlayout.h"
#include "trapframe.h"
#include "vmos/abi.h"
#include "vmos/switcher.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

#define CHUNK  1024                          // frames a page of M2P covers
#define NCHUNK (MAXPHYS / PGSIZE / CHUNK)    // every frame the host can have
#define SWSLOT PDX(SWITCHER_BASE)            // the host's slot of every directory
#define PTE_PAT 0x080                        // in a PT, the bit that is PTE_PS in a PD
// The bits a guest's PTE may carry: P W U, write-through and cache-disable
// (0x18), accessed and dirty (0x60), global (cleared), the three free for software.
#define PTE_OK  (PTE_P | PTE_W | PTE_U | 0x18 | 0x60 | PTE_G | 0xE00)

enum { F_NONE, F_PT, F_PD };

struct frame {
  u32 wmaps : 16;          // writable mappings of it in the owner's pinned PTs
  u32 refs : 14;           // a PT: pinned directory entries pointing at it
  u32 type : 2;            // F_*
};
_Static_assert(sizeof(struct frame) == 4, "a frame's state is one word");
_Static_assert(MAXVMS < 4096, "a VM id fits M2P_OWNER");
_Static_assert(NCHUNK * PGSIZE <= P2M_BASE - M2P_BASE, "M2P fits its slots");

static u32 *m2p[NCHUNK];             // the host's view of M2P pages (also the guests')
static struct frame *frames[NCHUNK]; // and of frame states, made alongside

static struct frame*
frame(u32 mfn)
{
  return mfn / CHUNK < NCHUNK && frames[mfn / CHUNK] ? &frames[mfn / CHUNK][mfn % CHUNK] : 0;
}

static u32
m2p_get(u32 mfn)
{
  return mfn / CHUNK < NCHUNK && m2p[mfn / CHUNK] ? m2p[mfn / CHUNK][mfn % CHUNK] : 0;
}

// Is machine frame mfn a page of vm's own? Then *gpa is where it sits in the
// VM. M2P says who owns a frame; the pmap must agree (the host's own truth).
// write: and the pmap lets the CPU write it (no page shared read-only).
static int
own(struct vm *vm, u32 mfn, int write, u32 *gpa)
{
  u32 e = m2p_get(mfn);
  if (e == 0 || M2P_OWNER(e) != (u32)vm->id)
    return 0;
  pte_t *p = vm_pmap_pte(vm, PTE_ADDR(e));
  if (p == 0 || !(*p & PTE_P) || PTE_ADDR(*p) != mfn << PGSHIFT || (write && !(*p & PTE_W)))
    return 0;
  *gpa = PTE_ADDR(e);
  return 1;
}

// The machine frame behind guest-physical page gpa (page aligned, inside the
// VM), or -1: the only way a guest names a table to the host.
static int
gpa_frame(struct vm *vm, u32 gpa, u32 *mfn)
{
  if ((gpa & (PGSIZE - 1)) || gpa >= vm->mem_size)
    return -1;
  pte_t *p = vm_pmap_pte(vm, gpa);
  if (p == 0 || !(*p & PTE_P) || !(*p & PTE_W))
    return -1;
  *mfn = PTE_ADDR(*p) >> PGSHIFT;
  return frame(*mfn) ? 0 : -1;       // (a frame direct_init did not see)
}

// Map every M2P page there is into vm's switcher region, read-only.
static void
m2p_map(struct vm *vm)
{
  for (int c = 0; c < NCHUNK; c++)
    if (m2p[c])
      vm->swpt[PTX(M2P_BASE) + c] = V2P(m2p[c]) | PTE_P;
}

// vm, a paged guest just loaded, runs in direct mode. 0, or -1 (no memory).
int
direct_init(struct vm *vm)
{
  vm->mmu = MMU_DIRECT;
  if (vm->mem_size > SWITCHER_BASE - GUEST_KERNBASE)
    return -1;                       // its boot mapping would reach the switcher (and
                                     // P2M's 512 slots hold 2 GiB, more than that)
  int fresh = 0;
  for (u32 gpa = 0; gpa < vm->mem_size; gpa += PGSIZE) {
    u32 mfn = PTE_ADDR(*vm_pmap_pte(vm, gpa)) >> PGSHIFT, c = mfn / CHUNK;
    if (c >= NCHUNK)
      return -1;
    if (!m2p[c]) {
      if (!(m2p[c] = kalloc()) || !(frames[c] = kalloc())) {
        if (m2p[c])
          kfree(m2p[c]);
        m2p[c] = 0;
        return -1;
      }
      memset(m2p[c], 0, PGSIZE);
      memset(frames[c], 0, PGSIZE);
      fresh = 1;
    }
    m2p[c][mfn % CHUNK] = gpa | vm->id;
    *frame(mfn) = (struct frame){ 0, 0, F_NONE };
    // the boot mapping, whole: GUEST_KERNBASE + gpa, supervisor, writable
    pte_t *pte = pt_walk(vm->pgdir, GUEST_KERNBASE + gpa, 1);
    if (pte == 0)
      return -1;
    *pte = (mfn << PGSHIFT) | PTE_P | PTE_W;
  }
  // P2M: the pmap's own page tables, read-only (vm_alloc made all of them)
  for (u32 i = 0; i * (PGSIZE << 10) < vm->mem_size; i++)
    vm->swpt[PTX(P2M_BASE) + i] = PTE_ADDR(vm->pmap[i]) | PTE_P;
  if (fresh) {                       // a new M2P page: every direct VM sees it
    for (int i = 0; i < nvms; i++)
      if (vms[i].mmu == MMU_DIRECT && vms[i].swpt && vms[i].state != VM_FREE)
        m2p_map(&vms[i]);
  }
  m2p_map(vm);
  return 0;
}

// vm's memory goes back to the host (vm.c): its frames are nobody's again.
void
direct_free(struct vm *vm)
{
  if (vm->mmu != MMU_DIRECT || vm->pmap == 0)
    return;
  for (u32 gpa = 0; gpa < vm->mem_size; gpa += PGSIZE) {
    pte_t *p = vm_pmap_pte(vm, gpa);
    if (p == 0 || !(*p & PTE_P))
      continue;
    u32 mfn = PTE_ADDR(*p) >> PGSHIFT;
    if (M2P_OWNER(m2p_get(mfn)) == (u32)vm->id) {
      m2p[mfn / CHUNK][mfn % CHUNK] = 0;
      *frame(mfn) = (struct frame){ 0, 0, F_NONE };
    }
  }
}

// Before the first load the guest runs on the boot mapping, which maps all of
// its memory writable: a page pinned then must be read-only there as well, or
// the guest would write the table the host just validated.
static void
bootmap_write(struct vm *vm, u32 gpa, u32 mfn, int writable)
{
  if (vm->gcr3 != GCR3_BOOT)
    return;
  pte_t *pte = pt_walk(vm->pgdir, GUEST_KERNBASE + gpa, 0);
  if (pte)
    *pte = (mfn << PGSHIFT) | PTE_P | (writable ? PTE_W : 0);
}

// Is e, to be an entry of a PT, one the CPU may use? Its frame a page of the
// VM's; writable only if the frame is no pinned table.
static int
pte_check(struct vm *vm, u32 e, u32 self)
{
  u32 g;
  if (!(e & PTE_P))
    return 0;
  if (e & ~(PTE_ADDR(~0u) | PTE_OK))
    return E_INVAL;                  // PAT: not a memory type a guest picks
  u32 mfn = PTE_ADDR(e) >> PGSHIFT;
  if (!own(vm, mfn, e & PTE_W, &g))
    return E_FAULT;                  // outside the VM (or shared: read-only only)
  if (e & PTE_W) {
    struct frame *f = frame(mfn);
    if (f->type != F_NONE || mfn == self)
      return E_PERM;                 // a writable way to a pinned table
    if (f->wmaps == 0xFFFF)
      return E_INVAL;
  }
  return 0;
}

// Is e, to be entry i of a directory, one the CPU may use? It leads to a
// pinned PT of the VM's, is no 4 MiB page and not the host's slot.
static int
pde_check(struct vm *vm, int i, u32 e)
{
  u32 g;
  if (i == SWSLOT)
    return E_PERM;                   // the switcher region is the host's
  if (!(e & PTE_P))
    return 0;
  if (e & PTE_PS)
    return E_INVAL;                  // would map 4 MiB unchecked
  u32 mfn = PTE_ADDR(e) >> PGSHIFT;
  if (!own(vm, mfn, 0, &g))
    return E_FAULT;
  struct frame *f = frame(mfn);
  if (f->type != F_PT)
    return E_PERM;                   // an unchecked page as a table
  if (f->refs == 0x3FFF)
    return E_INVAL;
  return 0;
}

// What entry e of a pinned table counts for in the frames' states: +1 or -1.
static void
count(u32 e, int pd, int d)
{
  if (!(e & PTE_P))
    return;
  struct frame *f = frame(PTE_ADDR(e) >> PGSHIFT);
  if (pd)
    f->refs += d;
  else if (e & PTE_W)
    f->wmaps += d;
}

static int
refuse(struct vm *vm, int err)
{
  vm->st.mmu_refused++;
  return err;
}

// Pin or unpin (op) the page at guest-physical gpa: 0 or an E_* code.
static int
page_op(struct vm *vm, u32 op, u32 gpa)
{
  u32 mfn;
  if (op < MMU_PIN_PT || op > MMU_UNPIN)
    return E_INVAL;
  if (gpa_frame(vm, gpa, &mfn) < 0)
    return E_FAULT;                  // unaligned, outside it, or not its own
  struct frame *f = frame(mfn);
  u32 *t = P2V(mfn << PGSHIFT);
  int pd = op == MMU_PIN_PD;
  if (op == MMU_UNPIN) {
    if (f->type == F_NONE)
      return E_INVAL;
    if ((f->type == F_PD && vm->cr3 == mfn << PGSHIFT) || (f->type == F_PT && f->refs))
      return E_PERM;                 // the CPU may walk it still
    pd = f->type == F_PD;
    for (int i = 0; i < NPTENTRIES; i++)
      if ((t[i] & PTE_P) && !(pd && i == SWSLOT))
        count(t[i], pd, -1);
    if (pd)
      t[SWSLOT] = 0;
    f->type = F_NONE;
    bootmap_write(vm, gpa, mfn, 1);
    vm->st.mmu_unpins++;
    return 0;
  }
  if (f->type != F_NONE || f->wmaps)
    return E_PERM;                   // pinned already, or writable somewhere
  if ((vm->shared && V2P(vm->shared) == mfn << PGSHIFT) ||
      (vm->disk.ring && V2P(vm->disk.ring) == mfn << PGSHIFT))
    return E_PERM;                   // the host writes there itself
  // Check and count entry by entry (so a bound on the counts holds for the
  // sum); on a bad one, take back what was counted.
  for (int i = 0; i < NPTENTRIES; i++) {
    if (!(t[i] & PTE_P) || (pd && i == SWSLOT))
      continue;                      // (most of a new table: quickly)
    int r = pd ? pde_check(vm, i, t[i]) : pte_check(vm, t[i], mfn);
    if (r < 0) {
      while (--i >= 0)
        if (!(pd && i == SWSLOT))
          count(t[i], pd, -1);
      return r;
    }
    if (!pd)
      t[i] &= ~PTE_G;
    count(t[i], pd, 1);
  }
  if (pd)
    t[SWSLOT] = V2P(vm->swpt) | PTE_P | PTE_W;
  f->type = pd ? F_PD : F_PT;
  bootmap_write(vm, gpa, mfn, 0);
  vm->st.mmu_pins++;
  return 0;
}

// HC_MMU_PIN: op on the page at guest-physical gpa.
int
direct_pin(struct vm *vm, u32 op, u32 gpa)
{
  int r = vm->mmu == MMU_DIRECT ? page_op(vm, op, gpa) : E_INVAL;
  return r < 0 ? refuse(vm, r) : r;
}

// One (entry, value) pair of HC_MMU_UPDATE, or a page operation in its place
// (ptr's low bits MMU_PAGE_OP: HC_MMU_PIN's op in val on the page at ptr).
static int
update_one(struct vm *vm, u32 ptr, u32 val)
{
  u32 mfn;
  if ((ptr & 3) == MMU_PAGE_OP)
    return page_op(vm, val, ptr & ~3u);
  if (ptr & 3)
    return E_INVAL;
  if (gpa_frame(vm, PGROUNDDOWN(ptr), &mfn) < 0)
    return E_FAULT;
  struct frame *f = frame(mfn);
  if (f->type == F_NONE)
    return E_INVAL;                  // not a pinned table: write it yourself
  int pd = f->type == F_PD, i = (ptr & (PGSIZE - 1)) / 4;
  if (!pd)
    val &= ~PTE_G;
  int r = pd ? pde_check(vm, i, val) : pte_check(vm, val, mfn);
  if (r < 0)
    return r;
  u32 *t = P2V(mfn << PGSHIFT);
  count(t[i], pd, -1);
  count(val, pd, 1);
  t[i] = val;
  return 0;
}

// HC_MMU_UPDATE: ebx = the pairs, ecx = how many.
int
direct_update(struct vm *vm, struct trapframe *tf)
{
  struct mmu_update u[MMU_UPDATE_MAX];
  u32 n = tf->ecx;
  if (vm->mmu != MMU_DIRECT || n > MMU_UPDATE_MAX)
    return refuse(vm, E_INVAL);      // a batch too long: nothing done
  if (vm_copyin(vm, u, tf->ebx, n * sizeof(u[0])) < 0)
    return refuse(vm, E_FAULT);
  vm->st.mmu_batches++;
  for (u32 k = 0; k < n; k++) {
    int r = update_one(vm, u[k].ptr, u[k].val);
    if (r < 0) {
      tf->ecx = k;                   // which pair: the ones before it are done
      return refuse(vm, r);
    }
    vm->st.mmu_pairs++;
  }
  return n;
}

// HC_SET_PGDIR in direct mode: the CPU runs on the pinned directory at gpa.
int
direct_set_pgdir(struct vm *vm, u32 gpa, u32 esp1)
{
  u32 mfn;
  if (gpa_frame(vm, gpa, &mfn) < 0)
    return refuse(vm, E_FAULT);
  if (frame(mfn)->type != F_PD)
    return refuse(vm, E_PERM);       // an unchecked page as the CPU's directory
  if (esp1 && !vm_range_ok(vm, esp1 - 4, 4))
    return E_FAULT;
  if (esp1)
    vm->esp1 = esp1;
  if (vm->gcr3 == GCR3_BOOT)
    pd_free_tables(vm->pgdir, 0);    // the boot mapping goes for good
  vm->gcr3 = gpa;
  vm->cr3 = mfn << PGSHIFT;
  vm->st.pgdir_loads++;
  return 0;
}

// HC_FLUSH_TLB, HC_INVLPG: the host's entry for the call reloaded CR3 already,
// and the CPU keeps no global entry of a guest (PTE_G cleared): nothing left.
int
direct_flush(struct vm *vm)
{
  return 0;
}

// What gva means to the guest kernel now, for the host's own accesses
// (vm.c's translate): the guest's own tables, walked as the CPU would. Every
// entry in them was checked on its way in, so each step leads to a page of
// the VM; write: the tables must let the kernel write there, which they never
// do for a pinned page (so the host cannot be made to write a table).
int
direct_translate(struct vm *vm, u32 gva, int write, u32 *gpa)
{
  u32 g;
  if (gva >= SWITCHER_BASE)
    return -1;
  if (vm->gcr3 == GCR3_BOOT) {
    pte_t *pte = pt_walk(vm->pgdir, gva, 0);
    if (gva - GUEST_KERNBASE >= vm->mem_size || pte == 0 || !(*pte & PTE_P) ||
        (write && !(*pte & PTE_W)))
      return -1;
    *gpa = gva - GUEST_KERNBASE;
    return 0;
  }
  u32 pde = ((u32 *)P2V(vm->cr3))[PDX(gva)];
  if (!(pde & PTE_P))
    return -1;
  u32 pte = ((u32 *)P2V(PTE_ADDR(pde)))[PTX(gva)];
  if (!(pte & PTE_P) || (write && !(pde & pte & PTE_W)))
    return -1;
  if (!own(vm, PTE_ADDR(pte) >> PGSHIFT, 0, &g))
    return -1;
  *gpa = g | (gva & (PGSIZE - 1));
  return 0;
}

// A page fault of a direct VM (sched.c): the CPU walked the guest's own
// tables, so the fault is the guest's, to reflect. Its kernel touching the
// switcher region is writing the host's pages or a bug: stopped. Returns the
// exit cause to count.
int
direct_fault(struct vm *vm, u32 va, u32 err)
{
  if (va >= SWITCHER_BASE && !(err & PF_U)) {
    vm_stop(vm, "page fault at 0x%x in the switcher region (%s in ring 1)", va,
            (err & PF_W) ? "write" : "read");
    return X_FATAL;
  }
  if (vm->shared)
    vm->shared->cr2 = va;
  reflect(vm, T_PGFLT, 1, err, R_TRAP);
  return X_FAULT;
}
