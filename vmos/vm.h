// vm.h: the virtual machine object: what the host knows about one guest.
// Owned by vmos/vm.c; read by every other file in vmos/.
#ifndef VMOS_VM_H
#define VMOS_VM_H
#include "types.h"
#include "trapframe.h"
#include "vmos/abi.h"

struct vpc;

#define MAXVMS     1024     // VMs at once (the scale suite boots that many minis)
#define VMNAME     16
#define CONS_LINE  120      // a guest's console line is printed when full or at '\n'
#define CONS_IN    128      // bytes typed to a VM and not yet read
#define CONS_LOG   4096     // a VM's last console lines, kept (monitor `log N`): a
                            // page, taken when it first ends a line
#define CONS_RATE  256      // console bytes a VM may write per host tick, sustained
#define CONS_BURST 32768    // ... and at once, after a quiet while

#define GCR3_BOOT 1        // not page aligned: no guest page directory yet

enum vmstate { VM_FREE, VM_RUNNABLE, VM_BLOCKED, VM_PAUSED, VM_STOPPED };

// Why the host was entered while a VM ran: one counter each, per VM.
enum exitcause {
  X_TIMER,        // the host's timer (IRQ 0)
  X_IRQ,          // another device interrupt (console input, disk)
  X_HCALL,        // a hypercall
  X_SYSCALL,      // an int instruction of the guest, reflected to it
  X_FAULT,        // an exception of the guest, reflected to it
  X_FATAL,        // a trap that stopped the VM
  X_HIDDEN,       // a page fault the host's shadow answered (the guest never knew)
  X_FPU,          // its first FPU instruction since another VM's (fpu.c)
  X_EMULATE,      // an instruction the host emulated (trap mode: vmos/emul/)
  NEXITCAUSE
};

// Shadow paging (shadow.c): the shadows of a paged guest's recently loaded
// page directories, kept across its context switches, and what they cost.
#define SHADOW_CACHE    6    // guest address spaces whose shadows are kept
#define SHADOW_TABLES   256  // shadow page tables a VM may hold (1 MiB), all shadows
#define SHADOW_WP_PAGES 8    // pages of its write-protect bitmap: VMs up to 1 GiB
#define SHADOW_WROTE    4    // guest tables one instruction wrote (unprotected)
#define SHADOW_PENDING  16   // written guest tables the running shadow still uses

struct shadow {
  u32 gcr3;                  // the guest page directory it shadows; SH_FREE: none
  pde_t *pgdir;              // its page directory, the one the CPU loads; 0: none yet
  u32 *src;                  // per slot of a table of its own: the guest page table
                             // its local entries came from (SRC_NONE: the directory)
  u32 own[32];               // slots (bit per PDX) whose table is its own, not shared
  uint used;                 // vm->sh_clock at its latest load (least recently used)
  int unsafe;                // it maps one of its own guest tables writable: its
                             // local entries are dropped at its next load
};

// What the emulator carried out for a trap-mode VM (vmos/emul/), by kind.
enum emulkind {
  EM_CLI, EM_STI, EM_HLT, EM_MOVCR, EM_INVLPG, EM_LIDT, EM_LGDT, EM_LTR,
  EM_IN, EM_OUT, EM_STRIO, EM_UNCLAIMED,   // in/out/ins/outs, and I/O to no device
  EM_INTFIRST,                             // an interrupt taken before a process's int
  NEMUL
};

