// pv.h: the paravirtualization layer: every privileged operation xv6a needs,
// as one call. pv_bare.c implements each with the instruction itself (xv6a in
// ring 0 on bare QEMU); pv_vmos.c with a hypercall or the shared page (xv6a in
// ring 1 under vmos, vmos/abi.h); pv_trap.c with the instruction again, in
// ring 1 under vmos, where each faults and the host emulates it (trap mode).
// Nothing else in xv6a is privileged, so the same workload runs all three
// ways and `make bench` can compare them.
#ifndef XV6A_PV_H
#define XV6A_PV_H
#include "xv6a.h"

extern const char *pv_name;            // "bare", "vmos" or "trap"
extern uint pv_kcs, pv_kds, pv_ucs, pv_uds;   // segment selectors

void pv_init(uint magic, uint info);   // first thing main does: what machine is this?
uint pv_memsize(void);                 // physical memory, bytes
void pv_putc(int c);                   // console output
int  pv_getc(void);                    // console input: a character, or -1
int  pv_console_irq(void);             // the interrupt that brings it: COM1's bare;
                                       // vmos: VIRQ_CONSOLE, or COM2's if the VM owns it
void pv_lcr3(uint pa);                 // load a page directory (physical address)
void pv_invlpg(void *va);
// Page-table entries (vm.c reads and writes every one through these). Bare,
// trap mode and vmos's shadow paging: plain loads and stores. vmos's direct
// paging (vm_info.mmu == MMU_DIRECT, vmos/abi.h "Direct paging"): an entry
// holds a machine address (P2M on the way in, M2P on the way out), and one
// in a pinned table is changed by HC_MMU_UPDATE, queued and sent in batches:
// before a pgdir load, an invlpg, a return to user mode, a pin (pv_mmu_flush).
void pv_pte_set(uint *e, uint pa, int perm);   // *e = pa | perm (perm has PTE_P), or
                                       // 0 if perm is 0
uint pv_pte_get(uint *e);              // *e as physical address | flags (or 0)
int  pv_pte_next(uint *t, int i, int n);  // the first present entry of t[i..n), or n
                                       // (a loop over a table at the cost of a
                                       // load per absent entry)
void pv_pt_new(uint *pgdir, void *pt); // pt, zeroed, becomes a table of pgdir: pinned
                                       // now if pgdir is (tables of a directory not
                                       // loaded yet are pinned with it at its load)
int  pv_pgdir_free(uint *pgdir);       // pgdir and its user tables are dead (their
                                       // pages freed): 1 if pv frees the tables
                                       // itself (unpinned, writable, then kfree'd:
                                       // later), 0 if the caller kfrees them now
void pv_mmu_flush(void);               // queued updates in force now
void pv_direct_on(uint id);            // (vmos: pv_direct.c, from pv_init and
void pv_pgdir_ready(uint pa);          // before each load in pv_vmos.c)
void pv_cli(void);                     // interrupts off (really, or virtually)
void pv_sti(void);                     // on; pending ones are taken now
int  pv_intr_on(void);                 // are they on?
void pv_idle(uint deadline);           // wait for an interrupt with them on, or until
                                       // the pv_clock() tick deadline (0: none;
                                       // bare: hlt, its timer wakes it)
void pv_set_kstack(uint esp);          // stack for traps from user mode
void pv_switch(uint esp, uint pa);     // both: a process switch (one hypercall)
void pv_set_trap(int vector, void (*handler)(void), int dpl, int trapgate);
void pv_timer_init(int hz);
uint pv_clock(uint counted);           // the time now, in ticks: bare, the timer
                                       // interrupts counted; vmos, the host's clock
void pv_take_pending(void);            // before a return to user mode: take the
                                       // interrupts that came while the kernel ran
void pv_eoi(int irq, int direct);     // the end of IRQ irq's handler; direct: it came
                                       // straight from the device (TF_DIRECT, sharedoff.h)
uint pv_fault_addr(void);              // the address of the last page fault
int  pv_irq_noted(int irq);            // is interrupt irq on its way: noted for us and not
                                       // yet delivered (vmos: pending in the shared page;
                                       // bare: 0, nobody but the PIC holds it)
void pv_exit(int status, const char *why) __attribute__((noreturn));
int  pv_disk_pv(void);                 // is the disk reached by hypercall (vmos pv
                                       // mode)? If not, ide.c drives the ports:
int  pv_disk_port(void);               // its channel's first port (0x1F0 but in pass mode)
int  pv_disk_irq(void);                // and its interrupt (14, or the channel's)
int  pv_disk_rw(uint sector, void *buf, int write);  // then: 0 done, -1 error
struct blk_ring;                       // vmos/abi.h: the pv disk's request ring
struct blk_ring *pv_disk_ring(void);   // pv mode: the ring the host took (HC_BLK_SETUP),
                                       // or 0: then pv_disk_rw (bare: 0, no ring)
int  pv_disk_notify(void);             // "requests queued": requests the host took
int  pv_mark(const char *label);        // `make bench`: the host prints its counters
                                       // for this VM, tagged (-1 on bare: no host)
// Ballooning (balloon.c; vmos/abi.h, "Ballooning"): only under vmos; bare and in
// trap mode there is no host to give memory to (hello -1, target 0).
int  pv_balloon_hello(void);           // "I have a balloon driver": 0, or -1 (none)
uint pv_balloon_target(void);          // bytes the host asks it to hold; 0: no request
int  pv_balloon_give(uint *pa, int n); // these n pages (physical addresses) go to the
                                       // host: n, or an error (< 0): none went
int  pv_balloon_take(uint *pa, int n); // ... come back, zeroed: how many (the first
                                       // ones), or an error (< 0)
uint multiboot_memsize(uint info);     // multiboot.c (bare, trap): the loader's
                                       // memory map at physical address info

#endif
