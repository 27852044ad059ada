// abi.h: the contract between the vmos host and its guests.
// The one header both sides include (host: vmos/ and kernel/gdt.c; guests: guests/*).
// Everything a guest may rely on is here: flat selectors, the reserved address range,
// the hypercall vector. Numbers in this file are frozen once a lab's grader uses them.
#ifndef VMOS_ABI_H
#define VMOS_ABI_H

// ---- Segments (design.md section 3) ----
// One GDT, owned by the host; guests never load their own. All code and data
// segments are flat (base 0, limit 4 GiB): isolation comes from paging.
// Slot order is fixed; a selector is slot*8 | requested privilege level.
#define GDT_HCODE   1   // host code,         DPL 0
#define GDT_HDATA   2   // host data,         DPL 0
#define GDT_GKCODE  3   // guest kernel code, DPL 1
#define GDT_GKDATA  4   // guest kernel data, DPL 1
#define GDT_UCODE   5   // guest user code,   DPL 3
#define GDT_UDATA   6   // guest user data,   DPL 3
#define GDT_TSS     7   // the one TSS (host only)
#define GDT_NSEG    8

#define SEL_HCODE   (GDT_HCODE << 3 | 0)
#define SEL_HDATA   (GDT_HDATA << 3 | 0)
#define SEL_GKCODE  (GDT_GKCODE << 3 | 1)   // 0x19: a guest kernel's CS
#define SEL_GKDATA  (GDT_GKDATA << 3 | 1)   // 0x21: a guest kernel's DS/ES/SS
#define SEL_UCODE   (GDT_UCODE << 3 | 3)    // 0x2B: a guest process's CS
#define SEL_UDATA   (GDT_UDATA << 3 | 3)    // 0x33: a guest process's DS/ES/SS
#define SEL_TSS     (GDT_TSS << 3 | 0)

// ---- Reserved address range (design.md section 4) ----
// The top 4 MiB of every address space belongs to the host's switcher.
// A guest may map nothing there; requests to do so are refused.
#define ABI_SWITCHER_BASE 0xFFC00000u

// ---- Hypercalls (design.md section 6) ----
// int $0x82 through a DPL1 gate: legal from a guest kernel (ring 1); from ring 3 the
// CPU raises #GP with error code (0x82 << 3 | 2) = 0x412, which the host reflects to
// the guest kernel as a #GP of its process.
// Number in eax; arguments in ebx, ecx, edx, esi, edi; result in eax: >= 0 is
// success, < 0 one of the E_* codes below. Every other register is preserved.
// A pointer argument is a guest virtual address; the host checks that the whole
// range lies in the VM's memory (E_FAULT if not).
#define HCALL_VECTOR 0x82

//   number                  arguments                         result          lab
#define HC_CONSOLE_WRITE  1  // ebx=buf, ecx=len                  bytes written   1
                             //    (at most CONSOLE_WRITE_MAX a call, fewer or
                             //    none while the VM writes faster than the
                             //    host lets one VM: write the rest again)
#define HC_SET_TRAP       2  // ebx=vector, ecx=handler, edx=TT_* 0              1
#define HC_STACK_SWITCH   3  // ebx=esp1 (ring-1 stack for traps from ring 3)  0   1
#define HC_SET_TIMER      4  // ebx=period in ms (0: timer off)   0              1
#define HC_IRQ_ENABLE     5  // -: set the virtual IF, deliver what is pending   1
#define HC_YIELD          6  // -: give up the rest of this time slice   0       1
#define HC_IDLE           7  // ebx=deadline (0: none): set the virtual IF;
                             //    block until a virtual interrupt is pending
                             //    or the deadline has come (see "Idling")
                             //    IDLE_IRQ / IDLE_DEADLINE; E_INVAL  1 (3: ebx)
#define HC_VM_INFO        8  // ebx=struct vm_info *              0              1
#define HC_EXIT           9  // ebx=status, ecx=reason (a NUL-terminated string,
                             //    or 0): the VM stops     (no return)         1
