// vdev_console.c: each VM's virtual console. Output (HC_CONSOLE_WRITE) is
// collected per VM and printed a line at a time on the system console, tagged
// with the VM's name and id, `[mini.2] `, so interleaved guests stay readable.
// Input typed on the system console goes to the VM with focus (monitor `focus
// N`), which gets a virtual interrupt (VIRQ_CONSOLE) and reads it with
// HC_CONSOLE_READ. Lab 1 reads it; nothing here is a lab exercise.
//
// Three rules make the system console read like a terminal:
// - The VM with focus may have an unfinished line on the screen (a shell's
//   prompt and the echo of what is typed): it is the console's *open line*
//   (kernel/console.c), which other VMs' lines never break: they print above it
//   and it is drawn again below them, whole.
// - While the operator is in the monitor, guests' lines are held (the last
//   CONS_HELD bytes of them, in order) and printed before the next command's
//   answer or when the monitor is left, so a prompt and its answer are never
//   mixed with them. Each VM also keeps its last lines (`log N`).
// - Output costs the writer. A byte to the screens costs about 2 us of host
//   time under QEMU (kernel/uart.c, kernel/vga.c), spent in the writer's own
//   hypercall, so the host tick that falls in it is charged to the writer's
//   slice; one call takes at most CONSOLE_WRITE_MAX bytes, so it never holds
//   the host for long; and a VM gets CONS_RATE bytes a tick (CONS_BURST at
//   once): beyond that its writes are cut short, counted (monitor `console`)
//   and said on the console. A guest that floods gets its own share of the CPU
//   and a trickle of the screen; the others keep theirs.
#include "types.h"
#include "defs.h"
#include "param.h"
#include "mmu.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

#define CONS_HELD 8192       // guests' lines held while the monitor is open (all VMs)

struct vm *focus;            // the VM that gets what is typed
static struct vm *open_vm;   // whose unfinished line is the console's open line

// Lines held while the monitor has the keyboard, in the order they were
// written: each two bytes with its VM's index (MAXVMS is more than a byte
// holds), its text, '\n'. When full, the
// oldest go (and are counted as never shown: the VM's log still has them).
static char hold[CONS_HELD];
static uint hold_r, hold_w;  // bytes ever taken out, put in
static uint hold_lost;       // lines dropped since the last release

_Static_assert(MAXVMS <= 65536, "a held line names its VM in two bytes");

// The VM of the held line that starts at hold_r (its two index bytes, taken).
static struct vm*
hold_take_vm(void)
{
  uint lo = (u8)hold[hold_r++ % CONS_HELD];
  uint hi = (u8)hold[hold_r++ % CONS_HELD];
  return &vms[lo | hi << 8];
}

static int
held(void)
{
  return monitor_active();
}

static void
tag(struct vm *vm, char *buf, int n)
{
  ksnprintf(buf, n, "[%s.%d] ", vm->name, vm->id);
}

// ---- output ----

// Print one line of vm's, tagged: text[0..n) and a newline.
static void
print_line(struct vm *vm, const char *text, uint n)
{
  char line[VMNAME + 16 + CONS_LINE];
  tag(vm, line, sizeof(line));
  uint k = strlen(line);
  memmove(line + k, text, n);
  line[k + n] = '\n';
  console_write(line, k + n + 1);
}

// Drop the oldest held line.
static void
unhold_oldest(void)
{
  hold_take_vm()->cons.unshown++;
  while (hold[hold_r++ % CONS_HELD] != '\n')
    ;
  hold_lost++;
}

static void
hold_line(struct vm *vm, const char *text, uint n)
{
  while (CONS_HELD - (hold_w - hold_r) < n + 3)
    unhold_oldest();
  uint idx = vm - vms;
  hold[hold_w++ % CONS_HELD] = idx & 0xFF;
  hold[hold_w++ % CONS_HELD] = idx >> 8;
  for (uint i = 0; i < n; i++)
    hold[hold_w++ % CONS_HELD] = text[i];
  hold[hold_w++ % CONS_HELD] = '\n';
}

// Print the held lines, oldest first.
static void
unhold_all(void)
{
  while (hold_r != hold_w) {
    struct vm *vm = hold_take_vm();
    char text[CONS_LINE];
    uint n = 0;
    char c;
    while ((c = hold[hold_r++ % CONS_HELD]) != '\n')
      if (n < sizeof(text))
        text[n++] = c;
    print_line(vm, text, n);
  }
  if (hold_lost) {
    kprintf("vmos: %u earlier guest lines not shown (held while the monitor was open); "
            "`log N` in the monitor shows VM N's last lines\n", hold_lost);
    hold_lost = 0;
  }
}

