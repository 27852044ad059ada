// shadow.c: shadow paging for paged guests (xv6a; design.md section 4, issues 4, 11).
// A paged guest keeps its own page tables in its guest-physical memory and loads
// them with HC_SET_PGDIR. The CPU never sees them: it runs the guest on a
// shadow (vm->pgdir), which the host fills lazily. A page fault the guest's tables
// explain is a *hidden* fault: the host copies the translation into the shadow,
// with the machine page for the guest-physical one, and the guest never knows.
// Any other fault is the guest's own and is reflected to it (sched.c).
//
// Policy for keeping shadows: a cache of shadows, one per guest page directory
// (its guest-physical address), the SHADOW_CACHE (boot line shadowcache=N:
// fewer) most recently loaded. A
// directory load switches vm->pgdir to its shadow if it is kept (a hit), or
// empties the least recently used one for it (a miss, an eviction). Two kinds of
// entry, as x86 has two kinds of TLB entry with CR4.PGE:
//   global (the guest's entry has PTE_G): the guest promises it is the same in
//     every address space. They live in shadow tables all shadows share
//     (vm->sh_gdir, by slot) and behave exactly like global TLB entries: kept
//     across every directory load, dropped only by HC_INVLPG of their address
//     or HC_FLUSH_TLB (a guest that changes one without either may see the old
//     one, as on x86).
//   local (all others): x86 drops them at every CR3 load; the cache keeps them,
//     so it must know when the guest changes what they came from. Every guest
//     page a local entry was derived from (the directory, the page table) is
//     *protected*: a bit in vm->sh_wp, and no shadow maps it writable. A write
//     to it, by the guest's kernel or process (a hidden fault) or by the host
//     on its behalf (vm_page), unprotects it: the local entries derived from it
//     (all of a shadow whose directory it is; the slot of a shadow whose page
//     table it is) are dropped at once in every shadow not running, and in the
//     running one at the next directory load (until then it may use the old
//     entry, as a TLB may until a CR3 load or invlpg); it stays writable until
//     a new entry is derived from it. So a guest may change a table of an
//     address space that is not loaded without telling anyone (fork, exec,
//     exit, sbrk do), and one that is loaded as x86 allows: a kept shadow never
//     outlives its source. A shadow that would have to map one of its own
//     sources writable (a table that maps itself) is marked unsafe and is
//     emptied at its next load, as every shadow used to be. (A trap-mode VM
//     keeps only the global entries across loads, for now: see
//     shadow_new_pgdir.)
// HC_INVLPG drops the address in every shadow, HC_FLUSH_TLB (and the host's own
// shadow_flush, after it changes vm->pmap) drops everything. Memory is bounded:
// SHADOW_CACHE directories and SHADOW_TABLES tables a VM; past that the least
// recently used shadows are emptied. Counted in `stats` and on mark lines:
// hits, misses, evictions, protections, write-protect faults, entries dropped.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "memlayout.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

#define SPTE_GLOBAL 0x200   // a software bit of the shadow entry: from a global one
#define WALK_NONE (-1)      // the guest's tables map nothing there
#define WALK_BAD  (-2)      // the guest's tables point outside its memory
#define SH_FREE   3         // struct shadow's gcr3 when it shadows nothing
#define SRC_NONE  1         // a slot's local entries came from the directory alone
#define NSLOTS    PDX(SWITCHER_BASE)   // the slots a guest's tables can fill
// What only code inside the LAB 4 blocks calls is marked unused: a handout
// whose blocks are empty still builds.
#define LAB4_ONLY __attribute__((unused))

BOOTOPT(shadowcache, "shadowcache", "guest address spaces whose shadows a paged VM keeps, "
        "1 to 6 (default 6; 1: every page-directory load empties the one shadow of all "
        "but the global entries, as before lab 4's cache)");

// How many of vm->sh[] a directory load may use (boot line shadowcache=N).
LAB4_ONLY static int
cache_size(void)
{
  static int n;
  if (n == 0)
    n = bootline_uint_range("shadowcache", SHADOW_CACHE, 1, SHADOW_CACHE);
  return n;
}

static int  bit_get(u32 *b, int i) { return (b[i / 32] >> (i % 32)) & 1; }
static void bit_set(u32 *b, int i) { b[i / 32] |= 1u << (i % 32); }
static void bit_clr(u32 *b, int i) { b[i / 32] &= ~(1u << (i % 32)); }

