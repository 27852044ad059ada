// console.c: the system console: output to the serial line and the VGA screen,
// input from the serial line handed to a hook that the layer above installs
// (vmos's monitor, which catches its hotkey and passes the rest to the VM with
// focus).
//
// One line can be *open*: the line someone is typing on (a shell's prompt and
// what was typed so far, or the monitor's). Other output never breaks it: the
// open line is rubbed out, the other text printed, and the open line drawn again
// below it, so it reads whole, as in a terminal (readline does the same for
// output that arrives while it edits). The layer above decides whose line is
// open (console_line_*); everything else (console_write, kprintf) goes above it.
#include "types.h"
#include "defs.h"
#include "x86.h"

#define OPEN_MAX 160             // longest open line kept (a tag and a guest's line)

static int (*input_hook)(int c);
static char open[OPEN_MAX];      // the open line's text, prefix included
static uint nopen;
static int opened;               // there is an open line
static int drawn;                // ... and it is on the screen, the cursor at its end
static uint col;                 // the cursor's column in other output (0: line start)

void
console_init(void)
{
  uart_init();
  vga_init();
}

// Bytes to both screens, with '\n' as "\r\n" for the serial line. Batched, as
// every byte to a device is a trap into QEMU (kernel/uart.c, kernel/vga.c).
static void
emit(const char *s, uint n)
{
  char buf[128];
  uint k = 0;
  vga_write(s, n);
  for (uint i = 0; i < n; i++) {
    if (k >= sizeof(buf) - 2) {
      uart_write(buf, k);
      k = 0;
    }
    if (s[i] == '\n')
      buf[k++] = '\r';
    buf[k++] = s[i];
  }
  uart_write(buf, k);
}

static void
emit_spaces(uint n)
{
  static const char sp[16] = "                ";
  for (; n > 16; n -= 16)
    emit(sp, 16);
  emit(sp, n);
}

// Take the open line off the screen (other output goes where it was).
static void
undraw(void)
{
  if (!drawn)
    return;
  emit("\r", 1);
  emit_spaces(nopen);
  emit("\r", 1);
  drawn = 0;
}

// Put the open line back on the screen, below other output.
static void
draw(void)
{
  if (!opened || drawn)
    return;
  if (col != 0) {                // other output ended mid-line: leave it whole
    emit("\n", 1);
    col = 0;
  }
  emit(open, nopen);
  drawn = 1;
}

void
console_write(const char *s, uint n)
{
  if (n == 0)
    return;
  undraw();
  emit(s, n);
  for (uint i = 0; i < n; i++)
    col = s[i] == '\n' ? 0 : col + 1;
  if (col == 0)
    draw();
}

void
console_putc(int c)
{
  char ch = c;
  console_write(&ch, 1);
}

// Open a line that begins with prefix (a prompt, a VM's tag). A line still
// open is finished first.
void
console_line_begin(const char *prefix)
{
  console_line_end();
  nopen = 0;
  for (; *prefix && nopen < OPEN_MAX; prefix++)
    open[nopen++] = *prefix;
  opened = 1;
  draw();
}

// More of the open line (an echo, the rest of a prompt).
void
console_line_write(const char *s, uint n)
{
  if (!opened)
    return;
  draw();
  if (n > OPEN_MAX - nopen)      // no longer than it can be drawn again
    n = OPEN_MAX - nopen;
  memmove(open + nopen, s, n);
  nopen += n;
  emit(s, n);
}

// Rub out the open line's last character (not its prefix: the caller knows).
void
console_line_rubout(void)
{
  if (!opened || nopen == 0)
    return;
  draw();
  nopen--;
  emit("\b \b", 3);
}

// The open line is done: it stays on the screen, the cursor on a new line.
void
console_line_end(void)
{
  if (!opened)
    return;
  draw();
  emit("\n", 1);
  opened = drawn = 0;
  col = 0;
}

int
console_line_open(void)
{
  return opened;
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
