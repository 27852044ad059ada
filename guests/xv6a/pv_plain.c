// pv_plain.c: the part of pv.h that the bare and trap builds do alike, where
// nothing stands between xv6a and its page tables or its memory: bare QEMU
// (pv_bare.c) and a PC kernel under trap-and-emulate (pv_trap.c), whose
// every page-table store the host's shadow follows. Only the paravirtual
// build (pv_vmos.c, pv_direct.c) has a host to ask.
#include "xv6a.h"
#include "pv.h"

// Page-table entries are plain memory here.
void pv_pte_set(uint *e, uint pa, int perm) { *e = perm ? pa | perm : 0; }
uint pv_pte_get(uint *e) { return *e; }
int pv_pte_next(uint *t, int i, int n) { while (i < n && !(t[i] & PTE_P)) i++; return i; }
void pv_pt_new(uint *pgdir, void *pt) { }
int pv_pgdir_free(uint *pgdir) { return 0; }
void pv_mmu_flush(void) { }

// Ballooning: there is nobody to give memory back to.
int pv_balloon_hello(void) { return -1; }
uint pv_balloon_target(void) { return 0; }
int pv_balloon_give(uint *pa, int n) { return -1; }
int pv_balloon_take(uint *pa, int n) { return -1; }
