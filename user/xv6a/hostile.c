// hostile.c: attacks on the host from an ordinary xv6a process, for
// grade/hostile.py (the same attacks come from mini's tasks and kernels, and
// from a paged guest kernel: guests/mini/hostile.c, guests/pgtest). Each
// subcommand tries one way out of the box and says what it saw; under vmos
// every one must end with this process killed by its own kernel (or with a
// line saying the attempt was refused), the shell and the machine running on.
//   hostile ldt       a call gate in the LDT to the host's code selector
//   hostile df        timer ticks and system calls with EFLAGS.DF set
//   hostile switcher  read the switcher region (supervisor pages)
#include "types.h"
#include "user.h"

#define SEL_HCODE 0x08               // the host's code selector (vmos/abi.h)

// The LDT entries we fill: at a low address of our own memory, which a
// reset-state LDTR (base 0, limit 0xFFFF) would take for the LDT itself.
static uint ldt[2] __attribute__((aligned(8)));
volatile uint ring0_cs, ring0_cr3;

// Reached through the gate, in ring 0 if the attack works: note the proof
// and go back to ring 3 (lret pops eip, cs, esp, ss).
void ring0_code(void);
asm(".text\n"
    "ring0_code:\n"
    "  movl %cs, %eax\n"
    "  movl %eax, ring0_cs\n"
    "  movl %cr3, %eax\n"
    "  movl %eax, ring0_cr3\n"
    "  lret\n");

static void
ldt_attack(void)
{
  uint off = (uint)ring0_code, index = (uint)ldt / 8;
  uint sel = index << 3 | 4 | 3;    // TI=1: the LDT; RPL 3
  if ((uint)ldt >= 0x10000 - 8) {
    printf(1, "hostile ldt: our table at 0x%x is not below 64 KiB\n", (uint)ldt);
    exit();
  }
  // A 32-bit call gate, DPL 3, to SEL_HCODE:ring0_code.
  ldt[0] = SEL_HCODE << 16 | (off & 0xFFFF);
  ldt[1] = (off & 0xFFFF0000) | 0x8000 | 3 << 13 | 0xC << 8;
  uint ok;
  asm volatile("lar %1, %0; setz %b0; movzbl %b0, %0" : "=r"(ok) : "r"(sel) : "cc");
  printf(1, "hostile ldt: lar on selector 0x%x: %s\n", sel,
         ok ? "valid (an LDT is live)" : "invalid");
  struct { uint off; ushort sel; } __attribute__((packed)) far = { 0, sel };
  printf(1, "hostile ldt: calling through selector 0x%x\n", sel);
  asm volatile("lcall *%0" : : "m"(far) : "memory", "eax");
  printf(1, "hostile ldt: escaped: ran in ring %d (cs 0x%x, cr3 0x%x)\n", ring0_cs & 3,
         ring0_cs, ring0_cr3);
}

static void
df_attack(void)
{
  volatile uint n = 0;
  printf(1, "hostile df: spinning and calling with DF set\n");
  asm volatile("std" : : : "cc");
  for (uint i = 0; i < (1u << 25); i++)
    n++;                             // timer ticks arrive with DF set
  for (int i = 0; i < 500; i++) {
    asm volatile("std" : : : "cc");
    getpid();                        // system calls with DF set
  }
  asm volatile("cld" : : : "cc");
  printf(1, "hostile df: survived DF\n");
}

static void
switcher_attack(void)
{
  printf(1, "hostile switcher: reading 0xffc00000\n");
  printf(1, "hostile switcher: read 0x%x (wrong)\n", *(volatile uint *)0xFFC00000);
}

int
main(int argc, char *argv[])
{
  if (argc != 2) {
    printf(2, "usage: hostile ldt|df|switcher\n");
    exit();
  }
  if (strcmp(argv[1], "ldt") == 0)
    ldt_attack();
  else if (strcmp(argv[1], "df") == 0)
    df_attack();
  else if (strcmp(argv[1], "switcher") == 0)
    switcher_attack();
  else
    printf(2, "hostile: no attack '%s' (ldt, df, switcher)\n", argv[1]);
  exit();
}