// Read a 32-bit word of guest-physical memory (a page-table entry).
LAB4_ONLY static int
gpa_read32(struct vm *vm, u32 gpa, u32 *v)
{
  u32 *page = vm_gpa_page(vm, PGROUNDDOWN(gpa));
  if (page == 0)
    return -1;
  *v = page[(gpa & (PGSIZE - 1)) / 4];
  return 0;
}

// Walk the guest's own page tables for va. On success *gpte is the effective
// entry: the guest-physical frame with P and the U and W bits that both levels
// grant, and G; *table is the guest page table it came from (SRC_NONE: a
// 4 MiB page, or the boot mapping). Every frame is checked against the VM's
// memory: a hostile guest could otherwise have the host map (and so give it)
// any machine page. *bad is the frame that failed the check.
static int
guest_walk(struct vm *vm, u32 va, u32 *gpte, u32 *table, u32 *bad)
{
  // LAB 4: the walk x86 would make in the guest's tables, vm->gcr3 down:
  // nothing at or above SWITCHER_BASE, whatever they say; before the guest's
  // first directory (GCR3_BOOT) its memory at GUEST_KERNBASE, writable; a
  // 4 MiB page (PTE_PS) or a page table's entry; U and W only as both levels
  // grant them; WALK_BAD for any frame (table or page) outside its memory.
  /* LAB 4: BEGIN */
  *table = SRC_NONE;
  if (va >= SWITCHER_BASE)
    return WALK_NONE;                // never the guest's, whatever its tables say
  if (vm->gcr3 == GCR3_BOOT) {       // the boot mapping, before its first pgdir
    if (va - GUEST_KERNBASE >= vm->mem_size)
      return WALK_NONE;
    *gpte = PGROUNDDOWN(va - GUEST_KERNBASE) | PTE_P | PTE_W;
    return 0;
  }
  u32 pde, pte;
  if (gpa_read32(vm, vm->gcr3 + PDX(va) * 4, &pde) < 0)
    return WALK_NONE;
  if (!(pde & PTE_P))
    return WALK_NONE;
  if (pde & PTE_PS) {                // a 4 MiB page
    u32 frame = (pde & 0xFFC00000) + (va & 0x003FF000);
    *bad = frame;
    if (frame >= vm->mem_size)
      return WALK_BAD;
    *gpte = frame | PTE_P | (pde & (PTE_U | PTE_W | PTE_G));
    return 0;
  }
  *bad = PTE_ADDR(pde);
  if (PTE_ADDR(pde) >= vm->mem_size)
    return WALK_BAD;
  if (gpa_read32(vm, PTE_ADDR(pde) + PTX(va) * 4, &pte) < 0 || !(pte & PTE_P))
    return WALK_NONE;
  *bad = PTE_ADDR(pte);
  if (PTE_ADDR(pte) >= vm->mem_size)
    return WALK_BAD;
  *table = PTE_ADDR(pde);
  *gpte = PTE_ADDR(pte) | PTE_P | (pde & pte & (PTE_U | PTE_W)) | (pte & PTE_G);
  return 0;
  /* LAB 4: END */
  return WALK_NONE;
}

// For the host's own accesses on the guest kernel's behalf (hypercall pointers,
// frames on its stack): what gva means to the guest kernel right now.
int
shadow_translate(struct vm *vm, u32 gva, int write, u32 *gpa)
{
  u32 g, table, bad;
  if (guest_walk(vm, gva, &g, &table, &bad) < 0 || (write && !(g & PTE_W)))
    return -1;
  *gpa = PTE_ADDR(g) | (gva & (PGSIZE - 1));
  return 0;
}

// ---- shadow page tables: allocation, within the VM's bound ----

static pte_t*
table_alloc(struct vm *vm)
{
  if (vm->sh_ntables >= SHADOW_TABLES)
    return 0;
  pte_t *pt = kalloc();
  if (pt)
    vm->sh_ntables++;
  return pt;
}

static void
table_free(struct vm *vm, pte_t *pt)
{
  kfree(pt);
  vm->sh_ntables--;
}

static pte_t*
slot_table(pde_t *pd, int i)
{
  return (pd[i] & PTE_P) ? P2V(PTE_ADDR(pd[i])) : 0;
}

// ---- the write-protect bitmap: guest tables some shadow was built from ----

