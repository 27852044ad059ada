// vga.c: the VGA text screen (80x25 at physical 0xB8000), the console's second
// output so that `make qemu`'s window shows what the serial line shows.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "memlayout.h"

#define COLS 80
#define ROWS 25
#define ATTR 0x0700           // light grey on black
#define CRTC 0x3D4

static u16 *screen;
static int pos;               // cursor, in characters from the top left

static void
set_cursor(void)
{
  outb(CRTC, 14);
  outb(CRTC + 1, pos >> 8);
  outb(CRTC, 15);
  outb(CRTC + 1, pos);
}

void
vga_init(void)
{
  screen = P2V(0xB8000);
  for (int i = 0; i < COLS * ROWS; i++)
    screen[i] = ATTR | ' ';
  pos = 0;
  set_cursor();
}

void
vga_putc(int c)
{
  if (screen == 0)
    return;
  if (c == '\n')
    pos += COLS - pos % COLS;
  else if (c == '\b') {
    if (pos > 0)
      screen[--pos] = ATTR | ' ';
  } else if (c == '\r')
    pos -= pos % COLS;
  else
    screen[pos++] = ATTR | (c & 0xFF);
  if (pos >= COLS * ROWS) {   // scroll one line
    memmove(screen, screen + COLS, sizeof(screen[0]) * COLS * (ROWS - 1));
    for (int i = 0; i < COLS; i++)
      screen[COLS * (ROWS - 1) + i] = ATTR | ' ';
    pos -= COLS;
  }
  set_cursor();
}

// Copy the characters of one screen row into buf (for the self-test).
void
vga_row(int row, char *buf, int n)
{
  int i;
  for (i = 0; i < n - 1 && i < COLS && screen; i++)
    buf[i] = screen[row * COLS + i] & 0xFF;
  buf[i] = 0;
}