#define HC_SET_SHARED    10  // ebx=page-aligned address of a page of guest
                             //    memory that becomes the shared page  0       1
#define HC_CONSOLE_READ  11  // ebx=buf, ecx=len: input typed to this VM  bytes 1
#define HC_SET_IRET     12   // ebx=start, ecx=end: the guest's iret sequence
                             //    (no virtual interrupt is injected while eip
                             //    is in [start, end))                 0       1
#define HC_NULL         13   // -: does nothing (its cost is a hypercall's)  0    1
#define HC_MARK         14   // ebx=label: the host prints its counters for this
                             //    VM, tagged with label (benchmarks)  0; E_FAULT
                             //    if the label's first byte is not its own 1
#define HC_SET_PGDIR    15   // ebx=guest-physical address of a page directory:
                             //    the paged guest's CR3 load; ecx, if not 0,
                             //    a new HC_STACK_SWITCH stack too (a process
                             //    switch in one call)                  0       4
#define HC_FLUSH_TLB    16   // -: forget all translations (after changing
                             //    the current page tables)             0       4
#define HC_INVLPG       17   // ebx=address: forget its translation    0       4
#define HC_BLOCK_IO     18   // ebx=first sector, ecx=buf, edx=sectors (1..8),
                             //    esi=0 read / 1 write: the VM's disk in `pv`
                             //    mode; done (on the disk) when it returns:
                             //    sectors done                         4
#define HC_INVOKE_VMOS  19   // ebx=irq (a real IRQ, 0..15): "invoke VM OS". IRQ
                             //    irq reached this guest directly (swap/defer
                             //    mode) and it does not take it: another VM's
                             //    device (the host passes it to the owner: at
                             //    once in swap mode, at the owner's next turn
                             //    in defer mode), or its own with its virtual
                             //    IF off (it comes back as virtual interrupt
                             //    irq when the virtual IF allows). E_INVAL if
                             //    irq did not come here (counted)      0       2
#define HC_EOI          20   // ebx=irq: the end of its own device's interrupt
                             //    that reached it directly, for an IRQ of the
                             //    slave 8259 (8..15: the master ends its own,
                             //    auto-EOI; see "Direct device interrupts")
                             //    0; E_INVAL if irq is not its own or not in
                             //    service                              0       2
#define HC_BLK_SETUP    21   // ebx=page-aligned guest address of a page that
                             //    becomes the VM's disk ring (struct blk_ring
                             //    below; `pv` mode only): the host forgets any
                             //    ring before and zeroes this one's indices
                             //    0; E_INVAL (not pv), E_FAULT (not a page
                             //    of its memory)                        3
#define HC_BLK_NOTIFY   22   // -: "I queued requests in the ring": the host
                             //    takes what is queued (a bounded amount,
                             //    see below), does it and posts completions
                             //    before it returns, and raises VIRQ_DISK
                             //    once if it posted any: requests taken;
                             //    E_INVAL (no ring, or it lies: see below) 3
#define HC_MMU_UPDATE   23   // ebx=struct mmu_update *, ecx=count (0..
                             //    MMU_UPDATE_MAX): direct paging's one way to
                             //    change a pinned table (see "Direct paging"):
                             //    count; or, at the first bad pair, E_* with
                             //    ecx = its index (the pairs before it done);
                             //    E_INVAL (count), E_FAULT (the array) with
                             //    nothing done                         4
#define HC_MMU_PIN      24   // ebx=MMU_PIN_PT/MMU_PIN_PD/MMU_UNPIN, ecx=page-
                             //    aligned guest-physical address: the host
                             //    validates the whole page and tracks it as
                             //    a page table / directory from then on, or
                             //    stops: 0; E_INVAL, E_FAULT, E_PERM    4
#define HC_BALLOON      25   // ebx=BALLOON_* op, ecx=array of guest-physical
                             //    page addresses, edx=how many (1..BALLOON_BATCH):
                             //    give pages back to the host / take them back
                             //    (see "Ballooning")  pages given / taken  4
#define HC_MAX           25