struct vmstats {
  uint cpu_ticks;            // host ticks during which this VM had the CPU
  uint exits;                // host entries while it ran
  uint exit_cause[NEXITCAUSE];
  u64 exit_tsc[NEXITCAUSE];  // rdtsc spent handling them (instructions under icount)
  uint switches_in;          // world switches to this VM
  uint hcalls;               // hypercalls made
  uint bad_hcalls;           // hypercalls refused with an error
  uint virqs;                // virtual interrupts delivered
  uint reflected;            // traps reflected to the guest kernel
  uint hidden_faults;        // page faults the shadow answered (X_HIDDEN)
  uint pgdir_loads;          // HC_SET_PGDIR: the guest's context switches
  uint shadow_flushes;       // times its shadow was emptied
  uint refused_ptes;         // guest page-table entries the host refused
  uint emulated;             // I/O instructions emulated (trap mode)
  uint em[NEMUL];            // instructions emulated, by kind (vmos/emul/emul.c)
  uint disk_cmds;            // commands to its virtual disk
  uint disk_overruns;        // data-port accesses across the end of the sector
  uint blk_notifies;         // HC_BLK_NOTIFY: host entries for its disk ring
  uint blk_requests;         // ring requests taken (done or failed)
  uint blk_sectors;          // sectors they moved
  uint blk_batches;          // notifies that posted completions (one VIRQ_DISK each)
  uint blk_refused;          // ring requests failed for bad input (count, buffer, sector, op)
  uint blk_lies;             // notifies refused: the ring's indices lied
  uint idt_builds;           // times its IDT was built from its trap table (irq.c)
  uint invokes[16];          // HC_INVOKE_VMOS per real IRQ: interrupts it handed back
  uint bad_invokes;          // HC_INVOKE_VMOS for an IRQ that had not come to it
  uint eois;                 // HC_EOI: direct slave interrupts it ended
  uint swallowed;            // others' interrupts it took and never handed back
  uint dev_virqs;            // its devices' interrupts delivered as virtual ones
  uint dev_wait_ticks;       // ... host ticks from noted to delivered, summed
  u64 dev_wait_tsc;          // ... and TSC (instructions under icount)
  uint idles;                // HC_IDLE calls (idle.c)
  uint idle_timed;           // ... with a deadline
  uint idle_blocks;          // ... that blocked it (nothing pending, deadline ahead)
  uint idle_past;            // ... that returned at once: the deadline was now or past
  uint idle_deadline_wakeups;  // ... that its deadline ended (no interrupt came first)
  uint mmu_pairs;            // direct paging (direct.c): HC_MMU_UPDATE pairs done
  uint mmu_batches;          // ... HC_MMU_UPDATE calls
  uint mmu_refused;          // ... pairs, pins, unpins and loads refused
  uint mmu_pins;             // ... pages pinned (HC_MMU_PIN)
  uint mmu_unpins;           // ... and unpinned
  uint balloon_given;        // pages it gave back to the host (HC_BALLOON, balloon.c)
  uint balloon_freed;        // ... of them machine pages the host got back (a page
                             //    never written was the zero page: nothing to free)
  uint balloon_taken;        // ... and took back
  uint balloon_short;        // pages it asked back that the host had no memory for
  uint balloon_refused;      // HC_BALLOON calls refused (bad batch, op, pointer)
  // page sharing (share.c)
  uint sh_pages;             // its guest pages on a shared machine page now (zero page too)
  uint sh_copies;            // private copies made at a write to one (a hidden fault, or
                             // a host write on its behalf)
  uint sh_zero_copies;       // ... of them, of the zero page
  uint sh_owned;             // writes to a shared page it alone still had: no copy needed
  uint sh_merged;            // its pages the scan put on a shared page
  // the shadow cache (shadow.c)
  uint sh_hits;              // page-directory loads that found their shadow kept
  uint sh_misses;            // ... that had to start an empty one
  uint sh_evictions;         // kept shadows emptied for another (least recently used)
  uint sh_protects;          // guest table pages made read-only in every shadow
  uint sh_wp_faults;         // writes to them (hidden faults) that unprotected them
  uint sh_dropped;           // shadow entries dropped because their guest table changed
};

// A software bit of a pmap entry (share.c): the page is read-only and some
// table the CPU uses may map it so (vm_gpa_perm said so), so a write's copy
// must drop those mappings.
#define PTE_MAPPED_RO 0x800

