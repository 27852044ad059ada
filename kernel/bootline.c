// bootline.c: the boot line (the multiboot command line, `-append` in QEMU):
// words of the form name or name=value. Each valid option is declared with
// BOOTOPT() next to the code that reads it; the declarations are collected in
// the `bootopts` section, so this file can list them when it meets an unknown
// word, and boot on with the defaults.
#include "types.h"
#include "defs.h"
#include "param.h"

#define MAXWORDS 64
#define LINELEN CMDLINE_MAX

extern const struct bootopt __start_bootopts[], __stop_bootopts[];

static char text[LINELEN];        // the boot line as given, for the banner
static char words[LINELEN];       // the same, split into NUL-terminated words
static char *names[MAXWORDS];
static char *values[MAXWORDS];
static int nwords;

static const struct bootopt*
find(const char *name)
{
  for (const struct bootopt *o = __start_bootopts; o < __stop_bootopts; o++)
    if (strcmp(o->name, name) == 0)
      return o;
  return 0;
}

static void
list_valid(void)
{
  kprintf("valid boot options:\n");
  for (const struct bootopt *o = __start_bootopts; o < __stop_bootopts; o++)
    kprintf("  %-12s %s\n", o->name, o->help);
}

// cmdline is the loader's line as mem_init copied it; full_len its length as
// the loader gave it. A line too long for the copy is cut at the last whole
// word, and the cut is reported: a word cut in half (stopafter=1000 read as
// stopafter=10) would be worse than one dropped.
void
bootline_init(const char *cmdline, u32 full_len)
{
  const char *start = cmdline;
  // The loader puts the kernel's own file name first (multiboot convention).
  while (*cmdline == ' ')
    cmdline++;
  while (*cmdline && *cmdline != ' ')
    cmdline++;
  while (*cmdline == ' ')
    cmdline++;
  safestrcpy(text, cmdline, sizeof(text));
  u32 kept = strlen(text), given = full_len - (cmdline - start);
  if (given > kept) {
    uint cut = kept;
    while (cut > 0 && text[cut - 1] != ' ')
      cut--;                          // the word that was cut goes whole
    kprintf("boot line: %u characters, more than the %u read: everything from '%s...' "
            "on is ignored\n", given, kept, text + cut);
    text[cut] = 0;
  }
  safestrcpy(words, text, sizeof(words));

  int bad = 0, dropped = 0;
  char *p = words;
  while (*p) {
    while (*p == ' ')
      *p++ = 0;
    if (*p == 0)
      break;
    char *name = p, *value = "";
    while (*p && *p != ' ' && *p != '=')
      p++;
    if (*p == '=') {
      *p++ = 0;
      value = p;
      while (*p && *p != ' ')
        p++;
    }
    if (*p)
      *p++ = 0;
    if (!find(name)) {
      kprintf("boot line: unknown option '%s' (ignored)\n", name);
      bad = 1;
    } else if (nwords == MAXWORDS) {
      if (dropped++ == 0)
        kprintf("boot line: more than %d options: '%s' and those after it are ignored\n",
                MAXWORDS, name);
    } else {
      names[nwords] = name;
      values[nwords] = value;
      nwords++;
    }
  }
  if (bad)
    list_valid();
}

const char*
bootline_text(void)
{
  return text;
}

// The last value given for name wins.
const char*
bootline_get(const char *name)
{
  const char *v = 0;
  for (int i = 0; i < nwords; i++)
    if (strcmp(names[i], name) == 0)
      v = values[i];
  return v;
}

uint
bootline_uint(const char *name, uint dflt)
{
  return bootline_uint_range(name, dflt, 0, 0xFFFFFFFF);
}

// A number from lo to hi; anything else is reported and dflt used instead.
uint
bootline_uint_range(const char *name, uint dflt, uint lo, uint hi)
{
  const char *v = bootline_get(name);
  uint n;
  if (v == 0)
    return dflt;
  if (!parse_uint(v, &n)) {
    kprintf("boot line: %s=%s is not a number, using %u\n", name, v, dflt);
    return dflt;
  }
  if (n < lo || n > hi) {
    kprintf("boot line: %s=%s is out of range (%u to %u), using %u\n", name, v, lo, hi,
            dflt);
    return dflt;
  }
  return n;
}