#define CONSOLE_WRITE_MAX 1024   // HC_CONSOLE_WRITE takes at most this much a call

// Idling (HC_IDLE; lab 3 adds the deadline). The deadline is a host tick,
// absolute, on the clock of vm_info.host_ticks (host_hz a second); ebx=0 is
// no deadline, the call of lab 1. Setting the virtual IF and looking for a
// pending interrupt are one step in the host (vmos/idle.c): an interrupt that
// became pending while the guest decided to idle, with its virtual IF off,
// makes HC_IDLE return at once and is delivered before the instruction after
// it. So decide to idle with the virtual IF off, and after HC_IDLE look for
// work again, whatever the result (the monitor's pause and resume also end
// it, with IDLE_IRQ and nothing delivered).
// Results: IDLE_IRQ (an interrupt is pending: at once, or it woke for one);
// IDLE_DEADLINE (the deadline came while it was blocked, or it was now or in
// the past, up to 2^31 ticks: at once, not an error); E_INVAL, at once, if
// the deadline lies more than IDLE_AHEAD_MAX ticks ahead (garbage, or a
// subtraction that wrapped) or no shared page is set. The virtual IF is set
// in every case but the last.
// vm_info.idle_spin is 1 when the boot line says idle=spin: the guest is asked
// to idle by spinning with its interrupts on instead (a comparison for the
// bench; HC_IDLE works all the same).
#define IDLE_IRQ        0
#define IDLE_DEADLINE   1
#define IDLE_AHEAD_MAX  0x40000000u   // ticks: 124 days at 100 Hz

// Errors (negative results)
#define E_INVAL  (-1)   // an argument is out of range
#define E_FAULT  (-2)   // a pointer does not lie in the VM's memory
#define E_NOSYS  (-3)   // no such hypercall
#define E_PERM   (-4)   // not allowed (e.g. a handler outside the guest)
#define E_AGAIN  (-5)   // nothing there yet

// HC_SET_TRAP flags (edx)
#define TT_DPL_MASK 0x3       // who may raise the vector with `int`: 0 (nobody) .. 3
#define TT_TRAPGATE 0x100     // leave the virtual IF set on entry (like a trap gate);
                              // without it the host clears it (an interrupt gate)
#define TT_CLEAR    0x200     // remove the entry (handler ignored)
#define TT_RING3    0x400     // deliver only when raised in ring 3; the same trap
                              // in the guest kernel stops the VM (for a kernel
                              // that never expects to fault itself)
#define TT_DIRECT   0x800     // a system-call vector (>= 0x30, DPL 3): the CPU takes
                              // `int` from ring 3 straight to the handler in ring 1
                              // through a trap gate in the VM's IDT, on the
                              // HC_STACK_SWITCH stack; the host never sees it (Xen's
                              // fast trap). The virtual IF is left as it was (set,
                              // in ring 3): the handler clears it if it must.
                              // Boot option fasttraps=0 reflects them instead.

// ---- Virtual interrupts ----
// A virtual interrupt n arrives at vector VIRQ_VECTOR(n), like the 8259's IRQ n.
#define VIRQ_TIMER    0       // the VM's virtual timer (HC_SET_TIMER)
#define VIRQ_CONSOLE  1       // input typed to this VM on the system console
#define VIRQ_DISK     14      // the VM's disk (later labs)
#define VIRQ_VECTOR(n) (0x20 + (n))