static int
wp_get(struct vm *vm, u32 gpa)
{
  u32 n = gpa / PGSIZE, pg = n / (PGSIZE * 8);
  if (pg >= SHADOW_WP_PAGES || vm->sh_wp[pg] == 0)
    return 0;
  return bit_get(vm->sh_wp[pg], n % (PGSIZE * 8));
}

// Set (on) or clear gpa's bit; -1 if there is no memory for the bitmap.
static int
wp_put(struct vm *vm, u32 gpa, int on)
{
  u32 n = gpa / PGSIZE, pg = n / (PGSIZE * 8);
  if (pg >= SHADOW_WP_PAGES)
    return -1;
  if (vm->sh_wp[pg] == 0 && (!on || (vm->sh_wp[pg] = kalloc()) == 0))
    return on ? -1 : 0;
  (on ? bit_set : bit_clr)(vm->sh_wp[pg], n % (PGSIZE * 8));
  return 0;
}

// ---- where each guest page is mapped writable ----
// A record per guest-physical page, kept since it was last protected: two
// words, each 0 or a page-aligned va|1: every writable entry for it is at one
// of those (in the slot's shared table or in shadows' own tables of the slot);
// or RMAP_MANY first: at more than two addresses. A page of xv6a is mapped
// writable at most twice, by its kernel's map of all memory and by one
// process, so protecting it is a few lookups, not a scan of every shadow table.
#define RMAP_MANY 2
#define RMAP_PER_PAGE (PGSIZE / 8)

static u32*
rmap_rec(struct vm *vm, u32 gpa, int create)
{
  u32 n = gpa / PGSIZE, hi = n / RMAP_PER_PAGE;
  if (hi >= PGSIZE / sizeof(u32 *))
    return 0;
  if (vm->sh_rmap == 0 && (!create || (vm->sh_rmap = kalloc()) == 0))
    return 0;
  if (vm->sh_rmap[hi] == 0 && (!create || (vm->sh_rmap[hi] = kalloc()) == 0))
    return 0;
  return &vm->sh_rmap[hi][n % RMAP_PER_PAGE * 2];
}

// Each entry at va that maps machine address pa writable: demote it (clear
// PTE_W) with demote, else count them. Only the tables that can hold one: the
// slot's shared table and the kept shadows' own ones.
static int
at_va(struct vm *vm, u32 va, u32 pa, int demote)
{
  int i = PDX(va), n = 0;
  for (int k = -1; k < SHADOW_CACHE; k++) {
    pte_t *pt;
    if (k < 0)
      pt = vm->sh_gdir[i] ? slot_table(vm->sh_gdir, i) : 0;
    else
      pt = vm->sh[k].gcr3 != SH_FREE && bit_get(vm->sh[k].own, i) ?
           slot_table(vm->sh[k].pgdir, i) : 0;
    pte_t *e = pt ? &pt[PTX(va)] : 0;
    if (e && (*e & (PTE_P | PTE_W)) == (PTE_P | PTE_W) && PTE_ADDR(*e) == pa) {
      n++;
      if (demote)
        *e &= ~PTE_W;
    }
  }
  return n;
}

// A writable entry for gpa (machine address pa) goes in at va. A page
// recycled by the guest (a process's page, then a page table) moves: the old
// address counts only while an entry there still maps it.
static void
rmap_add(struct vm *vm, u32 gpa, u32 pa, u32 va)
{
  u32 *r = rmap_rec(vm, gpa, 1), v = PGROUNDDOWN(va) | 1;
  if (r == 0) {
    vm->sh_rmap_lost = 1;
    return;
  }
  if (r[0] == RMAP_MANY || r[0] == v || r[1] == v)
    return;
  for (int k = 0; k < 2; k++)
    if (r[k] == 0 || !at_va(vm, PGROUNDDOWN(r[k]), pa, 0)) {
      r[k] = v;
      return;
    }
  r[0] = RMAP_MANY;
}

static void
rmap_free(struct vm *vm)
{
  if (vm->sh_rmap == 0)
    return;
  for (uint i = 0; i < PGSIZE / sizeof(u32 *); i++)
    if (vm->sh_rmap[i])
      kfree(vm->sh_rmap[i]);
  kfree(vm->sh_rmap);
  vm->sh_rmap = 0;
}

// ---- dropping entries ----

