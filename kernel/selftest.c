// selftest.c: the host checks the machine does what vmos relies on
// (design.md section 2): rings, gates, stacks, the I/O bitmap, page protection.
// Run with the boot line `selftest` (all) or `selftest=NAME,NAME`; `selftest=panic`
// checks that a host fault ends in a panic with a backtrace. Each test prints one
// line `selftest NAME: OK` or `selftest NAME: FAIL: why`, which grade/host.py reads;
// at the end QEMU exits through isa-debug-exit with pass or fail.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "mmu.h"
#include "memlayout.h"
#include "trapframe.h"
#include "vmos/abi.h"

BOOTOPT(selftest, "selftest", "run the host self-tests (=NAME,NAME to pick; =panic for the panic test)");

// Code run outside ring 0 (kernel/ring.S).
extern char ringcode_start[], ringcode_end[];
extern char ring_whoami[], ring_hcall[], ring_int40[], ring1_gate_handler[];
extern char ring_ioports[], ring_store[], ring_load[];

#define GATE_TEST 0x40            // a spare vector for the ring 3 -> ring 1 gate test

static char stack0[PGSIZE] __attribute__((aligned(PGSIZE)));  // traps from rings 1-3
static char stack1[PGSIZE] __attribute__((aligned(PGSIZE)));  // ring 1 code
static char stack3[PGSIZE] __attribute__((aligned(PGSIZE)));  // ring 3 code, user page
static struct ringctx ctx;
static struct trapframe result;   // the trap that brought the code back
static u32 result_cr2;

static void
came_back(struct trapframe *tf)
{
  result = *tf;
  result_cr2 = rcr2();
  ring_leave(&ctx);
}

// Run code at `ring` (1 or 3) with eax/edx preset, until it traps into the host.
// Interrupts stay off (IF=0, IOPL=0): only the code's own traps bring it back.
static struct trapframe*
run_at(int ring, char *code, u32 eax, u32 edx)
{
  struct trapframe tf;
  memset(&tf, 0, sizeof(tf));
  u16 ds = ring == 1 ? SEL_GKDATA : SEL_UDATA;
  tf.cs = ring == 1 ? SEL_GKCODE : SEL_UCODE;
  tf.ds = tf.es = tf.fs = tf.gs = tf.ss = ds;
  tf.eip = (u32)code;
  tf.esp = (u32)(ring == 1 ? stack1 : stack3) + PGSIZE;
  tf.eflags = FL_RSVD;
  tf.eax = eax;
  tf.edx = edx;
  tss_set_esp0((u32)stack0 + PGSIZE);
  tss_set_stack1((u32)stack1 + PGSIZE, SEL_GKDATA);
  trap_set_outer_handler(came_back);
  memset(&result, 0, sizeof(result));
  ring_enter(&tf, &ctx);
  trap_set_outer_handler(0);
  return &result;
}

// Make the ring-3 code and stack pages user-accessible (only these).
static void
open_user_pages(void)
{
  for (char *p = ringcode_start; p < ringcode_end; p += PGSIZE)
    *host_pte((u32)p, 0) |= PTE_U;
  *host_pte((u32)stack3, 0) |= PTE_U;
  lcr3(rcr3());
}

// ---- the tests; each returns 0 or the reason it failed ----
static char why[160];
#define FAILF(...) (ksnprintf(why, sizeof(why), __VA_ARGS__), why)

static const char*
t_pages(void)
{
  uint before = kalloc_free_pages(), n = 0;
  if (before == 0 || before > kalloc_total_pages())
    return FAILF("free %u of %u pages before the test", before, kalloc_total_pages());
  void *head = 0;
  for (void *p; (p = kalloc()) != 0; n++) {
    if (((u32)p & (PGSIZE - 1)) || V2P(p) >= MAXPHYS)
      return FAILF("kalloc returned 0x%x", (u32)p);
    if (*(u32 *)((char *)p + PGSIZE - 4) != 0)
      return FAILF("page 0x%x not zeroed", (u32)p);
    *(void **)p = head;           // chain them through the pages themselves
    head = p;
  }
  if (n != before)
    return FAILF("allocated %u pages, expected %u", n, before);
  for (uint i = 0; head; i++) {
    void *next = *(void **)head;
    kfree(head);
    head = next;
  }
  if (kalloc_free_pages() != before)
    return FAILF("%u free after freeing all, expected %u", kalloc_free_pages(), before);
  kprintf("selftest pages: allocated and freed %u pages\n", n);
  return 0;
}

