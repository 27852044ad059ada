// kprintf.c: formatted output for the host: kprintf to the console, ksnprintf
// into a buffer. Understands %d %u %x %p %s %c %% with an optional width and
// '0' or '-' flag, which is all vmos uses.
#include "types.h"
#include "defs.h"

static void
putnum(putc_fn out, void *arg, u32 v, int base, int neg, int width, char pad, int left)
{
  char buf[16];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg)
    buf[n++] = '-';
  int fill = width - n;
  if (!left)
    for (; fill > 0; fill--)
      out(pad, arg);
  while (n > 0)
    out(buf[--n], arg);
  for (; fill > 0; fill--)
    out(' ', arg);
}

void
vformat(putc_fn out, void *arg, const char *fmt, __builtin_va_list ap)
{
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      out(*fmt, arg);
      continue;
    }
    fmt++;
    char pad = ' ';
    int left = 0, width = 0;
    if (*fmt == '-') { left = 1; fmt++; }
    if (*fmt == '0') { pad = '0'; fmt++; }
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
    case 'd': {
      int v = __builtin_va_arg(ap, int);
      putnum(out, arg, v < 0 ? -(u32)v : (u32)v, 10, v < 0, width, pad, left);
      break;
    }
    case 'u':
      putnum(out, arg, __builtin_va_arg(ap, u32), 10, 0, width, pad, left);
      break;
    case 'x':
      putnum(out, arg, __builtin_va_arg(ap, u32), 16, 0, width, pad, left);
      break;
    case 'p':
      out('0', arg);
      out('x', arg);
      putnum(out, arg, __builtin_va_arg(ap, u32), 16, 0, 8, '0', 0);
      break;
    case 'c':
      out(__builtin_va_arg(ap, int), arg);
      break;
    case 's': {
      const char *s = __builtin_va_arg(ap, const char *);
      if (s == 0)
        s = "(null)";
      int n = strlen(s);
      if (!left)
        for (; width > n; width--)
          out(' ', arg);
      for (; *s; s++)
        out(*s, arg);
      for (; width > n; width--)
        out(' ', arg);
      break;
    }
    case '%':
      out('%', arg);
      break;
    case 0:
      return;
    default:             // unknown: print it as written
      out('%', arg);
      out(*fmt, arg);
      break;
    }
  }
}

static void
console_out(int c, void *arg)
{
  (void)arg;
  console_putc(c);
}

void
vkprintf(const char *fmt, __builtin_va_list ap)
{
  vformat(console_out, 0, fmt, ap);
}

void
kprintf(const char *fmt, ...)
{
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  vformat(console_out, 0, fmt, ap);
  __builtin_va_end(ap);
}

struct sbuf {
  char *p;
  int left;
};

static void
sbuf_out(int c, void *arg)
{
  struct sbuf *b = arg;
  if (b->left > 1) {
    *b->p++ = c;
    b->left--;
  }
}

int
kvsnprintf(char *buf, int n, const char *fmt, __builtin_va_list ap)
{
  struct sbuf b = { buf, n };
  vformat(sbuf_out, &b, fmt, ap);
  if (n > 0)
    *b.p = 0;
  return b.p - buf;
}

int
ksnprintf(char *buf, int n, const char *fmt, ...)
{
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  int r = kvsnprintf(buf, n, fmt, ap);
  __builtin_va_end(ap);
  return r;
}
