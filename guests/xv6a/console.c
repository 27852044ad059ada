// console.c: the kernel's console: cprintf (%d %x %p %s %c) and panic, over
// pv_putc (the UART on bare QEMU, the host's console under vmos), and the
// console device (major CONSOLE) that processes read lines from and write to.
#include "xv6a.h"
#include "pv.h"
#include "proc.h"
#include "file.h"

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

#define INPUT_BUF 128
static struct {
  char buf[INPUT_BUF];
  uint r, w, e;                  // read, written (complete lines), edit positions
} input;

// Characters typed: edit the line, echo, and wake readers at the end of a line.
void
consoleintr_poll(void)
{
  int c;
  while ((c = pv_getc()) >= 0) {
    if (c == '\r')
      c = '\n';
    if (c == 0x10) {             // ^P: the processes and the disk, as xv6's
      procdump();
      continue;
    }
    if (c == 0x7F || c == '\b') {
      if (input.e != input.w) {
        input.e--;
        pv_putc('\b');
      }
      continue;
    }
    if (c == 0 || input.e - input.r >= INPUT_BUF)
      continue;
    input.buf[input.e++ % INPUT_BUF] = c;
    if (c != 4)                  // ^D: end of file, not shown
      pv_putc(c);
    if (c == '\n' || c == 4 || input.e == input.r + INPUT_BUF) {
      input.w = input.e;
      wakeup(&input.r);
    }
  }
}

// A line (or n bytes) of input. The console's inode is not held meanwhile:
// while one process waits for a line, others write to the console.
static int
consoleread(struct inode *ip, char *dst, int n)
{
  int target = n;
  iunlock(ip);
  while (n > 0) {
    while (input.r == input.w) {
      if (curproc->killed) {
        ilock(ip);
        return -1;
      }
      sleep(&input.r);
    }
    int c = input.buf[input.r++ % INPUT_BUF];
    if (c == 4) {                // ^D: end of file (kept for the next read if data came first)
      if (n < target)
        input.r--;
      break;
    }
    *dst++ = c;
    --n;
    if (c == '\n')
      break;
  }
  ilock(ip);
  return target - n;
}

static int
consolewrite(struct inode *ip, char *buf, int n)
{
  for (int i = 0; i < n; i++)
    pv_putc(buf[i] & 0xFF);
  return n;
}

void
consoleinit(void)
{
  devsw[CONSOLE].read = consoleread;
  devsw[CONSOLE].write = consolewrite;
}
