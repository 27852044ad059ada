// monitor.c: the host's console, the operator's view of the machine. The hotkey
// (Ctrl-], HOTKEY in kernel/param.h) on the system console switches between the
// monitor and the VM with focus. Characters arrive in interrupt context
// (monitor_input); a finished line is run by the scheduler's loop (monitor_poll),
// between two VM entries, so the VMs keep running while the operator types.
// What is typed while a line waits to run is kept and handled after it, in
// order. The prompt is the console's open line (kernel/console.c), and guests'
// lines are held while the monitor has the keyboard (vdev_console.c), so a
// prompt and its answer are never mixed with guest output.
#include "types.h"
#include "defs.h"
#include "param.h"
#include "mmu.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/trace.h"

#define MAXARGS 8
#define TYPEAHEAD 256            // characters kept while a command line waits
#define PROMPT "vmos> "

static int active;               // the monitor, not a VM, gets what is typed
static char line[MONLINE_MAX];
static int len;
static volatile int ready;       // line holds a command to run
static char ahead[TYPEAHEAD];    // typed while it waits, in order
static uint ahead_r, ahead_w;
static uint ahead_lost;          // ... and dropped because that was full

static int cmd_help(int argc, char **argv);

static int
cmd_mem(int argc, char **argv)
{
  uint total = kalloc_total_pages(), free = kalloc_free_pages();
  kprintf("pages: %u total, %u free, %u in use (4 KiB each; %u KiB free)\n",
          total, free, total - free, free * 4);
  if (balloon_pages_out())
    kprintf("ballooned: %u pages given back by running VMs (%u KiB)\n", balloon_pages_out(),
            balloon_pages_out() * 4);
  share_mem();                   // what the VMs were promised, what backs it (share.c)
  return 0;
}

// Page sharing's scan, now: identical pages of all VMs become one (share.c).
static int
cmd_share(int argc, char **argv)
{
  if (argc != 1) {
    kprintf("usage: share   (scan every VM's memory now and share identical pages)\n");
    return -1;
  }
  share_scan(1);
  return 0;
}

static int
cmd_ticks(int argc, char **argv)
{
  uint t = ticks;
  kprintf("ticks: %u (%u.%02u s at %u Hz)\n", t, t / pit_hz(), (t % pit_hz()) * 100 / pit_hz(),
          pit_hz());
  return 0;
}

static int
cmd_reboot(int argc, char **argv)
{
  kprintf("rebooting\n");
  reboot();
}

static int
cmd_halt(int argc, char **argv)
{
  kprintf("powering off\n");
  poweroff();
}

static int
cmd_list(int argc, char **argv)
{
  stats_list();
  return 0;
}

static int
cmd_stats(int argc, char **argv)
{
  stats_print();
  return 0;
}

// The VM named by argv[1], or 0 after saying what is wrong.
static struct vm*
argvm(int argc, char **argv)
{
  uint id;
  struct vm *vm;
  if (argc != 2 || !parse_uint(argv[1], &id)) {
    kprintf("usage: %s N   (N: a VM id from 'list')\n", argv[0]);
    return 0;
  }
  if ((vm = vm_byid(id)) == 0)
    kprintf("%s: no VM %u\n", argv[0], id);
  return vm;
}

static int
cmd_focus(int argc, char **argv)
{
  struct vm *vm = argvm(argc, argv);
  if (vm == 0)
    return -1;
  // A stopped VM reads nothing: focus on it would swallow every key.
  if (vm->state == VM_STOPPED) {
    if (focus)
      kprintf("focus: VM %d (%s.%d) is stopped; input still goes to VM %d (%s.%d)\n",
              vm->id, vm->name, vm->id, focus->id, focus->name, focus->id);
    else
      kprintf("focus: VM %d (%s.%d) is stopped\n", vm->id, vm->name, vm->id);
    return -1;
  }
  cons_focus(vm);
  kprintf("focus: input goes to VM %d (%s.%d)\n", vm->id, vm->name, vm->id);
  return 0;
}

static int
cmd_pause(int argc, char **argv)
{
  struct vm *vm = argvm(argc, argv);
  if (vm == 0)
    return -1;
  if (vm->state != VM_RUNNABLE && vm->state != VM_BLOCKED) {
    kprintf("pause: VM %d is %s\n", vm->id, vm_state_name(vm->state));
    return -1;
  }
  // A paused VM keeps its pending interrupts; resume lets it run again and the
  // scheduler finds out then whether it has work.
  vm->state = VM_PAUSED;
  kprintf("paused VM %d (%s.%d)\n", vm->id, vm->name, vm->id);
  return 0;
}

static int
cmd_resume(int argc, char **argv)
{
  struct vm *vm = argvm(argc, argv);
  if (vm == 0)
    return -1;
  if (vm->state != VM_PAUSED) {
    kprintf("resume: VM %d is %s, not paused\n", vm->id, vm_state_name(vm->state));
    return -1;
  }
  vm->state = VM_RUNNABLE;
  kprintf("resumed VM %d (%s.%d)\n", vm->id, vm->name, vm->id);
  return 0;
}