// Drop the local entries of shadow s's own table in slot i (its global ones
// stay: they are TLB entries; with all, those too). The table goes when
// nothing is left in it. Returns the local entries dropped.
static int
drop_slot(struct vm *vm, struct shadow *s, int i, int all)
{
  pte_t *pt = slot_table(s->pgdir, i);
  int dropped = 0, kept = 0;
  for (int j = 0; j < NPTENTRIES; j++) {
    if (!(pt[j] & PTE_P))
      continue;
    if ((pt[j] & SPTE_GLOBAL) && !all) {
      kept++;
      continue;
    }
    dropped += !(pt[j] & SPTE_GLOBAL);
    pt[j] = 0;
  }
  s->src[i] = SRC_NONE;
  if (kept == 0) {
    table_free(vm, pt);
    s->pgdir[i] = vm->sh_gdir[i];    // the shared global one, if the slot has it
    bit_clr(s->own, i);
  }
  return dropped;
}

// Drop every local entry of s (all: every entry of its own tables).
static int
drop_shadow(struct vm *vm, struct shadow *s, int all)
{
  int dropped = 0;
  for (int w = 0; w < NELEM(s->own); w++)
    for (u32 bits = s->own[w]; bits; bits &= bits - 1)
      dropped += drop_slot(vm, s, w * 32 + __builtin_ctz(bits), all);
  s->unsafe = 0;
  return dropped;
}

// ---- coherence: protecting guest tables ----

// Clear PTE_W of every entry of table pt that maps machine address pa.
static void
demote(pte_t *pt, u32 pa)
{
  for (int j = 0; j < NPTENTRIES; j++)
    if ((pt[j] & (PTE_P | PTE_W)) == (PTE_P | PTE_W) && PTE_ADDR(pt[j]) == pa)
      pt[j] &= ~PTE_W;
}

// Is the guest's instruction that wrote gpa, a protected table, still not
// done (the fault is at its eip again)? Then gpa may not be protected yet:
// the write's fault unprotected it, and whatever the instruction touches next
// (its code, its stack, another page it writes) could come from that very
// table and protect it again before the write is done, for ever. A shadow
// that needs it is unsafe instead.
static int
wrote(struct vm *vm, u32 gpa)
{
  if (vm->tf.eip != vm->sh_wrote_eip)
    return 0;
  for (int k = 0; k < vm->sh_nwrote; k++)
    if (vm->sh_wrote[k] == gpa)
      return 1;
  return 0;
}

// Guest page gpa (a directory or table) has a shadow built from it: make it
// read-only in every shadow, so that the guest's next write to it is seen.
// 0, or -1 if it cannot be protected (no memory for the bitmap; written).
LAB4_ONLY static int
protect(struct vm *vm, u32 gpa)
{
  if (wp_get(vm, gpa))
    return 0;
  if (wrote(vm, gpa))
    return -1;
  void *page = vm_gpa_page(vm, gpa);
  if (page == 0 || wp_put(vm, gpa, 1) < 0)
    return -1;
  u32 pa = V2P(page), *r = rmap_rec(vm, gpa, 0);
  vm->st.sh_protects++;
  if (r && r[0] != RMAP_MANY && !vm->sh_rmap_lost) {
    for (int k = 0; k < 2; k++)      // at two addresses at most: look there only
      if (r[k])
        at_va(vm, PGROUNDDOWN(r[k]), pa, 1);
    r[0] = r[1] = 0;
    return 0;
  }
  if (r)
    r[0] = r[1] = 0;
  for (int i = 0; i < NSLOTS; i++)
    if (vm->sh_gdir[i])
      demote(slot_table(vm->sh_gdir, i), pa);
  for (int k = 0; k < SHADOW_CACHE; k++) {
    struct shadow *s = &vm->sh[k];
    if (s->gcr3 == SH_FREE)
      continue;
    for (int w = 0; w < NELEM(s->own); w++)
      for (u32 bits = s->own[w]; bits; bits &= bits - 1)
        demote(slot_table(s->pgdir, w * 32 + __builtin_ctz(bits)), pa);
  }
  return 0;
}

// Drop what shadow s derived from guest page gpa: all its local entries if
// gpa is its directory, else those of the slots whose table it is.
static void
drop_derived(struct vm *vm, struct shadow *s, u32 gpa)
{
  if (s->gcr3 == gpa) {
    vm->st.sh_dropped += drop_shadow(vm, s, 0);
    return;
  }
  for (int w = 0; w < NELEM(s->own); w++)
    for (u32 bits = s->own[w]; bits; bits &= bits - 1) {
      int i = w * 32 + __builtin_ctz(bits);
      if (s->src[i] == gpa)
        vm->st.sh_dropped += drop_slot(vm, s, i, 0);
    }
}