// ---- Direct device interrupts (interrupt modes, lab 2) ----
// Each VM has an interrupt mode (boot line irq= or a vms= field):
//   IRQ_ROUTE  every interrupt enters the host, which makes it a virtual
//              interrupt of its owner (VM/370; lab 1);
//   IRQ_SWAP   while the VM runs, the vectors of the real device IRQs that
//              a VM owns (pass mode: an IDE channel's 14 or 15, COM2's 3) are
//              trap gates into the handlers this VM registered for them: its
//              own devices' interrupts go straight to it, with no host entry,
//              and so do other VMs', which it hands back with HC_INVOKE_VMOS
//              (the host switches to their owner at once);
//   IRQ_DEFER  as swap, but a handed-back interrupt is only noted for its owner,
//              which gets it at its next turn.
// The timer, COM1 (the system console), the cascade and every exception stay
// the host's. A direct interrupt comes whatever the virtual IF says (the real
// IF is always on): a handler that finds it off, or the IRQ not its own
// (vm_info.irqs), hands it back with HC_INVOKE_VMOS. The frame is the CPU's
// (as a reflected one, but pushed by the CPU). A reflected virtual interrupt n
// is told apart by shared->reflect == R_IRQ with shared->trapno ==
// VIRQ_VECTOR(n) (the guest clears reflect once it has read it); a direct one
// leaves them alone. EOI: the master 8259 runs in auto-EOI mode, so a direct
// IRQ 0..7 needs nothing; the slave cannot (in QEMU an auto-EOI slave wedges
// when two of its IRQs are pending at once: the cascade is edge-triggered), so
// a direct IRQ 8..15 ends with HC_EOI, one host entry and no world switch (the
// host ends one the guest forgot at its next entry).
#define IRQ_ROUTE 0
#define IRQ_SWAP  1
#define IRQ_DEFER 2

// How a delivered interrupt or reflected trap looks to the guest kernel: the host
// builds the frame an x86 would build through a gate to ring 1: on the current
// stack if the guest was in ring 1, on the HC_STACK_SWITCH stack if it was in
// ring 3 (then with the old esp and ss). The pushed eflags carry the virtual IF
// in their IF bit, so the guest's iret sequence can restore it.

// ---- The shared page (HC_SET_SHARED) ----
// Written by both sides; the host never trusts what it reads here beyond a bit.
#ifndef __ASSEMBLER__
struct vm_shared {
  volatile unsigned int vif;        // virtual IF: 1 = deliver virtual interrupts
  volatile unsigned int pending;    // bit n: virtual interrupt n is waiting
  volatile unsigned int cr2;        // address of the last reflected page fault
  volatile unsigned int ticks;      // the VM's clock: periods of its virtual timer
                                    // (HC_SET_TIMER) since it was first set, by the
                                    // host's clock, delivered or not (see below)
  volatile unsigned int reflect;    // why the last trap was reflected (R_*)
  volatile unsigned int trapno;     // which trap was reflected last
  volatile unsigned int balloon_target;   // bytes the host asks the VM to hold
                                    // (monitor `balloon N SIZE`); 0: no request
                                    // (lab 4, "Ballooning")
};
// The clock (ticks): virtual timer interrupts that come while the virtual IF
// is off are merged, as a PIC merges them, so a guest that counts its timer
// interrupts falls behind while it keeps them off (disk work, say); the
// host counts every period here instead, so a guest that reads its time from
// `ticks` at each timer interrupt keeps the host's time (xv6a does; it also
// takes what is pending before each return to user mode). The host writes it
// at every period and never reads it back.

#define R_NONE     0
#define R_TRAP     1   // a trap of the guest itself (fault, int instruction)
#define R_IRQ      2   // a virtual interrupt
#define R_GP_RING3 3   // a #GP raised in ring 3 (e.g. a privileged instruction)

