// pv_vmos.c: the pv layer under vmos: xv6a in ring 1 asks the host for every
// privileged operation (hypercalls, vmos/abi.h). Interrupts are virtual: the IF
// is a word in the page shared with the host, so turning them off is a store
// and turning them on is a store plus, if something is pending, a hypercall.
// Devices the VM owns in pass mode it drives itself: its disk's channel
// (ide.c) and COM2, which is then its whole console (see pv_putc).
#include "xv6a.h"
#include "pv.h"
#include "guests/hcall.h"
#include "sharedoff.h"

const char *pv_name = "vmos";
uint pv_kcs = SEL_GKCODE, pv_kds = SEL_GKDATA, pv_ucs = SEL_UCODE, pv_uds = SEL_UDATA;

// The shared page; vif is its first word (trapasm.S stores to it).
union {
  struct vm_shared s;
  char page[PGSIZE];             // the whole page is the host's to write
} shared __attribute__((aligned(PGSIZE)));
static uint memsize;
static struct vm_info vminfo;    // what the host says of this VM (its disk, COM2)
uint pv_own_irqs;                // vminfo.irqs: the real IRQs of its own devices
                                 // (trapasm.S: a direct interrupt of another's goes back)
static int com2;                 // the console is COM2 (pv_putc)
extern char iret_start[], iret_end[];

#define hc(nr, a, b, c) vmos_hcall(nr, a, b, c, 0)

_Static_assert(__builtin_offsetof(struct vm_shared, vif) == SHARED_VIF, "sharedoff.h");
_Static_assert(__builtin_offsetof(struct vm_shared, reflect) == SHARED_REFLECT, "sharedoff.h");
_Static_assert(__builtin_offsetof(struct vm_shared, trapno) == SHARED_TRAPNO, "sharedoff.h");
_Static_assert(R_NONE == SHARED_R_NONE && R_IRQ == SHARED_R_IRQ, "sharedoff.h");

void
pv_init(uint magic, uint info)
{
  if (magic != GUEST_BOOT_MAGIC)
    for (;;)
      ;
  memsize = info;                // the host passes the memory size in ebx
  hc(HC_SET_SHARED, (uint)&shared, 0, 0);
  if (hc(HC_VM_INFO, (uint)&vminfo, 0, 0) < 0)
    memset(&vminfo, 0, sizeof(vminfo));
  pv_own_irqs = vminfo.irqs;
  if (vminfo.mmu == MMU_DIRECT)
    pv_direct_on(vminfo.id);     // its page tables are pinned ones (pv_direct.c)
  if (vminfo.idle_spin)
    cprintf("xv6a: idle=spin: it spins when idle, with interrupts on\n");
  hc(HC_SET_IRET, (uint)iret_start, (uint)iret_end, 0);
  if (vminfo.com2 && uart_present(COM2)) {
    cprintf("xv6a: VM %d's console is COM2 from here on\n", vminfo.id);
    uart_init(COM2);
    com2 = 1;
    cprintf("xv6a: VM %d (%s.%d): this is its console\n", vminfo.id, vminfo.name, vminfo.id);
  }
}

uint pv_memsize(void) { return memsize; }

// Console output goes a line at a time (the host tags lines with the VM).
// The host takes a VM's output at a bounded rate and says how much it took
// (vmos/abi.h): the rest waits, the writer giving up its slice meanwhile, so
// a process printing fast slows down and nothing it printed is lost.
// With COM2 the VM's own (vm_info.com2) the console is COM2 alone: the system
// console shows the line saying so (pv_init), then nothing more of this VM but
// what the host itself says of it (a stop, with the panic's reason). What is
// typed to it on the system console is not read (the host keeps a little).
static char line[120];
static int nline;

static void
flush_line(void)
{
  int done = 0;
  while (done < nline) {
    int r = hc(HC_CONSOLE_WRITE, (uint)line + done, nline - done, 0);
    if (r < 0)
      break;                     // the host refused the buffer: nothing to retry
    if (r == 0)
      hc(HC_YIELD, 0, 0, 0);     // over its rate: the others run first
    done += r;
  }
  nline = 0;
}

void
pv_putc(int c)
{
  if (com2) {                    // a terminal: a new line is CR LF, an erase rubs out
    if (c == '\n')
      uart_putc(COM2, '\r');
    if (c == '\b') {
      uart_putc(COM2, '\b');
      uart_putc(COM2, ' ');
    }
    uart_putc(COM2, c);
    return;
  }
  line[nline++] = c;
  if (c == '\n' || nline == sizeof(line))
    flush_line();
}