// Guest page gpa is about to change (a write to a protected page): drop what
// every kept shadow derived from it and let it be written. The running one
// keeps its entries until the next directory load, as a TLB keeps its entries
// of the loaded address space until then (or invlpg): a guest that changes a
// loaded table and does not say so sees the old entry a while, as on x86.
// Returns 1 if it was protected.
static int
unprotect(struct vm *vm, u32 gpa)
{
  if (!wp_get(vm, gpa))
    return 0;
  wp_put(vm, gpa, 0);
  for (int k = 0; k < SHADOW_CACHE; k++) {
    struct shadow *s = &vm->sh[k];
    if (s->gcr3 == SH_FREE)
      continue;
    if (s != vm->sh_cur)
      drop_derived(vm, s, gpa);
    else if (vm->sh_npending < SHADOW_PENDING)
      vm->sh_pending[vm->sh_npending++] = gpa;
    else
      s->unsafe = 1;                 // (all its local entries go at its next load)
  }
  return 1;
}

// The host is about to write guest-physical gpa for the guest (vm_page): a
// protected table changes as surely as by the guest's own store.
void
shadow_gpa_write(struct vm *vm, u32 gpa)
{
  if (vm->sh_cur)
    unprotect(vm, PGROUNDDOWN(gpa));
}

// ---- the cache ----

// s, unused or emptied, made the shadow of nothing but the shared global
// tables (and the switcher region). -1 if out of memory.
LAB4_ONLY static int
shadow_setup(struct vm *vm, struct shadow *s)
{
  if (s->pgdir == 0 && (s->pgdir = kalloc()) == 0)
    return -1;
  if (s->src == 0 && (s->src = kalloc()) == 0)
    return -1;
  for (int i = 0; i < NSLOTS; i++)
    s->pgdir[i] = vm->sh_gdir[i];
  s->pgdir[PDX(SWITCHER_BASE)] = V2P(vm->swpt) | PTE_P | PTE_W;
  return 0;
}

// The cache's first shadow: the one the VM started with (vm->pgdir, boot
// mapping). 0, or -1 (the VM was stopped).
static int
shadow_init(struct vm *vm)
{
  if (vm->sh_cur)
    return 0;
  for (int k = 0; k < SHADOW_CACHE; k++)
    vm->sh[k].gcr3 = SH_FREE;
  struct shadow *s = &vm->sh[0];
  s->pgdir = vm->pgdir;
  vm->sh_cur = s;                    // (from here shadow_free gives it all back)
  if ((vm->sh_gdir = kalloc()) == 0 || (s->src = kalloc()) == 0) {
    vm_stop(vm, "the host is out of memory for its shadow page tables");
    return -1;
  }
  s->gcr3 = vm->gcr3;
  return 0;
}

// Give back everything the shadows hold; vm->pgdir stays, empty, for
// vm_free_memory (the VM's memory is going).
void
shadow_free(struct vm *vm)
{
  if (vm->sh_cur == 0)
    return;
  for (int k = 0; k < SHADOW_CACHE; k++) {
    struct shadow *s = &vm->sh[k];
    if (s->gcr3 != SH_FREE)
      drop_shadow(vm, s, 1);
    if (s->pgdir && s->pgdir != vm->pgdir)
      kfree(s->pgdir);
    if (s->src)
      kfree(s->src);
    s->pgdir = 0;
    s->src = 0;
  }
  for (int i = 0; i < NSLOTS; i++)
    vm->pgdir[i] = 0;
  if (vm->sh_gdir) {
    pd_free_tables(vm->sh_gdir, 0);
    kfree(vm->sh_gdir);
    vm->sh_gdir = 0;
  }
  for (int p = 0; p < SHADOW_WP_PAGES; p++)
    if (vm->sh_wp[p]) {
      kfree(vm->sh_wp[p]);
      vm->sh_wp[p] = 0;
    }
  rmap_free(vm);
  vm->sh_npending = 0;
  vm->sh_cur = 0;
}