// The line vm was writing is complete.
static void
line_done(struct vm *vm)
{
  // Its scrollback is a page of the host's, taken now: a VM that never says
  // anything (one of 1,024, say) costs no page for it, and the table of all
  // VMs is half as big (issue 11). No page to be had: its lines go unkept.
  _Static_assert(CONS_LOG <= PGSIZE, "a VM's scrollback is one page");
  if (vm->log == 0)
    vm->log = kalloc();
  for (uint i = 0; vm->log && i < vm->nout; i++)
    vm->log[vm->log_end++ % CONS_LOG] = vm->out[i];
  if (vm->log)
    vm->log[vm->log_end++ % CONS_LOG] = '\n';
  vm->lines++;
  if (open_vm == vm) {           // on the screen already: finish it there
    console_line_write(vm->out + vm->nshown, vm->nout - vm->nshown);
    console_line_end();
    open_vm = 0;
  } else if (held()) {
    hold_line(vm, vm->out, vm->nout);
  } else {
    print_line(vm, vm->out, vm->nout);
  }
  vm->nout = vm->nshown = 0;
}

// vm's line is no longer the open one (the monitor took the console, or the
// focus moved): it stays on the screen as it is; all of it is drawn again,
// tag first, when it is open next.
static void
close_open(void)
{
  if (open_vm == 0)
    return;
  console_line_end();
  open_vm->nshown = 0;
  open_vm = 0;
}

// vm has focus and an unfinished line: make it the open line, up to date.
static void
show_open(struct vm *vm)
{
  if (open_vm != vm) {
    close_open();
    char t[VMNAME + 16];
    tag(vm, t, sizeof(t));
    console_line_begin(t);
    open_vm = vm;
    vm->nshown = 0;
  }
  console_line_write(vm->out + vm->nshown, vm->nout - vm->nshown);
  vm->nshown = vm->nout;
}

void
cons_write(struct vm *vm, const char *buf, uint n)
{
  for (uint i = 0; i < n; i++) {
    char c = buf[i];
    if (c == '\n') {
      line_done(vm);
      continue;
    }
    if (c == '\r')
      continue;
    if (c == '\b') {             // rub out the last character of this line
      if (vm->nout > 0 && --vm->nout < vm->nshown && open_vm == vm) {
        vm->nshown--;
        console_line_rubout();
      }
      continue;
    }
    vm->out[vm->nout++] = kprint_safe(c);   // no escape sequences onto the console
    if (vm->nout == CONS_LINE - 1)
      line_done(vm);
  }
  if (vm == focus && !held() && vm->nout > vm->nshown)
    show_open(vm);
}

// Print what vm has written and not shown (it stops, or the machine does):
// its unfinished line, and whatever is held, lest it be lost.
void
cons_flush(struct vm *vm)
{
  if (vm->nout > 0 || open_vm == vm)
    line_done(vm);
  unhold_all();
}

// vm waits (for input, say) with an unfinished line: show it now, so that a
// prompt appears before the user types and what they type appears after it.
void
cons_show_partial(struct vm *vm)
{
  if (vm == focus && !held() && vm->nout > 0)
    show_open(vm);
}

// The monitor takes the console: the open line is left as it is and guests'
// lines are held until cons_release.
void
cons_hold(void)
{
  close_open();
}

// Print the guests' held lines (before a monitor command's answer, and when
// the monitor is left), then the focused VM's unfinished line if it may be open.
void
cons_release(void)
{
  unhold_all();
  if (!held() && focus && focus->nout > 0)
    show_open(focus);
}

// The focus moves to vm (the monitor's `focus N`; vm is not stopped).
void
cons_focus(struct vm *vm)
{
  if (open_vm && open_vm != vm)
    close_open();
  focus = vm;
}