// ---- Ballooning (lab 4; HC_BALLOON) ----
// A guest's balloon driver hands free pages of its memory back to the host
// when asked, and takes them back when the host lets it. The host asks by
// writing shared->balloon_target (the operator's `balloon N SIZE`): the bytes
// it would like the VM to hold; the driver reads it at its timer tick (no
// interrupt: a target is no hurry, and a guest is free to ignore it).
//   BALLOON_HELLO  "I have a balloon driver" (once, at boot; the monitor sets
//                  targets only for such VMs): 0.
//   BALLOON_GIVE   each page of the array goes back to the host: from then on
//                  the VM has no memory there. Touching it again stops the VM
//                  ("a page it gave back to the host"); the host's own accesses
//                  there (a hypercall's buffer) fail with E_FAULT. Result: edx,
//                  all of them.
//   BALLOON_TAKE   the host gives the VM memory again, zeroed, for pages it gave
//                  earlier, in the array's order, as far as the host has memory:
//                  the number taken (the first ones of the array; 0 when the
//                  host has none now: try later).
// A batch is checked whole before anything is done: one bad entry and nothing
// happens. E_INVAL: op unknown, edx 0 or above BALLOON_BATCH, an address not
// page aligned or outside the VM's memory, the same page twice, more pages
// than the VM holds, a page given twice (GIVE) or one it never gave (TAKE).
// E_PERM: a page the host itself uses (the shared page, the disk ring).
// E_FAULT: the array does not lie in the VM's memory. Each refusal is counted.
#define BALLOON_HELLO 0
#define BALLOON_GIVE  1
#define BALLOON_TAKE  2
#define BALLOON_BATCH 256            // pages one HC_BALLOON may name

// ---- HC_VM_INFO ----
struct vm_info {
  unsigned int id;              // 1, 2, ...: also the number in the console tag
  char name[16];                // the guest's name from the boot line
  unsigned int mem_base;        // guest address of the first byte of its memory
  unsigned int mem_size;        // bytes
  unsigned int host_ticks;      // host timer ticks since boot
  unsigned int host_hz;         // host ticks per second
  unsigned int nvms;            // VMs the host runs
  unsigned int disk_mode;       // DISK_NONE, DISK_TRAP, DISK_PASS, DISK_PV
  unsigned int disk_sectors;    // size of its disk in 512-byte sectors
  unsigned int irq_mode;        // IRQ_ROUTE, IRQ_SWAP, IRQ_DEFER (lab 2)
  unsigned int irqs;            // bit n: real IRQ n is its own device's (pass mode)
  unsigned int disk_port;       // pass mode: its IDE channel's ports (0x1F0 or 0x170;
                                //   the control port is disk_port + 0x206)
  unsigned int disk_irq;        // pass mode: that channel's IRQ (14 or 15)
  unsigned int com2;            // 1: it owns COM2 (ports 0x2F8-0x2FF, IRQ 3)
  unsigned int idle_spin;       // 1: boot line idle=spin: idle by spinning with the
                                //   virtual IF on, not HC_IDLE (lab 3; see "Idling")
  unsigned int mmu;             // MMU_SHADOW or MMU_DIRECT: how its page tables
                                //   are used (lab 4; see "Direct paging")
};
#endif

// ---- Disks (design.md section 8), one mode per VM (boot line vms=NAME:SIZE:hdN:MODE) ----
#define DISK_NONE 0
#define DISK_TRAP 1   // port I/O to an IDE primary master faults; the host emulates it
#define DISK_PASS 2   // the VM owns a real IDE channel: its ports are in its I/O bitmap
#define DISK_PV   3   // HC_BLOCK_IO, or the request ring (HC_BLK_SETUP)
#define DISK_SECTOR 512

// ---- The pv disk's request ring (lab 3; HC_BLK_SETUP, HC_BLK_NOTIFY) ----
// One page of guest memory shared with the host, the idea of Xen's blkfront
// and virtio-blk: the guest fills request slots and moves req_prod on, then
// makes one HC_BLK_NOTIFY for the whole batch; the host does the requests in
// order, writes one completion each (the request's id and its status) and
// moves done_prod on, and raises one VIRQ_DISK for the batch. The guest
// consumes completions and moves done_cons on. Indices run freely (mod 2^32);
// slot = index % BLK_NREQ. Each side writes only its own two indices:
//   guest: req_prod, done_cons      host: req_cons, done_prod.
// The host keeps its own copies of its indices and never believes the
// guest's beyond a check: a req_prod more than BLK_NREQ ahead of req_cons, or
// a done_cons behind the completions by more than BLK_NREQ (or ahead of
// them), is a ring that lies: that notify is refused (E_INVAL, counted);
// BLK_LIES_MAX of them stop the VM. A request that is wrong itself (count
// 0 or > BLK_MAX_SECTORS, a buffer not in the VM's memory, sectors beyond the
// disk, an op not BLK_READ/BLK_WRITE) completes with its error, counted.
// A write is on the disk before its completion is posted. One notify does at
// most BLK_NOTIFY_SECTORS sectors (and never more requests than there is room
// for completions): what it leaves stays queued, req_cons says how far it
// got, and the guest notifies again.
#ifndef __ASSEMBLER__
#define BLK_NREQ            128     // slots of each kind (a power of 2)
#define BLK_MAX_SECTORS     128     // sectors one request may move: 64 KiB
#define BLK_NOTIFY_SECTORS  1024    // sectors one notify does at most
#define BLK_LIES_MAX        3       // lying notifies before the VM is stopped
#define BLK_READ            0
#define BLK_WRITE           1

