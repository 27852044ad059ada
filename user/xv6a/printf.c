// printf.c: printf(fd, fmt, ...) with %d %x %p %s %c %%, written a buffer at a
// time (one write for a short line, so lines from processes interleave whole).
#include "types.h"
#include "user.h"

struct out { int fd, n; char b[128]; };

static void
put(struct out *o, char c)
{
  if (o->n == sizeof(o->b)) {
    write(o->fd, o->b, o->n);
    o->n = 0;
  }
  o->b[o->n++] = c;
}

static void
putint(struct out *o, int xx, int base, int sgn)
{
  char buf[16];
  uint x = (sgn && xx < 0) ? -xx : xx;
  int i = 0;
  do
    buf[i++] = "0123456789ABCDEF"[x % base];
  while ((x /= base) != 0);
  if (sgn && xx < 0)
    buf[i++] = '-';
  while (--i >= 0)
    put(o, buf[i]);
}

void
printf(int fd, const char *fmt, ...)
{
  struct out o = { fd, 0 };
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(&o, *fmt);
      continue;
    }
    switch (*++fmt) {
    case 'd': putint(&o, __builtin_va_arg(ap, int), 10, 1); break;
    case 'x': case 'p': putint(&o, __builtin_va_arg(ap, int), 16, 0); break;
    case 'c': put(&o, __builtin_va_arg(ap, int)); break;
    case 's': {
      const char *s = __builtin_va_arg(ap, const char *);
      for (s = s ? s : "(null)"; *s; s++)
        put(&o, *s);
      break;
    }
    case '%': put(&o, '%'); break;
    case 0: fmt--; break;
    default: put(&o, '%'); put(&o, *fmt); break;
    }
  }
  __builtin_va_end(ap);
  if (o.n)
    write(fd, o.b, o.n);
}