struct vdisk {              // a VM's disk (vdev_disk.c)
  int drive;                 // the host drive behind it; -1: no disk
  int mode;                  // DISK_TRAP, DISK_PASS or DISK_PV (vmos/abi.h)
  u8 count, lba[3], devsel, status;
  int irq_on;                // the guest enabled its interrupt (0x3F6 nIEN clear)
  int dir;                   // 0 idle, 1 data to the guest, 2 data from it
  int pos;                   // next byte of buf
  u32 next;                  // next sector to transfer
  u32 left;                  // sectors left in this command
  u8 buf[512];
  struct blk_ring *ring;     // pv mode's request ring (host's view; vdev_blkring.c), or 0
  u32 req_cons, done_prod;   // the host's own copies of its ring indices
};

struct trapentry {          // one entry of the guest's trap table (HC_SET_TRAP)
  u32 handler;               // guest address; 0 = none
  u32 flags;                 // TT_*
};

struct vm {
  int id;                    // 1.. : index + 1, the N in `[name.N]`
  char name[VMNAME];
  enum vmstate state;
  const char *why;           // why it stopped (static string or vm->whybuf)
  char whybuf[120];

  // memory: mem_size bytes, guest-physical 0.. ; the guest's kernel sees them
  // from mem_base (FLAT_BASE for a flat guest, GUEST_KERNBASE for a paged one)
  u32 mem_base, mem_size;
  pde_t *pmap;               // guest-physical -> machine pages (host only)
  pde_t *pgdir;              // the page directory the guest runs in
  u32 cr3;                   // its physical address
  int paged;                 // the guest has its own page tables (shadow.c)
  int mmu;                   // a paged guest's: MMU_SHADOW, or MMU_DIRECT (direct.c)
  u32 gcr3;                  // its page directory, guest-physical; GCR3_BOOT at first
  // its shadows (shadow.c): the one of gcr3 is vm->pgdir, the others wait
  struct shadow sh[SHADOW_CACHE];
  struct shadow *sh_cur;     // the shadow of gcr3; 0 until the first one is made
  uint sh_clock;             // page-directory loads, for least recently used
  pde_t *sh_gdir;            // by slot: the shadow table of global entries all share
  int sh_ntables;            // shadow page tables it holds (own and shared)
  u32 *sh_wp[SHADOW_WP_PAGES];  // bit per guest-physical page: a guest table a
                             // shadow was built from, read-only in every shadow
  u32 **sh_rmap;             // per guest-physical page (a page of pages): where the
                             // shadows map it writable, so protecting it is quick
  int sh_rmap_lost;          // no memory for a record once: protecting scans all
  u32 sh_wrote[SHADOW_WROTE];   // guest tables the instruction at sh_wrote_eip
  u32 sh_wrote_eip;          // wrote (unprotected): not protected again until it is done
  int sh_nwrote;
  u32 sh_pending[SHADOW_PENDING];  // guest tables written since the latest load whose
  int sh_npending;           // entries the running shadow drops at the next (a TLB's)

  struct trapframe tf;       // the guest's registers while it is not running
  struct trapentry traps[256];
  u32 esp1;                  // ring-1 stack for traps from ring 3 (HC_STACK_SWITCH)

  // its own pages of the switcher region (switcher.c), host's view
  pte_t *swpt;               // its page table of the region
  void *vcpu;                // its vCPU page (SW_VCPU): the CPU pushes its frames here
  struct gatedesc *idt;      // its IDT (SW_IDT), its own or shared (switcher.c)
  int idt_shared;            // 0: its own page; n: shared IDT n-1's
  int idt_unsettled;         // its gates changed since it last tried to share
  uint idt_changed;          // the host tick they last changed

  // x87 state while another VM's is in the FPU (fpu.c)
  u8 fpu[108];
  int fpu_used;              // it has used the FPU: fpu holds its state

