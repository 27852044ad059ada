// task.c: mini's tasks and their round robin. All tasks share one ring-1 stack
// (the kernel never sleeps in the middle of a system call), so a trap from a task
// always leaves its frame at the top of that stack, and switching tasks is
// copying frames: save the running task's, put the next one's in its place, and
// return from the trap into it. With nothing to run, mini idles in the host.
#include "mini.h"
#include "hcall.h"

void spin_main(void);          // user/mini/*.c
void ticker_main(void);
void hello_main(void);
void cli_main(void);
void ldt_main(void);           // user/mini/hostile.c
void df_main(void);
void swreg_main(void);
void tf_main(void);
void dr_main(void);
void tss_main(void);
void sse_main(void);
void fakeirq_main(void);

static const struct {
  const char *name;
  void (*entry)(void);
} programs[] = {
#if !defined(MINI_IDLE) && !defined(MINI_IDLETEST)   // those never compute: they idle
  { "spin", spin_main },
#endif
  { "ticker", ticker_main },
  { "hello", hello_main },
#ifdef MINI_CLI
  { "cli", cli_main },
#endif
#ifdef MINI_TATTACK              // attacks on the host from ring 3 (grade/hostile.py)
  { "ldt", ldt_main },
  { "df", df_main },
  { "swreg", swreg_main },
  { "tf", tf_main },
  { "dr", dr_main },
  { "tss", tss_main },
  { "sse", sse_main },
  { "fakeirq", fakeirq_main },
#endif
};

#define USTACK 16384
#define KFRAME ((struct tf *)(kstack + sizeof(kstack)) - 1)

char kstack[8192] __attribute__((aligned(16)));

struct task tasks[NTASK];
int ntasks;
struct task *cur;
uint ticks;                    // virtual timer ticks seen

void
task_init(void)
{
  for (uint i = 0; i < sizeof(programs) / sizeof(programs[0]) && i < NTASK; i++) {
    struct task *t = &tasks[ntasks++];
    t->pid = ntasks;
    t->name = programs[i].name;
    t->entry = programs[i].entry;
    t->state = T_RUNNABLE;
    t->tf.cs = SEL_UCODE;
    t->tf.ds = t->tf.es = t->tf.fs = t->tf.gs = t->tf.ss = SEL_UDATA;
    t->tf.eip = (uint)t->entry;
    t->tf.esp = memtop() - 4096 - i * USTACK;
    t->tf.eflags = 0x202;      // IF: the task runs with virtual interrupts on
  }
}

// The tasks' stacks take the top of memory, a page below memtop() each
// USTACK below the last: room for NTASK, whatever runs (balloon.c gives
// nothing of it away).
uint
task_stacks_low(void)
{
  return memtop() - 4096 - NTASK * USTACK;
}

// The next runnable task after cur (cur itself last), or 0.
static struct task*
pick(void)
{
  int start = cur ? cur - tasks + 1 : 0;
  for (int k = 0; k < ntasks; k++) {
    struct task *t = &tasks[(start + k) % ntasks];
    if (t->state == T_RUNNABLE)
      return t;
  }
  return 0;
}

// Put the next task's registers into the frame tf (which is at KFRAME).
static void
schedule(struct tf *tf)
{
  struct task *next;
  while ((next = pick()) == 0) {
    int alive = 0;
    for (int i = 0; i < ntasks; i++)
      alive |= tasks[i].state == T_SLEEPING;
    if (!alive) {
      kprintf("mini: no tasks left\n");
      hcall2(HC_EXIT, 0, 0);
    }
    idle();                    // a tick arrives (nested, in trap()) and wakes someone
  }
  cur = next;
  *tf = next->tf;
}

void
task_start(void)
{
  cur = &tasks[0];
  *KFRAME = cur->tf;
  start_task(KFRAME);
}

void
task_tick(struct tf *tf)
{
  ticks++;
  for (int i = 0; i < ntasks; i++)
    if (tasks[i].state == T_SLEEPING && (int)(ticks - tasks[i].wake) >= 0)
      tasks[i].state = T_RUNNABLE;
  if ((tf->cs & 3) == 3) {     // a task was running: its turn is over
    cur->tf = *tf;
    schedule(tf);
  }
}

void
task_yield(struct tf *tf)
{
  cur->tf = *tf;
  schedule(tf);
}

void
task_sleep(struct tf *tf, uint n)
{
  cur->tf = *tf;
  cur->wake = ticks + n;
  cur->state = T_SLEEPING;
  schedule(tf);
}

void
task_exit(struct tf *tf, int code)
{
  kprintf("mini: task %d (%s) exited with %d\n", cur->pid, cur->name, code);
  cur->state = T_DEAD;
  schedule(tf);
}

void
task_kill(struct tf *tf, const char *why)
{
  cur->state = T_DEAD;
  schedule(tf);
}
