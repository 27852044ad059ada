// vga.c: the VGA text screen (80x25 at physical 0xB8000), the console's second
// output so that `make qemu`'s window shows what the serial line shows.
//
// Under QEMU the text memory is emulated: every 16-bit store is two traps into
// the VGA model, and so is every write of a CRT controller register. Moving 24
// rows up at each newline (4000 bytes read and written) made the screen cost
// five times what the serial line costs per byte. So the screen scrolls in
// hardware instead: the text window holds 16384 cells (204 rows); the CRT
// controller's start address moves down a row at each scroll and only the new
// row is blanked; at the window's end the 24 rows shown are copied back to its
// top (once every 180 rows). The cursor is moved once per write, not per byte.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "memlayout.h"

#define COLS 80
#define ROWS 25
#define CELLS 16384           // the text window, 0xB8000-0xBFFFF
#define ATTR 0x0700           // light grey on black
#define CRTC 0x3D4
#define CRTC_START_HI  0x0C   // first cell shown
#define CRTC_START_LO  0x0D
#define CRTC_CURSOR_HI 0x0E
#define CRTC_CURSOR_LO 0x0F

static u16 *mem;              // the text window
static uint origin;           // cell shown at the top left (a multiple of COLS)
static uint pos;              // cursor, in cells from origin (< COLS * ROWS)
static uint shown_origin;     // origin as the CRT controller has it

static void
crtc(int reg, int v)
{
  outb(CRTC, reg);
  outb(CRTC + 1, v);
}

static void
blank(uint cell, uint n)
{
  for (uint i = 0; i < n; i++)
    mem[cell + i] = ATTR | ' ';
}

void
vga_init(void)
{
  mem = P2V(0xB8000);
  origin = pos = shown_origin = 0;
  blank(0, COLS * ROWS);
  crtc(CRTC_START_HI, 0);
  crtc(CRTC_START_LO, 0);
  crtc(CRTC_CURSOR_HI, 0);
  crtc(CRTC_CURSOR_LO, 0);
}

// The cursor left the last row: show one row further down.
static void
scroll(void)
{
  if (origin + COLS * (ROWS + 1) > CELLS) {
    memmove(mem, mem + origin + COLS, sizeof(mem[0]) * COLS * (ROWS - 1));
    origin = 0;
  } else {
    origin += COLS;
  }
  blank(origin + COLS * (ROWS - 1), COLS);
  pos -= COLS;
}

void
vga_write(const char *s, uint n)
{
  if (mem == 0)
    return;
  for (uint i = 0; i < n; i++) {
    int c = s[i] & 0xFF;
    if (c == '\n')
      pos += COLS - pos % COLS;
    else if (c == '\r')
      pos -= pos % COLS;
    else if (c == '\b') {
      if (pos % COLS > 0)
        pos--;
    } else
      mem[origin + pos++] = ATTR | c;
    if (pos >= COLS * ROWS)
      scroll();
  }
  if (origin != shown_origin) {
    crtc(CRTC_START_HI, origin >> 8);
    crtc(CRTC_START_LO, origin & 0xFF);
    shown_origin = origin;
  }
  uint cursor = origin + pos;
  crtc(CRTC_CURSOR_HI, cursor >> 8);
  crtc(CRTC_CURSOR_LO, cursor & 0xFF);
}

// Copy the characters of one screen row (as shown) into buf (for the self-test).
void
vga_row(int row, char *buf, int n)
{
  int i;
  for (i = 0; i < n - 1 && i < COLS && mem; i++)
    buf[i] = mem[origin + row * COLS + i] & 0xFF;
  buf[i] = 0;
}
