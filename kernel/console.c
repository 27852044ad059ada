// console.c: the system console: output to the serial line and the VGA screen,
// input from the serial line into a small buffer. A hook lets the layer above
// (vmos's monitor) see each input character first, e.g. to catch a hotkey or to
// send the character to the VM with focus.
#include "types.h"
#include "defs.h"
#include "x86.h"

#define INBUF 256

static struct {
  char buf[INBUF];
  uint r, w;                  // read and write positions; w - r characters wait
} in;
static int (*input_hook)(int c);

void
console_init(void)
{
  uart_init();
  vga_init();
}

void
console_putc(int c)
{
  if (c == '\n')
    uart_putc('\r');
  uart_putc(c);
  vga_putc(c);
}

void
console_write(const char *s, uint n)
{
  for (uint i = 0; i < n; i++)
    console_putc(s[i]);
}

void
console_set_input_hook(int (*hook)(int c))
{
  input_hook = hook;
}

// Called with interrupts off from the UART's interrupt handler.
void
console_input(int c)
{
  if (input_hook && input_hook(c))
    return;                   // the hook consumed it
  if (in.w - in.r < INBUF)
    in.buf[in.w++ % INBUF] = c;
}

// The host runs with interrupts off; only here, waiting for a key, does it
// let them in (sti; hlt is atomic: no interrupt is lost between the two).
int
console_getc(void)
{
  while (in.r == in.w) {
    sti();
    hlt();
    cli();
  }
  return in.buf[in.r++ % INBUF];
}

int
console_readline(char *buf, int n)
{
  int len = 0;
  for (;;) {
    int c = console_getc();
    if (c == '\r' || c == '\n') {
      console_putc('\n');
      break;
    }
    if (c == '\b' || c == 0x7F) {
      if (len > 0) {
        len--;
        console_write("\b \b", 3);
      }
      continue;
    }
    if (c < ' ' || len >= n - 1)
      continue;
    buf[len++] = c;
    console_putc(c);
  }
  buf[len] = 0;
  return len;
}
