// monitor.c: the host's prompt on the system console. A table of commands, each
// a name, a line of help and a function; `help` prints the table. This is where
// an operator looks at and steers the machine (later: the VMs).
#include "types.h"
#include "defs.h"
#include "param.h"
#include "vmos/vmos.h"

#define MAXARGS 8

static int cmd_help(int argc, char **argv);

static int
cmd_mem(int argc, char **argv)
{
  uint total = kalloc_total_pages(), free = kalloc_free_pages();
  kprintf("pages: %u total, %u free, %u in use (4 KiB each; %u KiB free)\n",
          total, free, total - free, free * 4);
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

static const struct {
  const char *name;
  const char *help;
  int (*fn)(int argc, char **argv);
} commands[] = {
  { "help", "list the commands", cmd_help },
  { "mem", "machine pages: total, free, in use", cmd_mem },
  { "ticks", "host timer ticks since boot", cmd_ticks },
  { "reboot", "reset the machine", cmd_reboot },
  { "halt", "power the machine off", cmd_halt },
};

static int
cmd_help(int argc, char **argv)
{
  for (uint i = 0; i < NELEM(commands); i++)
    kprintf("  %-8s %s\n", commands[i].name, commands[i].help);
  return 0;
}

static int
split(char *line, char **argv)
{
  int argc = 0;
  for (char *p = line; *p; ) {
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
run(char *line)
{
  char *argv[MAXARGS];
  int argc = split(line, argv);
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

void
monitor_run(void)
{
  static char line[MONLINE_MAX];
  kprintf("vmos monitor: type 'help' for the commands\n");
  for (;;) {
    kprintf("vmos> ");
    console_readline(line, sizeof(line));
    run(line);
  }
}