static const char*
t_ticks(void)
{
  uint t0 = ticks;
  u64 start = rdtsc();
  sti();
  while (ticks < t0 + 5 && rdtsc() - start < 4000000000ULL)
    asm volatile("pause");
  cli();
  if (ticks < t0 + 5)
    return FAILF("ticks went from %u to %u", t0, ticks);
  return 0;
}

static const char*
t_ring(int ring)
{
  struct trapframe *r = run_at(ring, ring_whoami, 99, 0);
  if (r->trapno != 6)
    return FAILF("expected #UD (6) back, got trap %d", r->trapno);
  if (r->eax != (u32)ring || (r->cs & 3) != (u32)ring)
    return FAILF("code reported CPL %u, trap came from CPL %u", r->eax, r->cs & 3);
  return 0;
}
static const char* t_ring1(void) { return t_ring(1); }
static const char* t_ring3(void) { return t_ring(3); }

// A DPL3 trap gate to ring-1 code: ring 3 may use it, and the CPU switches to
// the TSS's esp1 stack, pushing the ring-3 ss, esp, eflags, cs, eip there.
static const char*
t_gate(void)
{
  idt_set_gate(GATE_TEST, (u32)ring1_gate_handler, SEL_GKCODE, 3, 1);
  memset(stack1, 0, sizeof(stack1));
  struct trapframe *r = run_at(3, ring_int40, 0, 0);
  idt_reset_gate(GATE_TEST);
  if (r->trapno != 6 || (r->cs & 3) != 1)
    return FAILF("expected #UD from ring 1, got trap %d from CPL %d", r->trapno, r->cs & 3);
  u32 top = (u32)stack1 + PGSIZE;
  if (r->eax != top - 20)
    return FAILF("handler esp 0x%x, expected esp1-20 = 0x%x", r->eax, top - 20);
  u32 *f = (u32 *)(top - 20);     // eip, cs, eflags, esp, ss
  if (f[0] != (u32)ring_int40 + 2 || f[1] != SEL_UCODE || f[3] != (u32)stack3 + PGSIZE ||
      f[4] != SEL_UDATA)
    return FAILF("frame on esp1: eip 0x%x cs 0x%x esp 0x%x ss 0x%x", f[0], f[1], f[3], f[4]);
  if ((r->ebx & 3) != 1)
    return FAILF("handler ran at CPL %d", r->ebx & 3);
  return 0;
}

// The hypercall gate (DPL1): ring 1 reaches the host; ring 3 gets #GP with the
// gate's selector-style error code 0x82<<3|2 = 0x412.
static const char*
t_hcall(void)
{
  struct trapframe *r = run_at(1, ring_hcall, 0, 0);
  if (r->trapno != HCALL_VECTOR || (r->cs & 3) != 1)
    return FAILF("from ring 1: trap %d from CPL %d", r->trapno, r->cs & 3);
  r = run_at(3, ring_hcall, 0, 0);
  if (r->trapno != T_GPFLT || r->err != (HCALL_VECTOR << 3 | 2))
    return FAILF("from ring 3: trap %d err 0x%x, expected #GP 0x412", r->trapno, r->err);
  return 0;
}

static const char*
t_iobitmap(void)
{
  iomap_allow(0x80);
  struct trapframe *r = run_at(1, ring_ioports, 0, 0);
  iomap_deny(0x80);
  if (r->trapno != T_GPFLT)
    return FAILF("expected #GP, got trap %d (ebx %u)", r->trapno, r->ebx);
  if (r->ebx != 1)
    return FAILF("faulted at step %u, expected 1 (the ungranted port)", r->ebx);
  return 0;
}

