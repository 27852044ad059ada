// console.c: mini's console output: a small printf whose text goes to the host
// through HC_CONSOLE_WRITE (the host tags each line with the VM), and the
// console-input interrupt: what is typed to this VM, echoed back a line at a time.
#include "mini.h"
#include "hcall.h"

uint
strlen(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  return n;
}

void
kputs(const char *s, uint n)
{
  hcall2(HC_CONSOLE_WRITE, s, n);
}

struct buf {
  char b[160];
  uint n;
};

static void
put(struct buf *b, char c)
{
  if (b->n < sizeof(b->b))
    b->b[b->n++] = c;
}

static void
putnum(struct buf *b, uint v, int base)
{
  char tmp[12];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n > 0)
    put(b, tmp[--n]);
}

// %d %u %x %s %c, nothing more.
void
kprintf(const char *fmt, ...)
{
  struct buf b;
  b.n = 0;
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(&b, *fmt);
      continue;
    }
    switch (*++fmt) {
    case 'd': {
      int v = __builtin_va_arg(ap, int);
      if (v < 0) {
        put(&b, '-');
        v = -v;
      }
      putnum(&b, v, 10);
      break;
    }
    case 'u': putnum(&b, __builtin_va_arg(ap, uint), 10); break;
    case 'x': putnum(&b, __builtin_va_arg(ap, uint), 16); break;
    case 'c': put(&b, __builtin_va_arg(ap, int)); break;
    case 's':
      for (const char *s = __builtin_va_arg(ap, const char *); *s; s++)
        put(&b, *s);
      break;
    case 0: fmt--; break;
    default: put(&b, '%'); put(&b, *fmt); break;
    }
  }
  __builtin_va_end(ap);
  kputs(b.b, b.n);
}

// VIRQ_CONSOLE: read what was typed; say back each complete line.
static char line[80];
static uint len;

void
console_intr(void)
{
  char buf[32];
  int n;
  while ((n = hcall2(HC_CONSOLE_READ, buf, sizeof(buf))) > 0) {
    for (int i = 0; i < n; i++) {
      if (buf[i] == '\n') {
        line[len] = 0;
        kprintf("mini: got '%s'\n", line);
        sharetest_line(line);      // mini-share's commands (sharetest.c)
        len = 0;
      } else if (len < sizeof(line) - 1) {
        line[len++] = buf[i];
      }
    }
  }
}
