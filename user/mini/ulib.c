// ulib.c: the user library of mini's tasks: system-call stubs (int $0x30,
// user/mini/syscall.h) and a printf for %d %x %s that writes one line per call.
#include "user/mini/syscall.h"
#include "user/mini/ulib.h"

static inline int
sys(int nr, int a, int b)
{
  int r;
  asm volatile("int $0x30" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
  return r;
}

int write(const char *buf, int n) { return sys(SYS_write, (int)buf, n); }
int yield(void) { return sys(SYS_yield, 0, 0); }
int getpid(void) { return sys(SYS_getpid, 0, 0); }
int sleep(int ticks) { return sys(SYS_sleep, ticks, 0); }
int uptime(void) { return sys(SYS_uptime, 0, 0); }
unsigned int clock(void) { return sys(SYS_clock, 0, 0); }

void
exit(int code)
{
  for (;;)
    sys(SYS_exit, code, 0);
}

void
printf(const char *fmt, ...)
{
  char b[128];
  int n = 0;
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  for (; *fmt && n < (int)sizeof(b) - 12; fmt++) {
    if (*fmt != '%') {
      b[n++] = *fmt;
      continue;
    }
    fmt++;
    if (*fmt == 's') {
      for (const char *s = __builtin_va_arg(ap, const char *); *s && n < (int)sizeof(b) - 1; s++)
        b[n++] = *s;
    } else if (*fmt == 'd' || *fmt == 'x') {
      unsigned int v = __builtin_va_arg(ap, unsigned int), base = *fmt == 'x' ? 16 : 10;
      char tmp[12];
      int k = 0;
      if (*fmt == 'd' && (int)v < 0) {
        b[n++] = '-';
        v = -v;
      }
      do {
        tmp[k++] = "0123456789abcdef"[v % base];
        v /= base;
      } while (v);
      while (k > 0)
        b[n++] = tmp[--k];
    } else if (*fmt == 0) {
      break;
    }
  }
  __builtin_va_end(ap);
  write(b, n);
}