struct blk_req {
  unsigned int id;                  // the guest's, returned in the completion
  unsigned int op;                  // BLK_READ or BLK_WRITE
  unsigned int sector;              // the first sector
  unsigned int count;               // sectors, 1 .. BLK_MAX_SECTORS
  unsigned int buf;                 // guest address of count * DISK_SECTOR bytes
};

struct blk_done {
  unsigned int id;                  // the request's
  int status;                       // sectors done (= count), or an E_* code
};

struct blk_ring {
  volatile unsigned int req_prod;   // guest: requests queued so far
  volatile unsigned int req_cons;   // host: requests taken so far
  volatile unsigned int done_prod;  // host: completions posted so far
  volatile unsigned int done_cons;  // guest: completions consumed so far
  struct blk_req req[BLK_NREQ];
  struct blk_done done[BLK_NREQ];
};
_Static_assert(sizeof(struct blk_ring) <= 4096, "the disk ring is one page");
#endif

// ---- Flat guests (mini): the host does the paging ----
// A guest without page tables of its own sees its memory at FLAT_BASE. Pages
// below FLAT_USER are supervisor (the guest kernel, ring 1); pages from FLAT_USER
// up are user pages (its tasks, ring 3).
#define FLAT_BASE  0x40000000u
#define FLAT_USER  0x40100000u

// ---- Paged guests (xv6a): the guest does the paging, the host shadows it ----
// A guest whose image is linked at or above GUEST_KERNBASE keeps page tables of
// its own, in guest-physical memory (0 .. mem_size). Its PT_LOAD segments are
// loaded at their physical addresses (p_paddr). Until its first HC_SET_PGDIR it
// runs with the boot mapping: GUEST_KERNBASE + pa -> pa for all its memory, all
// supervisor. Its page-table entries must point inside its memory: an entry
// that does not stops the VM. Entries for addresses at or above
// ABI_SWITCHER_BASE are ignored (the host's switcher region is there); the
// guest kernel touching that range is stopped, a process touching it gets a
// page fault for its kernel.
// Like a TLB, the host's translations may stay stale until HC_INVLPG,
// HC_FLUSH_TLB or HC_SET_PGDIR.
#define GUEST_KERNBASE 0x80000000u