// Input typed to this VM, read from the host a few bytes at a time.
int
pv_getc(void)
{
  if (com2)
    return uart_getc(COM2);
  static char buf[32];
  static int n, i;
  if (i == n) {
    n = hc(HC_CONSOLE_READ, (uint)buf, sizeof(buf), 0);
    i = 0;
    if (n <= 0) {
      n = 0;
      return -1;
    }
  }
  return buf[i++] & 0xFF;
}

// Input comes with virtual interrupt VIRQ_CONSOLE, or COM2's: its IRQ 3
// (routed by the host, or, in swap and defer modes, straight from the device).
int pv_console_irq(void) { return com2 ? IRQ_COM2 : VIRQ_CONSOLE; }

void pv_lcr3(uint pa) { pv_pgdir_ready(pa); hc(HC_SET_PGDIR, pa, 0, 0); }

// Direct paging: the hypercall that sent the update reloaded CR3 on its way
// back (vmos/abi.h), so sending the queue is the whole invlpg.
void
pv_invlpg(void *va)
{
  if (vminfo.mmu == MMU_DIRECT)
    pv_mmu_flush();
  else
    hc(HC_INVLPG, (uint)va, 0, 0);
}
void pv_cli(void) { shared.s.vif = 0; }
int pv_intr_on(void) { return shared.s.vif & 1; }

void
pv_sti(void)
{
  shared.s.vif = 1;
  if (shared.s.pending)
    hc(HC_IRQ_ENABLE, 0, 0, 0);  // the host delivers them now
}

// Where xv6a's clock (pv_clock, the shared page's ticks) stands on the host's
// (vm_info.host_ticks), learnt when the timer is set: HC_IDLE's deadline is a
// host tick (vmos/abi.h).
static uint clock_base;          // host tick of clock tick 0
static uint clock_period;        // host ticks a clock tick (0: no timer yet)

// Nothing to run (proc.c's scheduler, its virtual IF off): HC_IDLE sets the
// IF and blocks until an interrupt is pending or the deadline comes, in one
// step in the host, so an interrupt that came after the scheduler looked is
// not slept through. Under idle=spin (vm_info.idle_spin) it spins instead,
// with interrupts on, as xv6's own scheduler loop does on bare hardware: the
// comparison of grade/bench_idle.py.
void
pv_idle(uint deadline)
{
  if (nline)                     // a prompt waiting for its newline: show it
    flush_line();
  if (vminfo.idle_spin) {
    pv_sti();
    for (int i = 0; i < 1000; i++)
      asm volatile("pause" ::: "memory");
    return;
  }
  hc(HC_IDLE, deadline && clock_period ? clock_base + deadline * clock_period : 0, 0, 0);
}
void pv_set_kstack(uint esp) { hc(HC_STACK_SWITCH, esp, 0, 0); }
void pv_switch(uint esp, uint pa) { pv_pgdir_ready(pa); hc(HC_SET_PGDIR, pa, esp, 0); }
uint pv_fault_addr(void) { return shared.s.cr2; }   // the host saves it for us
int pv_irq_noted(int irq) { return (shared.s.pending >> irq) & 1; }
int pv_mark(const char *label) { return hc(HC_MARK, (uint)label, 0, 0); }

// In `pv` mode the host reads and writes the sector for us, one hypercall; in
// `trap` and `pass` modes ide.c drives the ports (emulated, or the real ones).
int pv_disk_pv(void) { return vminfo.disk_mode == DISK_PV; }

// trap mode: the emulated controller at the primary channel's ports, virtual
// interrupt VIRQ_DISK; pass mode: the real channel the host gave us, whose
// IRQ (14 or 15) is our virtual interrupt of that number.
int
pv_disk_port(void)
{
  return vminfo.disk_mode == DISK_PASS ? (int)vminfo.disk_port : 0x1F0;
}

int
pv_disk_irq(void)
{
  return vminfo.disk_mode == DISK_PASS ? (int)vminfo.disk_irq : VIRQ_DISK;
}

