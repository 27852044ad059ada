// console.c: the kernel's console: cprintf (%d %x %p %s %c) and panic, over
// pv_putc (the UART on bare QEMU, the host's console under vmos).
#include "xv6a.h"
#include "pv.h"

static void
printint(int xx, int base, int sign)
{
  char buf[16];
  uint x = (sign && xx < 0) ? -xx : xx;
  int i = 0;
  do
    buf[i++] = "0123456789abcdef"[x % base];
  while ((x /= base) != 0);
  if (sign && xx < 0)
    buf[i++] = '-';
  while (--i >= 0)
    pv_putc(buf[i]);
}

void
cprintf(const char *fmt, ...)
{
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      pv_putc(*fmt);
      continue;
    }
    switch (*++fmt) {
    case 'd': printint(__builtin_va_arg(ap, int), 10, 1); break;
    case 'x': case 'p': printint(__builtin_va_arg(ap, int), 16, 0); break;
    case 'c': pv_putc(__builtin_va_arg(ap, int)); break;
    case 's': {
      const char *s = __builtin_va_arg(ap, const char *);
      for (s = s ? s : "(null)"; *s; s++)
        pv_putc(*s);
      break;
    }
    case 0: fmt--; break;
    default: pv_putc('%'); pv_putc(*fmt); break;
    }
  }
  __builtin_va_end(ap);
}

void
panic(const char *s)
{
  pv_cli();
  cprintf("xv6a: panic: %s\n", s);
  pv_exit(1, s);
}