// Forget every translation of every shadow (the next accesses fault and
// refill); the cache keeps its directories, each shadow now empty. Nothing
// is derived from any guest table now: none needs protecting.
void
shadow_flush(struct vm *vm)
{
  vm->st.shadow_flushes++;
  if (vm->sh_cur == 0) {
    pd_free_tables(vm->pgdir, 0);
    return;
  }
  // LAB 4: a flush (HC_FLUSH_TLB, or the host changing vm->pmap) drops
  // everything: every entry, global or local, of every shadow kept, the shared
  // tables of global entries, and every guest table's protection.
  /* LAB 4: BEGIN */
  for (int k = 0; k < SHADOW_CACHE; k++)
    if (vm->sh[k].gcr3 != SH_FREE)
      drop_shadow(vm, &vm->sh[k], 1);
  for (int i = 0; i < NSLOTS; i++) {
    if (vm->sh_gdir[i]) {
      table_free(vm, slot_table(vm->sh_gdir, i));
      vm->sh_gdir[i] = 0;
    }
  }
  for (int k = 0; k < SHADOW_CACHE; k++)
    if (vm->sh[k].pgdir)
      for (int i = 0; i < NSLOTS; i++)
        vm->sh[k].pgdir[i] = 0;
  for (int p = 0; p < SHADOW_WP_PAGES; p++)
    if (vm->sh_wp[p])
      memset(vm->sh_wp[p], 0, PGSIZE);
  vm->sh_npending = 0;
  /* LAB 4: END */
}

static int
has_tables(struct shadow *s)
{
  for (int w = 0; w < NELEM(s->own); w++)
    if (s->own[w])
      return 1;
  return 0;
}

// Room for one more shadow table: empty the shadows not running, least
// recently used first, then (if that was not enough) all of them. 0 if the
// host itself is out of memory.
LAB4_ONLY static pte_t*
table_alloc_room(struct vm *vm)
{
  pte_t *pt;
  while ((pt = table_alloc(vm)) == 0) {
    struct shadow *lru = 0;
    for (int k = 0; k < SHADOW_CACHE; k++) {
      struct shadow *s = &vm->sh[k];
      if (s != vm->sh_cur && s->gcr3 != SH_FREE && has_tables(s) &&
          (!lru || s->used < lru->used))
        lru = s;
    }
    if (lru) {
      drop_shadow(vm, lru, 1);
      lru->gcr3 = SH_FREE;
      vm->st.sh_evictions++;
    } else if (vm->sh_ntables > 0) {
      shadow_flush(vm);
    } else {
      return 0;
    }
  }
  return pt;
}

// ---- filling an entry ----

int shadow_fill(struct vm *vm, u32 va, u32 g, u32 table, u32 err);

LAB4_ONLY static int
shadow_nomem(struct vm *vm)
{
  vm_stop(vm, "the host is out of memory for its shadow page tables");
  return -1;
}

// A page fault at va (error code *err) while the paged guest vm ran.
// Returns 1 if the shadow now has the translation (a hidden fault), 0 if the
// fault is the guest's own (reflect it, with *err as the guest's own tables
// would have made it: P set when they map the page), -1 if the VM was stopped.
int
shadow_fault(struct vm *vm, u32 va, u32 *errp)
{
  if (shadow_init(vm) < 0)
    return -1;
  // LAB 4: refuse what no shadow may hold, reflect what the guest's tables do
  // not allow. The switcher region: a process touching it gets a fault (its
  // kernel's tables map nothing there), the guest kernel touching it is
  // stopped. A walk that leads outside the VM's memory stops it too
  // (counted in refused_ptes). A walk that finds nothing, or U or W the
  // access needs and the entry does not give, is the guest's own fault; for
  // the second, *errp gets P set, as the CPU would have said.
  /* LAB 4: BEGIN */
  u32 err = *errp;
  if (va >= SWITCHER_BASE) {
    // A process touching the region gets what x86 gives it there: a fault
    // for its kernel (the guest's tables map nothing there). Its kernel
    // touching it would be writing the host's pages, or a bug: stop it.
    if (err & PF_U) {
      *errp = err & ~PF_P;
      return 0;
    }
    vm_stop(vm, "page fault at 0x%x in the switcher region (%s in ring %d)", va,
            (err & PF_W) ? "write" : "read", (err & PF_U) ? 3 : 1);
    return -1;
  }
  u32 g, table, bad = 0;
  int r = guest_walk(vm, va, &g, &table, &bad);

  if (r == WALK_BAD) {
    vm->st.refused_ptes++;
    vm_stop(vm, "its page table maps 0x%x to 0x%x, outside its memory (%u KiB)", va, bad,
            vm->mem_size / 1024);
    return -1;
  }
  if (r == WALK_NONE)
    return 0;
  if (((err & PF_U) && !(g & PTE_U)) || ((err & PF_W) && !(g & PTE_W))) {
    *errp = err | PF_P;              // the guest's tables map it: a protection fault
    return 0;                        // a process touching its kernel's pages, or a
  }                                  // write the guest itself forbids
  return shadow_fill(vm, va, g, table, err);
  /* LAB 4: END */
  return 0;
}

