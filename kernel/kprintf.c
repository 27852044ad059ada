// kprintf.c: formatted output for the host: kprintf to the console, ksnprintf
// into a buffer. Understands %d %u %x %p %s %c %% with an optional width and
// '0' or '-' flag, which is all vmos uses.
//
// The text of a %s or %c argument is printed *safe*: a control character or a
// byte above 0x7E becomes '?'. Every string the host prints that a guest or the
// boot line supplied (VM and module names, a guest's exit reason or mark label)
// is an argument, never the format, so no guest can end a host line, start one
// of its own ("\r\nvmos: stopped VM 1 ..."), or send the terminal an escape
// sequence (clear the screen, set its title). The host's own text can: the
// format, and a %s argument that is one of the host's constant strings (in its
// read-only image, below `data` in kernel/kernel.ld), such as a "\n" chosen
// by a ?: in the arguments.
#include "types.h"
#include "defs.h"
#include "memlayout.h"

// c as it may reach the screen from a string argument.
int
kprint_safe(int c)
{
  c &= 0xFF;
  return (c >= ' ' && c < 0x7F) || c == '\t' ? c : '?';
}

extern char data[];              // kernel/kernel.ld: the end of the read-only image

// Is s one of the host's constant strings? (Nothing a guest or the boot line
// supplies is there: names, guest text and boot-line words are all copied into
// data, bss or a stack.)
static int
host_constant(const char *s)
{
  return (uint)s >= KERNLINK && (uint)s < (uint)data;
}

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
      out(kprint_safe(__builtin_va_arg(ap, int)), arg);
      break;
    case 's': {
      const char *s = __builtin_va_arg(ap, const char *);
      if (s == 0)
        s = "(null)";
      int n = strlen(s);
      if (!left)
        for (; width > n; width--)
          out(' ', arg);
      int own = host_constant(s);
      for (; *s; s++)
        out(own ? *s : kprint_safe(*s), arg);
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

// kprintf collects its text and hands it to the console in pieces: one call
// of console_write per 128 bytes, not per character (each character is a trip
// to the devices, and the console redraws an open line once per piece).
struct kbuf {
  char b[128];
  uint n;
};

static void
kbuf_out(int c, void *arg)
{
  struct kbuf *k = arg;
  k->b[k->n++] = c;
  if (k->n == sizeof(k->b)) {
    console_write(k->b, k->n);
    k->n = 0;
  }
}

void
vkprintf(const char *fmt, __builtin_va_list ap)
{
  struct kbuf k;
  k.n = 0;
  vformat(kbuf_out, &k, fmt, ap);
  console_write(k.b, k.n);
}

void
kprintf(const char *fmt, ...)
{
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  vkprintf(fmt, ap);
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