  // virtual interrupts
  struct vm_shared *shared;  // the shared page (host's view), 0 until set
  u32 pending;               // the host's own copy of the pending bits
  int last_virq;             // the last one delivered (they take turns)
  u32 iret_start, iret_end;  // the guest's iret sequence (HC_SET_IRET)
  uint timer_period;         // virtual timer, in host ticks; 0 = off
  uint timer_next;           // host tick of the next virtual tick
  uint timer_ticks;          // periods of it so far: the guest's clock (irq.c)

  // scheduling
  int slice;                 // host ticks left in its time slice
  u32 idle_deadline;         // host tick its HC_IDLE ends at while it blocks; 0: none (idle.c)

  struct vdisk disk;
  struct vpc *pc;            // its virtual PC (vmos/vpc/): 8259s, PIT, COM1; 0 for none

  // trap mode (vmos/emul/): a PC kernel that runs its privileged instructions
  // itself in ring 1; each faults and the host carries it out (emul.c)
  int trapmode;              // 1: a trap-mode VM (load.c); it makes no hypercalls
  void *own_shared;          // its shared page: the host's, not in guest memory
  u32 sti_eip;               // the instruction after an emulated sti: no virtual
                             // interrupt is delivered there (the sti shadow)
  u32 intfirst_eip;          // an instruction a waiting interrupt went before (emul.c)
  u32 gcr0, gcr4;            // its cr0 and cr4 as it believes them
  u32 gdt_base, gdt_limit;   // its lgdt: where ltr finds its TSS descriptor
  u32 gtss;                  // its TSS (ltr), guest address; 0 = none yet

  u16 ports[20];             // I/O ports it may use directly while it runs (pass mode)
  int nports;

  // interrupts (irq.c): its mode, and the real IRQs of the devices it owns
  int irq_mode;              // IRQ_ROUTE, IRQ_SWAP, IRQ_DEFER (vmos/abi.h)
  u32 irqs;                  // bit n: real IRQ n is its own (pass-mode devices)
  uint noted_tick[16];       // when its device's IRQ n was noted pending (irq.c)
  u64 noted_tsc[16];
  int idt_dirty;             // build all its IDT before it runs (vidt.c)
  u32 direct;                // bit n: real IRQ n reaches it directly (vidt.c)
  u32 served;                // bit n: the host ended or passed on real IRQ n for
                             // it while its handler still had it (handback.c)
  uint served_cpu[16];       // ... its CPU time (st.cpu_ticks) then

  // console (vdev_console.c)
  char out[CONS_LINE];       // the line it is writing, until its '\n'
  uint nout;
  uint nshown;               // how much of it is on the screen (the open line)
  char *log;                 // its last complete lines, a ring (scrollback): a page
                             // of the host's from its first line on, or 0
  uint log_end;              // bytes ever put there
  uint lines;                // lines it completed
  uint cons_debt;            // bytes written beyond its rate, paid off at
  uint cons_paid;            // CONS_RATE a tick (the tick of the last payment)
  uint cons_told;            // tick the host last said it turned bytes away
  struct {
    uint bytes;              // bytes taken by HC_CONSOLE_WRITE
    uint cut;                // writes cut short by the rate
    uint turned_away;        // bytes those writes asked for and did not get
    uint unshown;            // lines never printed (held too many)
  } cons;
  char in[CONS_IN];
  uint in_r, in_w;

  // ballooning (balloon.c, lab 4): pages it gave back are no-P entries of
  // vm->pmap marked PMAP_GIVEN, the only ones it may take back
  int balloon_driver;        // it said BALLOON_HELLO: the monitor may set a target
  u32 balloon_target;        // bytes the operator asks it to hold; 0: no request
  uint balloon_pages;        // pages it has given back and not taken yet

  struct vmstats st;
};

#define PMAP_GIVEN   0x200   // a pmap entry's software bit: given back (no PTE_P)
#define PMAP_MARK    0x400   // ... in this HC_BALLOON's batch (a duplicate check)
#define BALLOON_FLOOR (1u << 20)   // the least memory `balloon N SIZE` may leave a VM

extern struct vm vms[MAXVMS];
extern int nvms;

#endif