// Enter va's translation, the guest's effective entry g from guest page
// table `table`, into the running shadow, for an access with error code err.
// 1, or -1 if the VM was stopped (0, the guest's own fault, in a handout
// whose LAB 4 block is empty).
int
shadow_fill(struct vm *vm, u32 va, u32 g, u32 table, u32 err)
{
  struct shadow *s = vm->sh_cur;
  u32 gpa = PTE_ADDR(g);
  int global = (g & PTE_G) != 0;
  // A write to a guest table a shadow was built from: those entries go first,
  // and the table is not protected again until the instruction is done
  // (else the write might never get done: see wrote()).
  if ((err & PF_W) && unprotect(vm, gpa)) {
    vm->st.sh_wp_faults++;
    if (vm->sh_wrote_eip != vm->tf.eip)
      vm->sh_nwrote = 0;             // the instruction of the others is done
    vm->sh_wrote_eip = vm->tf.eip;
    if (vm->sh_nwrote < SHADOW_WROTE)
      vm->sh_wrote[vm->sh_nwrote++] = gpa;
    else
      s->unsafe = 1;
  }
  // The machine page, and what the pmap lets the CPU do with it: a page it
  // may only read as it is (shared) is mapped read-only until a write, which
  // takes a private copy.
  u32 perm = vm_gpa_perm(vm, gpa, g & (PTE_U | PTE_W));
  void *page = vm_gpa_page(vm, gpa);
  if (page == 0) {
    vm_stop(vm, "it touched guest-physical 0x%x at 0x%x, a page it gave back to the host",
            gpa, va);
    return -1;
  }
  if ((err & PF_W) && !(perm & PTE_W)) {
    if ((page = vm_gpa_page_write(vm, gpa)) == 0) {
      vm_stop(vm, "the host has no memory for its own copy of guest-physical 0x%x", gpa);
      return -1;
    }
    perm |= PTE_W;
  }
  // LAB 4: the entry's table in s. A global entry goes to the slot's shared
  // table (vm->sh_gdir, made on first use and entered into every kept shadow
  // that has nothing in the slot), unless s has a table of its own there; a
  // local one needs s's own table, made from a copy of the shared one, whose
  // local entries all come from one guest table (s->src[i]). Before a local
  // entry exists the guest pages it comes from are protected (an entry that
  // would map its own source writable makes s unsafe instead), and no entry
  // maps a protected page writable.
  pte_t *pt = 0;
  /* LAB 4: BEGIN */
  int i = PDX(va);
  if (global && !bit_get(s->own, i)) {
    if (vm->sh_gdir[i] == 0) {
      if ((pt = table_alloc_room(vm)) == 0)
        return shadow_nomem(vm);
      vm->sh_gdir[i] = V2P(pt) | PTE_P | PTE_W | PTE_U;
      for (int k = 0; k < SHADOW_CACHE; k++)
        if (vm->sh[k].pgdir && vm->sh[k].gcr3 != SH_FREE && !(vm->sh[k].pgdir[i] & PTE_P))
          vm->sh[k].pgdir[i] = vm->sh_gdir[i];
    }
    s->pgdir[i] = vm->sh_gdir[i];
    pt = slot_table(vm->sh_gdir, i);
  } else {
    if (!bit_get(s->own, i)) {
      if ((pt = table_alloc_room(vm)) == 0)
        return shadow_nomem(vm);
      if (vm->sh_gdir[i])
        memmove(pt, slot_table(vm->sh_gdir, i), PGSIZE);
      s->pgdir[i] = V2P(pt) | PTE_P | PTE_W | PTE_U;
      s->src[i] = SRC_NONE;
      bit_set(s->own, i);
    }
    pt = slot_table(s->pgdir, i);
    if (!global && s->src[i] != table) {
      for (int j = 0; j < NPTENTRIES; j++)   // the guest moved the slot to another
        if (!(pt[j] & SPTE_GLOBAL))          // table (unseen: s is unsafe)
          pt[j] = 0;
      s->src[i] = table;
    }
    if (!global && vm->gcr3 != GCR3_BOOT && !s->unsafe) {
      if ((err & PF_W) && (gpa == vm->gcr3 || gpa == table))
        s->unsafe = 1;               // it writes its own table through it
      else if (protect(vm, vm->gcr3) < 0 || (table != SRC_NONE && protect(vm, table) < 0))
        s->unsafe = 1;
    }
  }
  if (wp_get(vm, gpa))
    perm &= ~PTE_W;                  // a guest table: its writes must fault
  /* LAB 4: END */
  if (pt == 0)
    return 0;
  pt[PTX(va)] = V2P(page) | PTE_P | perm | (global ? SPTE_GLOBAL : 0);
  if (perm & PTE_W)
    rmap_add(vm, gpa, V2P(page), va);
  vm->st.hidden_faults++;
  return 1;
}