static int
cmd_stop(int argc, char **argv)
{
  struct vm *vm = argvm(argc, argv);
  if (vm == 0)
    return -1;
  if (vm->state == VM_STOPPED) {
    kprintf("stop: VM %d is already stopped\n", vm->id);
    return -1;
  }
  vm_stop(vm, "stopped from the monitor");
  return 0;
}

static int
cmd_log(int argc, char **argv)
{
  struct vm *vm = argvm(argc, argv);
  if (vm == 0)
    return -1;
  cons_log(vm);
  return 0;
}

static int
cmd_console(int argc, char **argv)
{
  cons_stats();
  return 0;
}

// Leave the monitor: the VM with focus gets the keyboard, guests' held lines
// are printed, then that VM's unfinished line (its prompt) below them.
static int
cmd_cont(int argc, char **argv)
{
  if (focus == 0) {
    kprintf("cont: no VM is left to type to; the monitor keeps the keyboard\n");
    return -1;
  }
  if (console_line_open())
    console_line_end();
  active = 0;
  kprintf("input goes to VM %d (%s.%d); Ctrl-] for the monitor\n", focus->id,
          focus->name, focus->id);
  cons_release();
  return 0;
}

// The scheduling timeline (trace.c): written out through the debug console.
static int
cmd_trace(int argc, char **argv)
{
  int r;
  if (argc == 1)
    r = trace_dump("monitor");
  else if (argc == 2 && (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0))
    r = trace_enable(strcmp(argv[1], "on") == 0);
  else {
    kprintf("usage: trace [on|off]   (trace: write the timeline to QEMU's debug console)\n");
    return -1;
  }
  if (r == TRACE_NONE)
    kprintf("trace: not recording (boot with trace or trace=N)\n");
  return r < 0 ? -1 : 0;
}

// "8M", "512K", "1048576" -> bytes; 0 if that is no size.
static u32
monitor_size(const char *s)
{
  uint v = 0, n = 0;
  for (; s[n] >= '0' && s[n] <= '9'; n++) {
    if (v > 0xFFFFFFFFu / 10 - 9)
      return 0;
    v = v * 10 + (s[n] - '0');
  }
  if (n == 0)
    return 0;
  if ((s[n] == 'M' || s[n] == 'm') && s[n + 1] == 0)
    return v < 4096 ? v << 20 : 0;
  if ((s[n] == 'K' || s[n] == 'k') && s[n + 1] == 0)
    return v < 4096 * 1024 ? v << 10 : 0;
  return s[n] == 0 ? v : 0;
}

// balloon N SIZE: VM N should hold SIZE of its memory (balloon.c); its balloon
// driver gives back or takes what it must, at its own pace.
static int
cmd_balloon(int argc, char **argv)
{
  uint id;
  u32 size;
  struct vm *vm;
  if (argc != 3 || !parse_uint(argv[1], &id)) {
    kprintf("usage: balloon N SIZE   (VM N should hold SIZE of its memory, e.g. 8M, 512K)\n");
    return -1;
  }
  if ((vm = vm_byid(id)) == 0) {
    kprintf("balloon: no VM %u\n", id);
    return -1;
  }
  if (vm->state == VM_STOPPED) {
    kprintf("balloon: VM %d (%s.%d) is stopped\n", vm->id, vm->name, vm->id);
    return -1;
  }
  if (!vm->balloon_driver || vm->shared == 0 || vm->own_shared) {
    kprintf("balloon: VM %d (%s.%d) has no balloon driver (it never said BALLOON_HELLO)\n",
            vm->id, vm->name, vm->id);
    return -1;
  }
  if ((size = monitor_size(argv[2])) == 0) {
    kprintf("balloon: '%s' is not a size (bytes, or a number with K or M)\n", argv[2]);
    return -1;
  }
  if (size > vm->mem_size || size < BALLOON_FLOOR) {
    kprintf("balloon: VM %d (%s.%d) can hold %u KiB to %u KiB, not %u KiB\n", vm->id,
            vm->name, vm->id, BALLOON_FLOOR / 1024, vm->mem_size / 1024, size / 1024);
    return -1;
  }
  balloon_set_target(vm, PGROUNDUP(size));
  kprintf("balloon: VM %d (%s.%d) asked to hold %u KiB of its %u KiB (holds %u KiB now)\n",
          vm->id, vm->name, vm->id, PGROUNDUP(size) / 1024, vm->mem_size / 1024,
          (vm->mem_size / PGSIZE - vm->balloon_pages) * 4);
  return 0;
}

