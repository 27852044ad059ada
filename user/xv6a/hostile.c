// hostile.c: attacks on the host from an ordinary xv6a process, for
// grade/hostile.py (the same attacks come from mini's tasks and kernels, and
// from a paged guest kernel: guests/mini/hostile.c, guests/pgtest). Each
// subcommand tries one way out of the box and says what it saw; under vmos
// every one must end with this process killed by its own kernel (or with a
// line saying the attempt was refused), the shell and the machine running on.
//   hostile ldt       a call gate in the LDT to the host's code selector
//   hostile df        timer ticks and system calls with EFLAGS.DF set
//   hostile switcher  read the switcher region (supervisor pages)
//   hostile priv      every privileged instruction kind and every hypercall
//                     number, each in a child of its own: each child must be
//                     killed by its kernel with a #GP (trap 13), as on bare x86;
//                     then the sensitive instructions ring 3 may run, and what
//                     they show (lab 3: the ones trap-and-emulate cannot catch)
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

// The privileged instructions a kernel uses (lab 3's trap-and-emulate
// emulates them for its kernel, from ring 1 only). Ports: the PIC's and
// COM1's, which no VM is ever given (a pass-mode disk's ports are open to its
// processes too: the I/O bitmap's hole, design.md section 2).
static void p_cli(void) { asm volatile("cli"); }
static void p_sti(void) { asm volatile("sti"); }
static void p_hlt(void) { asm volatile("hlt"); }
static void p_rcr0(void) { uint x; asm volatile("movl %%cr0, %0" : "=r"(x)); }
static void p_wcr0(void) { asm volatile("movl %0, %%cr0" : : "r"(0x80000011)); }
static void p_rcr3(void) { uint x; asm volatile("movl %%cr3, %0" : "=r"(x)); }
static void p_wcr3(void) { asm volatile("movl %0, %%cr3" : : "r"(0)); }
static void p_invlpg(void) { asm volatile("invlpg (%0)" : : "r"(0x1000) : "memory"); }
static void p_lidt(void) { static ushort d[3]; asm volatile("lidt %0" : : "m"(d)); }
static void p_ltr(void) { asm volatile("ltr %w0" : : "r"(0x28)); }
static void p_inb(void) { uchar v; asm volatile("inb $0x21, %0" : "=a"(v)); }
static void p_outb(void) { asm volatile("outb %0, $0x21" : : "a"((uchar)0xFF)); }
static void p_inw(void) { ushort v; asm volatile("inw %1, %0" : "=a"(v) : "d"((ushort)0x3F8)); }
static void p_outl(void) { asm volatile("outl %0, %1" : : "a"(0), "d"((ushort)0x3F8)); }
static void p_insb(void)
{
  static char b[16];
  char *d = b;
  int n = 16;
  asm volatile("cld; rep insb" : "+D"(d), "+c"(n) : "d"((ushort)0x3F8) : "memory");
}
static void p_outsw(void)
{
  static char b[16];
  const char *s = b;
  int n = 8;
  asm volatile("cld; rep outsw" : "+S"(s), "+c"(n) : "d"((ushort)0x3F8));
}

static struct { const char *name; void (*run)(void); } privs[] = {
  { "cli", p_cli }, { "sti", p_sti }, { "hlt", p_hlt }, { "mov-from-cr0", p_rcr0 },
  { "mov-to-cr0", p_wcr0 }, { "mov-from-cr3", p_rcr3 }, { "mov-to-cr3", p_wcr3 },
  { "invlpg", p_invlpg }, { "lidt", p_lidt }, { "ltr", p_ltr }, { "inb", p_inb },
  { "outb", p_outb }, { "inw", p_inw }, { "outl", p_outl }, { "rep-insb", p_insb },
  { "rep-outsw", p_outsw },
};

#define HCALLS 27                    // 0 .. HC_MAX (25, vmos/abi.h) and one past it

// One attempt in a child: it must not come back.
static void
attempt(const char *what, void (*run)(void), int nr)
{
  int pid = fork();
  if (pid < 0) {
    printf(1, "hostile priv: fork failed\n");
    exit();
  }
  if (pid == 0) {
    printf(1, "hostile priv: trying %s\n", what);
    if (run)
      run();
    else
      asm volatile("int $0x82" : : "a"(nr), "b"(0), "c"(0), "d"(0) : "memory");
    printf(1, "hostile priv: %s ran in ring 3 (wrong)\n", what);
    exit();
  }
  wait();
}

static void
priv_attack(void)
{
  char name[16];
  int n = 0;
  for (int i = 0; i < (int)(sizeof(privs) / sizeof(privs[0])); i++, n++)
    attempt(privs[i].name, privs[i].run, 0);
  for (int nr = 0; nr < HCALLS; nr++, n++) {
    strcpy(name, "hypercall-");
    name[10] = '0' + nr / 10;
    name[11] = '0' + nr % 10;
    name[12] = 0;
    attempt(name, 0, nr);
  }
  // What ring 3 may do silently: x86 does not trap these (lab 3's questions).
  uint fl, cs;
  ushort msw, tr;
  struct { ushort limit; uint base; } __attribute__((packed)) gdt, idt;
  asm volatile("pushfl; popl %0" : "=r"(fl));
  asm volatile("movl %%cs, %0" : "=r"(cs));
  asm volatile("sgdt %0" : "=m"(gdt));
  asm volatile("sidt %0" : "=m"(idt));
  asm volatile("smsw %0" : "=r"(msw));
  asm volatile("str %0" : "=r"(tr));
  printf(1, "hostile priv: ring 3 sees: eflags 0x%x (IF %d, IOPL %d), cs 0x%x (ring %d), "
         "gdt 0x%x/%d, idt 0x%x/%d, msw 0x%x, tr 0x%x\n", fl, (fl >> 9) & 1, (fl >> 12) & 3,
         cs, cs & 3, gdt.base, gdt.limit, idt.base, idt.limit, msw, tr);
  printf(1, "hostile priv: %d attempts done\n", n);
}

int
main(int argc, char *argv[])
{
  if (argc != 2) {
    printf(2, "usage: hostile ldt|df|switcher|priv\n");
    exit();
  }
  if (strcmp(argv[1], "ldt") == 0)
    ldt_attack();
  else if (strcmp(argv[1], "df") == 0)
    df_attack();
  else if (strcmp(argv[1], "switcher") == 0)
    switcher_attack();
  else if (strcmp(argv[1], "priv") == 0)
    priv_attack();
  else
    printf(2, "hostile: no attack '%s' (ldt, df, switcher, priv)\n", argv[1]);
  exit();
}