// ---- invalidation: what a directory load and invlpg drop ----

// The guest loaded page directory vm->gcr3 (its context switch): run it on
// its kept shadow, or on the least recently used one, emptied.
void
shadow_new_pgdir(struct vm *vm)
{
  if (shadow_init(vm) < 0)
    return;
  // LAB 4: the directory load's policy. A kept shadow of vm->gcr3 is a hit
  // (an unsafe one loses its local entries); otherwise a miss: a shadow not
  // used yet, or the least recently used one, emptied (an eviction), set up
  // with the shared global tables; if there is no memory for a new one, the
  // running one, emptied. Then the VM runs on it: vm->pgdir, vm->cr3.
  /* LAB 4: BEGIN */
  struct shadow *s = 0, *lru = 0;
  for (int k = 0; k < vm->sh_npending; k++)   // what the running one kept, stale
    drop_derived(vm, vm->sh_cur, vm->sh_pending[k]);
  vm->sh_npending = 0;
  vm->sh_clock++;
  vm->sh_nwrote = 0;
  for (int k = 0; k < cache_size(); k++) {
    struct shadow *c = &vm->sh[k];
    if (c->gcr3 == vm->gcr3)
      s = c;
    else if (c != vm->sh_cur && (!lru || c->gcr3 == SH_FREE ||
             (lru->gcr3 != SH_FREE && c->used < lru->used)))
      lru = c;
  }
  if (s) {
    vm->st.sh_hits++;
    // (A trap-mode PC kernel, xv6a-trap, once hung with kept local entries,
    // a process spinning while another waited for the disk: until that is
    // understood it gets what x86 gives, local entries gone at every load.)
    if (s->unsafe || vm->trapmode)
      vm->st.sh_dropped += drop_shadow(vm, s, 0);
  } else {
    vm->st.sh_misses++;
    s = lru;
    if (s && s->gcr3 != SH_FREE) {
      drop_shadow(vm, s, 1);
      s->gcr3 = SH_FREE;
      vm->st.sh_evictions++;
    }
    if (s == 0 || shadow_setup(vm, s) < 0) {
      s = vm->sh_cur;                // no memory for another: this one, emptied
      drop_shadow(vm, s, 1);
    }
    s->gcr3 = vm->gcr3;
  }
  s->used = vm->sh_clock;
  vm->sh_cur = s;
  vm->pgdir = s->pgdir;
  vm->cr3 = V2P(s->pgdir);
  /* LAB 4: END */
}

// invlpg va: gone from every shadow, global or not (x86 drops the global
// entry too; the shadows not running drop theirs as a TLB of them would).
void
shadow_invlpg(struct vm *vm, u32 va)
{
  if (va >= SWITCHER_BASE || vm->sh_cur == 0)
    return;
  // LAB 4: invlpg's policy: va's entry goes from the shared table of global
  // entries and from every kept shadow's own table of its slot.
  /* LAB 4: BEGIN */
  int i = PDX(va);
  if (vm->sh_gdir[i])
    slot_table(vm->sh_gdir, i)[PTX(va)] = 0;
  for (int k = 0; k < SHADOW_CACHE; k++)
    if (vm->sh[k].gcr3 != SH_FREE && bit_get(vm->sh[k].own, i))
      slot_table(vm->sh[k].pgdir, i)[PTX(va)] = 0;
  /* LAB 4: END */
}