int
pv_disk_rw(uint sector, void *buf, int write)
{
  return vmos_hcall(HC_BLOCK_IO, sector, (uint)buf, 1, write) == 1 ? 0 : -1;
}
// The request ring (vmos/abi.h): one page the host reads requests from and
// writes completions to. pv mode asks for it once; a host that refuses it
// (an older one) leaves ide.c the one-call-per-block HC_BLOCK_IO above.
static union {
  struct blk_ring r;
  char page[PGSIZE];
} ring __attribute__((aligned(PGSIZE)));
static int ring_state;           // 0 not asked yet, 1 the host took it, -1 refused

struct blk_ring *
pv_disk_ring(void)
{
  if (ring_state == 0)
    ring_state = pv_disk_pv() && hc(HC_BLK_SETUP, (uint)&ring, 0, 0) == 0 ? 1 : -1;
  return ring_state > 0 ? &ring.r : 0;
}

int pv_disk_notify(void) { return hc(HC_BLK_NOTIFY, 0, 0, 0); }

// The host rounds the period up to whole host ticks (vmos/hcall.c), and
// counts every period in the shared page's ticks from the moment it is set.
// A host tick between reading the clock and the host's time would make
// them disagree: read again then.
void
pv_timer_init(int hz)
{
  struct vm_info vi;
  uint k;
  hc(HC_SET_TIMER, 1000 / hz, 0, 0);
  do {
    k = shared.s.ticks;
    if (hc(HC_VM_INFO, (uint)&vi, 0, 0) < 0)
      return;                    // no deadlines then: idle waits for interrupts
  } while (k != shared.s.ticks);
  clock_period = ((1000 / hz) * vi.host_hz + 999) / 1000;
  clock_base = vi.host_ticks - k * clock_period;
}

// The host merges the timer interrupts that come while the virtual IF is off
// (one pending bit), so counting them loses time whenever the kernel runs
// long (disk work in trap mode: a tick in seconds). The host's clock in the
// shared page counts every period (vmos/abi.h).
uint pv_clock(uint counted) { return shared.s.ticks; }

// A virtual interrupt that came while the kernel ran stays pending in the host
// until the VM is entered with its virtual IF on, and the iret sequence only
// sets the IF: the next entry may be a tick later, and a process that makes
// system call after system call is almost never caught in user mode. So take
// them here, as the CPU would right after an iret that sets IF: turn the
// virtual IF on and let the host deliver (each arrives as an interrupt of the
// kernel, here), then off again. Bounded: the host clears each bit it delivers.
void
pv_take_pending(void)
{
  pv_mmu_flush();                // (direct paging: what the process will use)
  if (shared.s.pending == 0)     // the usual case: nothing waits
    return;
  for (int i = 0; i < 32 && shared.s.pending; i++)
    pv_sti();
  pv_cli();
}
// The host ends every interrupt it delivers. One that came straight from
// the device (swap and defer modes) is ended by the master 8259 itself
// (auto-EOI) for IRQs 0..7; the slave's (8..15) need the host (vmos/abi.h).
void
pv_eoi(int irq, int direct)
{
  if (direct && irq >= 8)
    hc(HC_EOI, irq, 0, 0);
}

void
pv_set_trap(int v, void (*handler)(void), int dpl, int trapgate)
{
  if (v == 2 || v == 8 || v == HCALL_VECTOR)
    return;                      // the host's
  int flags = dpl | (trapgate ? TT_TRAPGATE : 0);
  if (v >= T_IRQ0 + 16 && dpl == 3)
    flags |= TT_DIRECT;          // a system call: the CPU brings it straight here
  hc(HC_SET_TRAP, v, (uint)handler, flags);
}

void
pv_exit(int status, const char *why)
{
  if (nline)
    flush_line();
  hc(HC_EXIT, status, (uint)why, 0);
  for (;;)
    ;
}

// Ballooning (balloon.c): the host's target is a word of the shared page;
// pages go and come by HC_BALLOON, guest-physical addresses in an array.
int pv_balloon_hello(void) { return hc(HC_BALLOON, BALLOON_HELLO, 0, 0) == 0 ? 0 : -1; }
uint pv_balloon_target(void) { return shared.s.balloon_target; }
int pv_balloon_give(uint *pa, int n) { return hc(HC_BALLOON, BALLOON_GIVE, (uint)pa, n); }
int pv_balloon_take(uint *pa, int n) { return hc(HC_BALLOON, BALLOON_TAKE, (uint)pa, n); }