// ---- Direct paging (lab 4; boot line mmu=direct or a vms= field `direct`) ----
// Each paged VM has a memory mode (vm_info.mmu). MMU_SHADOW is the paragraph
// above. MMU_DIRECT (Xen's paravirtual MMU): the CPU walks the guest's own
// tables, so their entries hold *machine* addresses, and the guest may not
// write them itself:
//  - P2M: the guest-physical -> machine map, read-only at P2M_BASE: word
//    pa >> 12 is the machine address of page pa in its top 20 bits (bit
//    PTE_P: the page is there; PTE_W: the guest may map it writable).
//  - M2P: machine -> guest-physical, read-only at M2P_BASE, one word per
//    machine frame: the guest-physical page address | the owning VM's id in
//    the low 12 bits (M2P_OWNER); a frame of no VM, or of another, says so
//    by its owner. (Like Xen's table it shows which frames other VMs own.)
//  - Pinning (HC_MMU_PIN): a page becomes a page table (PT) or a directory
//    (PD) only when pinned; the host validates it whole: every present entry
//    a machine page of this VM; no writable mapping of a pinned page (so
//    a pinned page may have no writable mapping in any pinned table of the
//    VM: map it read-only before pinning it); a directory entry points at a
//    pinned PT, never with PTE_PS; the directory slot of ABI_SWITCHER_BASE is
//    the host's (it writes the switcher's entry there). PTE_G is cleared (a
//    global entry would outlive the switch to another VM). Refused: a page
//    pinned already, one the host writes itself (the shared page, the disk
//    ring), one with a writable mapping. Unpin: E_PERM for the directory
//    loaded now and for a PT that a pinned directory still points at.
//  - HC_MMU_UPDATE: (entry's guest-physical address, new value) pairs, each
//    checked as pinning checks a whole page, the entry in a pinned page of
//    this VM. A pair whose address has MMU_PAGE_OP in its low bits is a pin
//    or unpin in its place, in order: (page address | MMU_PAGE_OP, op), so
//    that a new address space (its tables read-only, then pinned) or a dead
//    one (unpinned, writable again) is one call. Other low bits: E_INVAL.
//  - HC_SET_PGDIR takes a pinned directory (E_PERM if not) and the CPU runs
//    on it. Until the first, the boot mapping as above (host-made; a page
//    pinned then is read-only in it). Every host entry reloads CR3, so an
//    update is in force on return; HC_INVLPG and HC_FLUSH_TLB cost nothing.
//  - Page faults are all the guest's: reflected, none hidden.
#define MMU_SHADOW 0
#define MMU_DIRECT 1
#define MMU_PIN_PT 1
#define MMU_PIN_PD 2
#define MMU_UNPIN  3
#define MMU_PAGE_OP 1              // in a pair's ptr: a page operation (see above)
#define MMU_UPDATE_MAX 64          // pairs per HC_MMU_UPDATE
#define P2M_BASE (ABI_SWITCHER_BASE + 0x200000u)   // up to 2 MiB: 2 GiB of VM
#define M2P_BASE (ABI_SWITCHER_BASE + 0x100000u)   // 1 MiB: 1 GiB of machine
#define M2P_OWNER(e) ((e) & 0xFFFu)
#ifndef __ASSEMBLER__
struct mmu_update {
  unsigned int ptr;                // guest-physical address of the entry (4-aligned)
  unsigned int val;                // its new value (machine address | flags)
};
#endif

// ---- Entering a guest ----
// The host loads the guest's ELF image (a flat guest's PT_LOAD segments at their
// virtual addresses, a paged guest's at their physical ones) and enters e_entry
// in ring 1 (a paged guest's e_entry below GUEST_KERNBASE is taken as physical:
// GUEST_KERNBASE is added) with cs=SEL_GKCODE, ds=es=ss=SEL_GKDATA, esp = the top
// of the VM's memory (as the guest sees it), eax = GUEST_BOOT_MAGIC, ebx = the
// memory size in bytes, the virtual IF clear and no shared page yet.
#define GUEST_BOOT_MAGIC 0x564D4F53u   // "VMOS"
// A paged image with a multiboot header (magic 0x1BADB002 in its first 8 KiB)
// is a PC kernel instead (trap mode, lab 3; vmos/emul/): entered the same way
// but with eax = 0x2BADB002 and ebx = the guest-physical address of a
// multiboot information block (mem_lower, mem_upper and a memory map). It
// drives a virtual PC (vmos/vpc/) with in/out, runs cli, sti, hlt, mov
// to/from cr0/cr2/cr3/cr4, invlpg, lgdt, lidt and ltr itself (each faults and
// is emulated) and makes no hypercalls (every one returns E_PERM). Its IDT
// gates: 32-bit interrupt or trap gates, selector SEL_GKCODE, DPL 1 or 3, a
// handler inside its kernel (any other stops the VM); its TSS's esp1/ss1
// (ss1 = SEL_GKDATA) are its ring-1 stack for traps from ring 3.

#endif
