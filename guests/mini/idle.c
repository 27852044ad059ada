// idle.c: what mini does when no task can run (task.c's schedule calls
// idle), and the test variant mini-idletest (grade/idle.py) that exercises
// HC_IDLE's deadline and races its wakeup. Lab 3 (vmos/abi.h, "Idling").
//
// mini idles with its virtual IF off (the caller's state: it is in its
// kernel, deciding there is nothing to run), so a tick that comes after that
// decision stays pending and HC_IDLE returns at once for it. The deadline it
// names is the host tick at which its earliest sleeping task wakes: its timer
// would wake it then anyway, so the deadline only matters with the timer
// slower than the sleep or off, but it is the host's to know, not guessed.
// With idle=spin on the boot line (vm_info.idle_spin) it spins instead, with
// interrupts on, as a kernel without HC_IDLE would, for the bench's comparison.
#include "mini.h"
#include "hcall.h"

#define TIMER_MS 10              // mini's virtual timer (main.c)

static uint clock_base;          // host tick of its virtual clock's tick 0
static uint clock_period;        // host ticks a period (the host rounds up to a tick)

// Called right after the timer is set: where its clock (shared.s.ticks)
// stands on the host's (vm_info.host_ticks). A tick between the two reads
// would make them disagree: read again then.
void
idle_clock_init(void)
{
  uint k;
  do {
    k = shared.s.ticks;
    hcall1(HC_VM_INFO, &info);
  } while (k != shared.s.ticks);
  clock_period = (TIMER_MS * info.host_hz + 999) / 1000;
  clock_base = info.host_ticks - k * clock_period;
}

// The host tick by which a sleeping task wakes, 0 if none sleeps. Its wake
// time counts the ticks mini was delivered (ticks); from now on, idle, it is
// delivered each one, so it wakes when its clock has gone on that many more.
static uint
next_deadline(void)
{
  int found = 0;
  uint soonest = 0;
  for (int i = 0; i < ntasks; i++)
    if (tasks[i].state == T_SLEEPING && (!found || (int)(tasks[i].wake - soonest) < 0)) {
      soonest = tasks[i].wake;
      found = 1;
    }
  if (!found || clock_period == 0)
    return 0;
  int left = (int)(soonest - ticks);
  if (left < 0)
    left = 0;
  uint d = clock_base + (shared.s.ticks + left) * clock_period;
  return d ? d : 1;              // 0 would mean "no deadline"
}

// Nothing to run: wait, with interrupts on, for a tick or a key (they arrive
// nested, in trap(), and wake tasks), then go back to choosing.
void
idle(void)
{
  if (info.idle_spin) {
    shared.s.vif = 1;            // the spinning kernel of old: interrupts on,
    if (shared.s.pending)        // what waits delivered now,
      hcall0(HC_IRQ_ENABLE);
    for (int i = 0; i < 1000; i++)   // and round the loop to look again
      asm volatile("pause" ::: "memory");
  } else {
    hcall1(HC_IDLE, next_deadline());
  }
  shared.s.vif = 0;              // back to running the kernel with interrupts off
}

#ifdef MINI_IDLETEST
#define RACE_LOOPS 1000          // idles with a tick pending (about a host tick each)
#define DEADLINES  5

static uint
host_now(void)
{
  hcall1(HC_VM_INFO, &info);
  return info.host_ticks;
}

// Before mini sets its timer (main.c): nothing can interrupt it but what
// it asks for.
void
idletest(void)
{
  kprintf("idletest: vm_info.idle_spin %u\n", info.idle_spin);
  // 1. Deadlines with no interrupt to come (no timer, nobody types): only
  // the deadline can end each idle. The host tick it woke at is the host's
  // clock, read back after.
  for (int i = 1; i <= DEADLINES; i++) {
    uint dl = host_now() + 3 * i;
    int r = hcall1(HC_IDLE, dl);
    shared.s.vif = 0;
    kprintf("idletest: deadline %u woke at %u, result %d\n", dl, host_now(), r);
  }
  // A deadline in the past returns at once (IDLE_DEADLINE); one too far
  // ahead is refused (E_INVAL), at once too.
  uint now = host_now();
  int past = hcall1(HC_IDLE, now - 5);
  shared.s.vif = 0;
  int bad = hcall1(HC_IDLE, now + IDLE_AHEAD_MAX + 100);
  shared.s.vif = 0;
  kprintf("idletest: past deadline result %d, bad deadline result %d\n", past, bad);

  // 2. The race: a tick becomes pending after mini decided to idle (virtual
  // IF off) and before HC_IDLE, and no other interrupt follows it (the timer
  // goes off again first). Only HC_IDLE's atomic check of what is pending can
  // end the idle; the tick must then be delivered (ticks counts it).
  uint t0 = ticks, loops = 0;
  for (int i = 0; i < RACE_LOOPS; i++) {
    shared.s.vif = 0;
    hcall1(HC_SET_TIMER, 1);     // its shortest period: one host tick
    while (!(shared.s.pending & (1u << VIRQ_TIMER)))
      asm volatile("pause" ::: "memory");
    hcall1(HC_SET_TIMER, 0);     // the tick is pending; nothing else will come
    int r = hcall1(HC_IDLE, 0);
    if (r != IDLE_IRQ || ticks != t0 + i + 1) {
      kprintf("idletest: race loop %d: result %d, %u ticks delivered, expected %u\n", i, r,
              ticks - t0, i + 1);
      break;
    }
    loops++;
  }
  shared.s.vif = 0;
  kprintf("idletest: race %u loops, %u ticks delivered\n", loops, ticks - t0);
  kprintf("idletest: done\n");
}
#endif
