// console.c: the system console: output to the serial line and the VGA screen,
// input from the serial line handed to a hook that the layer above installs
// (vmos's monitor, which catches its hotkey and passes the rest to the VM with
// focus).
#include "types.h"
#include "defs.h"
#include "x86.h"

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

// Called with interrupts off from the UART's interrupt handler. Who reads the
// console is the business of the layer above; with no reader, input is dropped.
void
console_input(int c)
{
  if (input_hook)
    input_hook(c);
}