// How much of an n-byte write vm may make now: at most CONSOLE_WRITE_MAX, and
// what its rate allows. Bytes beyond the rate are turned away and counted, and
// the host says so on the console (once a second at most).
uint
cons_take(struct vm *vm, uint n)
{
  uint want = n < CONSOLE_WRITE_MAX ? n : CONSOLE_WRITE_MAX;
  uint paid = (ticks - vm->cons_paid) * CONS_RATE;
  if (ticks - vm->cons_paid > CONS_BURST / CONS_RATE || paid >= vm->cons_debt)
    vm->cons_debt = 0;
  else
    vm->cons_debt -= paid;
  vm->cons_paid = ticks;
  uint left = CONS_BURST - vm->cons_debt;
  uint take = want < left ? want : left;
  vm->cons_debt += take;
  vm->cons.bytes += take;
  if (take < want) {
    vm->cons.cut++;
    vm->cons.turned_away += want - take;
    if (!held() && (vm->cons_told == 0 || ticks - vm->cons_told >= HZ)) {
      vm->cons_told = ticks ? ticks : 1;
      kprintf("vmos: VM %d (%s.%d) writes to its console faster than %u bytes/s: "
              "%u writes cut short, %u bytes turned away so far (monitor: console)\n",
              vm->id, vm->name, vm->id, CONS_RATE * HZ, vm->cons.cut, vm->cons.turned_away);
    }
  }
  return take;
}

// The monitor's `log N`: vm's last lines, and its unfinished one.
void
cons_log(struct vm *vm)
{
  uint from = vm->log_end > CONS_LOG ? vm->log_end - CONS_LOG : 0;   // (0 with no page)
  while (from > 0 && from < vm->log_end && vm->log[(from - 1) % CONS_LOG] != '\n')
    from++;
  kprintf("log of VM %d (%s.%d), its last %u bytes:\n", vm->id, vm->name, vm->id,
          vm->log_end - from);
  while (from < vm->log_end) {
    char line[CONS_LINE + 8] = "  | ";
    uint n = 4;
    char c;
    do {
      c = vm->log[from++ % CONS_LOG];
      line[n++] = c;
    } while (c != '\n' && n < sizeof(line));
    console_write(line, n);
  }
  if (vm->nout > 0) {
    console_write("  | ", 4);
    console_write(vm->out, vm->nout);
    console_write(" (unfinished)\n", 14);
  }
}

// The monitor's `console`: what each VM's console took, cut short, left
// unshown, of VMs lo..hi (ids).
void
cons_stats(int lo, int hi)
{
  kprintf("  id name                bytes    lines  cut short  turned away  unshown\n");
  for (int i = lo - 1; i < hi && i < nvms; i++) {
    struct vm *vm = &vms[i];
    char t[VMNAME + 8];
    ksnprintf(t, sizeof(t), "%s.%d", vm->name, vm->id);
    kprintf("  %2d %-15s %9u %8u %10u %12u %8u\n", vm->id, t, vm->cons.bytes,
            vm->lines, vm->cons.cut, vm->cons.turned_away, vm->cons.unshown);
  }
  kprintf("  a VM may write %u bytes a second (%u at once), %u a call\n", CONS_RATE * HZ,
          CONS_BURST, CONSOLE_WRITE_MAX);
}

// ---- input ----

// vm has stopped: what it printed last is shown, and if it had the keyboard,
// the next VM still running gets it (or the monitor, when none is left).
void
cons_stopped(struct vm *vm)
{
  cons_flush(vm);
  if (focus != vm)
    return;
  focus = 0;
  for (int k = 1; k <= nvms && focus == 0; k++) {
    struct vm *next = &vms[(vm->id - 1 + k) % nvms];
    if (next->state != VM_STOPPED && next->state != VM_FREE)
      focus = next;
  }
  if (focus) {
    kprintf("vmos: input now goes to VM %d (%s.%d)\n", focus->id, focus->name, focus->id);
    cons_show_partial(focus);
  } else {
    monitor_activate();
  }
}

// A character typed to the VM with focus (interrupts off).
void
cons_input(int c)
{
  struct vm *vm = focus;
  if (vm == 0 || vm->state == VM_STOPPED || vm->state == VM_FREE)
    return;
  if (c == '\r')
    c = '\n';
  if (vm->in_w - vm->in_r < CONS_IN)
    vm->in[vm->in_w++ % CONS_IN] = c;
  irq_raise(vm, VIRQ_CONSOLE);
}

int
cons_read(struct vm *vm, char *buf, uint n)
{
  uint got = 0;
  while (got < n && vm->in_r != vm->in_w)
    buf[got++] = vm->in[vm->in_r++ % CONS_IN];
  return got;
}
