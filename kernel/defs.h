// defs.h: every function the host kernel (kernel/) offers, grouped by the file
// that defines it. Read it as a map of kernel/. Nothing here knows about VMs.
#ifndef VMOS_DEFS_H
#define VMOS_DEFS_H
#include "types.h"

struct trapframe;
struct mb_info;
struct gatedesc;
struct dtdesc;

// bootline.c
struct bootopt {                 // one valid boot-line option; see BOOTOPT()
  const char *name;
  const char *help;
};
// Declare a boot-line option next to the code that reads it.
#define BOOTOPT(id, nm, hlp) \
  static const struct bootopt bootopt_##id \
  __attribute__((used, section("bootopts"), aligned(4))) = { nm, hlp }
void        bootline_init(const char *cmdline, u32 full_len);
const char* bootline_get(const char *name);   // value, "" for a bare flag, 0 if absent
const char* bootline_text(void);
uint        bootline_uint(const char *name, uint dflt);
uint        bootline_uint_range(const char *name, uint dflt, uint lo, uint hi);

// console.c
void        console_init(void);
void        console_putc(int c);
void        console_write(const char *s, uint n);
void        console_line_begin(const char *prefix);   // the line being typed on
void        console_line_write(const char *s, uint n);
void        console_line_rubout(void);
void        console_line_end(void);
int         console_line_open(void);
void        console_input(int c);               // from a device's interrupt handler
void        console_set_input_hook(int (*hook)(int c));

// gdt.c
void        gdt_init(void);
void        gdt_tables(u32 *pa, u32 *size);
void        gdt_move(u32 va);
void        tss_set_esp0(u32 esp0);
void        tss_set_stack1(u32 esp1, u16 ss1);
void        iomap_allow(u16 port);
void        iomap_deny(u16 port);

// idt.c
void        idt_init(void);
void        idt_load(void);
void        gate_set(struct gatedesc *g, u32 handler, u16 sel, int dpl, int trapgate);
void        idt_set_gate(int vector, u32 handler, u16 sel, int dpl, int trapgate);
void        idt_reset_gate(int vector);
void        idt_desc(struct dtdesc *d);

// ide.c
#define IDE_NDRIVES 4
void        ide_init(void);
u32         ide_size(int drive);
int         ide_rw(int drive, u32 lba, void *buf, int write);
int         ide_rwn(int drive, u32 lba, void *buf, u32 n, int write);
int         ide_flush(int drive);
extern uint ide_polls;

// kalloc.c
void        kalloc_init(u32 memtop);
void        kalloc_reserve(u32 pa_start, u32 pa_end);
void*       kalloc(void);                // one zeroed 4 KiB page (direct-map address), or 0
void        kfree(void *page);
uint        kalloc_free_pages(void);
uint        kalloc_total_pages(void);

// kprintf.c
typedef void (*putc_fn)(int c, void *arg);
void        vformat(putc_fn out, void *arg, const char *fmt, __builtin_va_list ap);
int         kprint_safe(int c);         // c, or '?' if it must not reach the screen
void        vkprintf(const char *fmt, __builtin_va_list ap);
void        kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int         kvsnprintf(char *buf, int n, const char *fmt, __builtin_va_list ap);
int         ksnprintf(char *buf, int n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// ksyms.c
const char* ksym_lookup(u32 addr, u32 *offset);

// mem.c (multiboot memory)
struct bootmod {                 // a multiboot module (-initrd), kept for vmos
  u32 start, end;                // physical
  char name[64];
};
extern struct bootmod bootmods[];
extern int nbootmods;
u32         mem_init(u32 magic, struct mb_info *mbi, char *cmdline, int cmdline_size,
                     u32 *cmdline_len);

// paging.c
void        paging_init(u32 memtop);
pte_t*      pt_walk(pde_t *pgdir, u32 va, int create);
pte_t*      host_pte(u32 va, int create);
void        host_map(u32 va, u32 pa, u32 perm);
extern pde_t *host_pgdir;

// panic.c
void        panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void        backtrace(u32 ebp);

// pic.c
void        pic_init(void);
void        pic_enable(int irq);
void        pic_disable(int irq);
void        pic_eoi(int irq);
u16         pic_slave_isr(void);
u16         pic_irr(void);

// pit.c
extern volatile uint ticks;
void        pit_init(uint hz);
uint        pit_hz(void);
void        pit_set_hook(void (*fn)(void));

// power.c
#define DEBUG_EXIT_PASS 0x10     // QEMU's isa-debug-exit then exits with (v<<1)|1 = 33
#define DEBUG_EXIT_FAIL 0x11     // ... = 35
void        debug_exit(int code);
void        halt_forever(void) __attribute__((noreturn));
void        reboot(void) __attribute__((noreturn));
void        poweroff(void) __attribute__((noreturn));

// ring.S
struct ringctx { u32 ebx, esi, edi, ebp, esp, eip; };
void        ring_enter(struct trapframe *tf, struct ringctx *ctx);
void        ring_leave(struct ringctx *ctx) __attribute__((noreturn));

// selftest.c
int         selftest_run(const char *which);

// string.c
void*       memset(void *dst, int c, uint n);
void*       memmove(void *dst, const void *src, uint n);
void*       memcpy(void *dst, const void *src, uint n);
int         memcmp(const void *a, const void *b, uint n);
uint        strlen(const char *s);
int         strcmp(const char *a, const char *b);
int         strncmp(const char *a, const char *b, uint n);
char*       strncpy(char *dst, const char *src, int n);
char*       safestrcpy(char *dst, const char *src, int n);
int         parse_uint(const char *s, uint *out);

// trap.c
typedef void (*irq_handler)(void);
void        trap(struct trapframe *tf);
void        irq_register(int irq, irq_handler h);
void        irq_handle(int irq);
void        trap_set_outer_handler(void (*h)(struct trapframe *tf));
const char* trap_name(int trapno);
void        print_trapframe(struct trapframe *tf);

// uart.c
void        uart_init(void);
void        uart_write(const char *s, uint n);

// vga.c
void        vga_init(void);
void        vga_write(const char *s, uint n);
void        vga_row(int row, char *buf, int n);

#endif