// CR0.WP: a ring-1 (supervisor) write to a read-only page faults.
static const char*
t_wp(void)
{
  if (!(rcr0() & CR0_WP))
    return FAILF("CR0.WP is off");
  u32 target = (u32)ring_whoami;  // host text: read-only
  u32 before = *(u32 *)target;
  struct trapframe *r = run_at(1, ring_store, 0xDEADBEEF, target);
  if (r->trapno != T_PGFLT || r->err != (PF_P | PF_W) || result_cr2 != target)
    return FAILF("trap %d err 0x%x cr2 0x%x", r->trapno, r->err, result_cr2);
  if (*(u32 *)target != before)
    return FAILF("the read-only page changed");
  return 0;
}

// Ring 3 may not read a supervisor page.
static const char*
t_usersup(void)
{
  static u32 secret = 0x5EC2E7;
  struct trapframe *r = run_at(3, ring_load, 0, (u32)&secret);
  if (r->trapno != T_PGFLT || r->err != (PF_P | PF_U) || result_cr2 != (u32)&secret)
    return FAILF("trap %d err 0x%x cr2 0x%x eax 0x%x", r->trapno, r->err, result_cr2, r->eax);
  return 0;
}

// The console also writes to the VGA text screen: the banner must be on it.
static const char*
t_vga(void)
{
  char row[81];
  for (int r = 0; r < 25; r++) {
    vga_row(r, row, sizeof(row));
    if (strncmp(row, "vmos: host kernel up", 20) == 0)
      return 0;
  }
  vga_row(0, row, sizeof(row));
  return FAILF("banner not on the VGA screen; row 0 is '%s'", row);
}

// Not run by default: the host faults on purpose and must panic with a backtrace.
__attribute__((noinline)) static void
crash_in_host(void)
{
  kprintf("selftest panic: writing to address 0 in ring 0\n");
  *(volatile u32 *)0 = 1;
}

static const char*
t_panic(void)
{
  crash_in_host();
  return "still running after a null write";
}

static const struct {
  const char *name;
  const char *(*fn)(void);
  int by_default;
} tests[] = {
  { "pages", t_pages, 1 },
  { "ticks", t_ticks, 1 },
  { "ring1", t_ring1, 1 },
  { "ring3", t_ring3, 1 },
  { "gate3to1", t_gate, 1 },
  { "hcall", t_hcall, 1 },
  { "iobitmap", t_iobitmap, 1 },
  { "wp", t_wp, 1 },
  { "usersup", t_usersup, 1 },
  { "vga", t_vga, 1 },
  { "panic", t_panic, 0 },
};

// Is name in the comma-separated list?
static int
listed(const char *list, const char *name)
{
  int n = strlen(name);
  for (const char *p = list; *p; ) {
    if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == 0))
      return 1;
    while (*p && *p != ',')
      p++;
    if (*p == ',')
      p++;
  }
  return 0;
}

// which: "" for all default tests, or a comma-separated list of names.
// Returns the number of failures.
int
selftest_run(const char *which)
{
  int ran = 0, failed = 0;
  open_user_pages();
  for (uint i = 0; i < NELEM(tests); i++) {
    if (which[0] ? !listed(which, tests[i].name) : !tests[i].by_default)
      continue;
    const char *err = tests[i].fn();
    ran++;
    if (err) {
      failed++;
      kprintf("selftest %s: FAIL: %s\n", tests[i].name, err);
    } else {
      kprintf("selftest %s: OK\n", tests[i].name);
    }
  }
  if (ran == 0) {
    kprintf("selftest: no test named '%s'; tests are:", which);
    for (uint i = 0; i < NELEM(tests); i++)
      kprintf(" %s", tests[i].name);
    kprintf("\n");
    return 1;
  }
  kprintf("selftest: %d run, %d failed\n", ran, failed);
  return failed;
}