static const struct {
  const char *name;
  const char *help;
  int (*fn)(int argc, char **argv);
} commands[] = {
  { "help", "list the commands", cmd_help },
  { "list", "the VMs: state, CPU share, host entries, world switches", cmd_list },
  { "stats", "counters: host entries by cause, hypercalls, switches", cmd_stats },
  { "focus", "focus N: typing goes to VM N", cmd_focus },
  { "pause", "pause N: VM N stops being scheduled", cmd_pause },
  { "resume", "resume N: a paused VM runs again", cmd_resume },
  { "stop", "stop N: end VM N for good", cmd_stop },
  { "log", "log N: VM N's last lines (its scrollback)", cmd_log },
  { "console", "console output of each VM: bytes, lines, writes cut short by the rate", cmd_console },
  { "cont", "leave the monitor: typing goes to the VM with focus", cmd_cont },
  { "trace", "trace: write the timeline to the debug console (port 0xE9); trace on|off", cmd_trace },
  { "mem", "machine pages: total, free, in use; guest memory promised and shared", cmd_mem },
  { "balloon", "balloon N SIZE: VM N should hold SIZE of its memory (its balloon driver)", cmd_balloon },
  { "share", "scan the VMs' memory now: identical pages become one, copied on write", cmd_share },
  { "ticks", "host timer ticks since boot", cmd_ticks },
  { "reboot", "reset the machine", cmd_reboot },
  { "halt", "power the machine off", cmd_halt },
};

static int
cmd_help(int argc, char **argv)
{
  for (uint i = 0; i < NELEM(commands); i++)
    kprintf("  %-8s %s\n", commands[i].name, commands[i].help);
  kprintf("  Ctrl-] switches between this monitor and the VM with focus\n");
  return 0;
}

static int
split(char *s, char **argv)
{
  int argc = 0;
  for (char *p = s; *p; ) {
    while (*p == ' ' || *p == '\t')
      *p++ = 0;
    if (*p == 0 || argc == MAXARGS)
      break;
    argv[argc++] = p;
    while (*p && *p != ' ' && *p != '\t')
      p++;
  }
  return argc;
}

static void
run(char *s)
{
  char *argv[MAXARGS];
  int argc = split(s, argv);
  if (argc == 0)
    return;
  for (uint i = 0; i < NELEM(commands); i++) {
    if (strcmp(argv[0], commands[i].name) == 0) {
      commands[i].fn(argc, argv);
      return;
    }
  }
  kprintf("unknown command '%s'; the commands are:\n", argv[0]);
  cmd_help(0, 0);
}

// The monitor takes the keyboard: the prompt (and any line typed before) is
// the open line, guests' lines are held.
static void
enter(void)
{
  active = 1;
  cons_hold();
  console_line_begin(PROMPT);
  console_line_write(line, len);
}

// One typed character, in order (interrupts off).
static void
key(int c)
{
  if (c == HOTKEY) {
    if (!active)
      enter();
    else if (cmd_cont(0, 0) < 0)
      enter();                   // nowhere else to go: a fresh prompt
    return;
  }
  if (!active) {
    cons_input(c);
    return;
  }
  if (c == '\r' || c == '\n') {
    line[len] = 0;
    console_line_end();
    ready = 1;
  } else if (c == '\b' || c == 0x7F) {
    if (len > 0) {
      len--;
      console_line_rubout();
    }
  } else if (c >= ' ' && c < 0x7F && len < MONLINE_MAX - 1) {
    line[len++] = c;
    char ch = c;
    console_line_write(&ch, 1);
  }
}

// Every character typed on the system console comes here first (interrupts
// off). While a command line waits for the scheduler's loop to run it, what
// follows is kept, to be handled after it.
int
monitor_input(int c)
{
  if (ready || ahead_r != ahead_w) {
    if (ahead_w - ahead_r < TYPEAHEAD)
      ahead[ahead_w++ % TYPEAHEAD] = c;
    else
      ahead_lost++;
    return 1;
  }
  key(c);
  return 1;
}

// Run a command line if one is complete (from the scheduler's loop), then
// what was typed after it.
void
monitor_poll(void)
{
  while (ready) {
    cons_release();              // guests' lines from while it was typed
    run(line);
    len = 0;
    ready = 0;
    if (active)
      console_line_begin(PROMPT);
    while (!ready && ahead_r != ahead_w)
      key(ahead[ahead_r++ % TYPEAHEAD]);
  }
  if (ahead_lost) {
    kprintf("vmos: monitor: %u typed characters lost (more than %d typed ahead)\n",
            ahead_lost, TYPEAHEAD);
    ahead_lost = 0;
  }
}

int
monitor_active(void)
{
  return active;
}

// The monitor takes the keyboard (no VM is left to type to).
void
monitor_activate(void)
{
  if (!active)
    enter();
}

void
monitor_init(int start_active)
{
  console_set_input_hook(monitor_input);
  if (start_active) {
    kprintf("vmos monitor: type 'help' for the commands\n");
    enter();
  } else {
    kprintf("vmos: input goes to VM %d (%s.%d); Ctrl-] for the monitor\n", focus->id,
            focus->name, focus->id);
  }
}
