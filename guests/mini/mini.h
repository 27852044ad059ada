// mini.h: mini's kernel: its trap frame and its functions, by file.
// mini is the tiny guest OS of vmos (design.md section 10): its kernel runs in
// ring 1 with no page tables of its own (the host maps its memory at FLAT_BASE),
// its tasks in ring 3 on the user pages from FLAT_USER up.
#ifndef MINI_H
#define MINI_H
#include "vmos/abi.h"

typedef unsigned int uint;

// What entry.S pushes on a trap, lowest address first. TF_* in entry.S match.
struct tf {
  uint edi, esi, ebp, oesp, ebx, edx, ecx, eax;   // pushal
  uint gs, fs, es, ds;
  uint trapno, err;
  uint eip, cs, eflags;
  uint esp, ss;                                   // only from ring 3
};

#define NTASK 11
#define SYSCALL_VECTOR 0x30

// idle.c
void idle_clock_init(void);    // after HC_SET_TIMER: its clock on the host's
void idle(void);               // nothing to run: wait (HC_IDLE, or spin: idle=spin)
void idletest(void);           // mini-idletest's tests of HC_IDLE (grade/idle.py)

// hostile.c
void hostile_kernel(void);     // a test variant's attack on the host; else nothing
int  hostile_fault(struct tf *tf);   // 1: a fault of its kernel the attack expected

// balloon.c
void balloon_init(void);       // tell the host it has a balloon driver
void balloon_tick(void);       // at each timer tick: towards the host's target
uint balloon_free_lo(void);    // the pages no part of mini uses: [lo, hi)
uint balloon_free_hi(void);

// sharetest.c
void sharetest_boot(void);     // mini-share: fill its test pages (grade/share.py)
void sharetest_line(const char *s);   // ... and do what a line typed to it says

// console.c
void kprintf(const char *fmt, ...);
void kputs(const char *s, uint n);
void console_intr(void);

// entry.S
extern char iret_start[], iret_end[];
void start_task(struct tf *frame) __attribute__((noreturn));

// hcall.h has the hypercalls. main.c:
extern union sharedpage {      // the page the host shares (HC_SET_SHARED)
  struct vm_shared s;          // vif is its first word (entry.S relies on it)
  char page[4096];
} shared;
extern struct vm_info info;
uint memtop(void);

// syscall.c
void syscall(struct tf *tf);

// task.c
struct task {
  int pid;
  const char *name;
  void (*entry)(void);
  enum { T_UNUSED, T_RUNNABLE, T_SLEEPING, T_DEAD } state;
  uint wake;                   // tick to wake at, when sleeping
  struct tf tf;                // its registers while another task runs
};
extern struct task tasks[NTASK];
extern struct task *cur;
extern int ntasks;
extern uint ticks;
extern char kstack[8192];     // the one ring-1 stack for traps from tasks
void task_init(void);
uint task_stacks_low(void);    // the lowest address of the tasks' stacks
void task_start(void) __attribute__((noreturn));
void task_tick(struct tf *tf);
void task_exit(struct tf *tf, int code);
void task_kill(struct tf *tf, const char *why);
void task_sleep(struct tf *tf, uint n);
void task_yield(struct tf *tf);

// trap.c
void trap(struct tf *tf);
void trap_init(void);
const char *trap_name(uint trapno);

// string helpers (console.c)
uint strlen(const char *s);

#endif
