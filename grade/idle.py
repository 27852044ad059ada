# idle.py: idle notification for a given time (suite idle; issue 10 item 3,
# lab 3). HC_IDLE takes a deadline in host ticks (vmos/abi.h, "Idling";
# vmos/idle.c): a VM with no interrupt to come wakes at it; an interrupt that
# becomes pending between the guest's decision to idle and the hypercall is
# never slept through; idle=spin on the boot line makes mini and xv6a spin
# instead (vm_info.idle_spin), and bad values are refused; the host counts idle
# entries and deadline wakeups per VM (monitor `stats`). The test guest is
# the mini variant mini-idletest (guests/mini/idle.c), which runs its tests
# of HC_IDLE before it sets its timer; mini-idle is a mini with nothing
# CPU-bound to run. Only counted events are checked (ticks, loops, counters),
# never a time or a share: the shares are grade/bench_idle.py's.
import re

from gradelib import test
from lab1 import boot, enter_monitor, monitor
from xv6a import at, guest, ptest, shell

DEADLINES = 5            # in guests/mini/idle.c
RACE_LOOPS = 1000
TEST = "[mini-idletest.1] "


def idle_counts(text):
    """{vm id: {entries, timed, blocked, past, wakeups}} from `stats` (vmos/stats.c);
    a VM that never called HC_IDLE has no idle line and is not in the result."""
    r = {}
    for m in re.finditer(r"^VM (\d+) \([^)]*\):.*?(?=^VM \d+ |\Z)", text, re.M | re.S):
        i = re.search(r"^  idle: entries (\d+) \((\d+) with a deadline\), blocked (\d+), "
                      r"deadline past (\d+), deadline wakeups (\d+)", m.group(0), re.M)
        if i:
            r[int(m.group(1))] = dict(zip(("entries", "timed", "blocked", "past", "wakeups"),
                                          (int(x) for x in i.groups())))
    return r


def stats(q):
    enter_monitor(q)
    return idle_counts(monitor(q, "stats"))


@test("deadline: a VM with no interrupt to come (no timer, nobody types) wakes from HC_IDLE "
      "at its deadline, not before (the host tick it reads after, counted), beside a busy "
      "mini; a past deadline returns at once, one too far ahead is refused; counted", timeout=60)
def t_deadline(t):
    q = boot(t, "mini-idletest,mini", budget=3000)
    for i in range(DEADLINES):
        m = q.expect(re.escape(TEST) + r"idletest: deadline (\d+) woke at (\d+), result (-?\d+)",
                     what="mini-idletest's idle with deadline %d of %d" % (i + 1, DEADLINES))
        dl, woke, r = int(m.group(1)), int(m.group(2)), int(m.group(3))
        t.check(r == 1, "HC_IDLE with deadline %d and nothing pending returned %d, expected 1 "
                "(IDLE_DEADLINE: the deadline ended it)" % (dl, r))
        t.check(woke >= dl, "HC_IDLE with deadline host tick %d returned at host tick %d: "
                "before its deadline, with no interrupt to end it" % (dl, woke))
    m = q.expect(re.escape(TEST) + r"idletest: past deadline result (-?\d+), bad deadline "
                 r"result (-?\d+)", what="mini-idletest's past and bad deadlines")
    t.check(m.group(1) == "1", "HC_IDLE with a deadline 5 ticks past returned %s, expected 1 "
            "(IDLE_DEADLINE, at once)" % m.group(1))
    t.check(m.group(2) == "-1", "HC_IDLE with a deadline beyond IDLE_AHEAD_MAX returned %s, "
            "expected -1 (E_INVAL, at once)" % m.group(2))
    c = stats(q).get(1)
    t.check(c is not None, "`stats` shows no idle line for VM 1 (mini-idletest), which idled")
    t.check(c["wakeups"] >= DEADLINES and c["past"] >= 1 and c["blocked"] >= DEADLINES,
            "VM 1's idle counters %s: expected at least %d deadline wakeups and blocks and "
            "one past deadline" % (c, DEADLINES))


# The race. Each loop, mini-idletest (its virtual IF off: it has decided to
# idle) sets its timer to one host tick, waits until that tick is pending,
# turns the timer off and calls HC_IDLE with no deadline: the pending tick is
# the only interrupt that will ever come. The host sets the virtual IF and
# looks at the pending bits in one step, with its interrupts off, so HC_IDLE
# returns at once and the tick is delivered before the next instruction (the
# guest counts it). The old scheme, setting the IF (HC_IRQ_ENABLE) and then
# blocking (HC_IDLE) in two steps, would take the tick between the two and
# block with nothing to come; so would a host that blocks the VM without
# looking at what is already pending and wakes it only on a new interrupt
# (tried: the guest stops after its deadline tests, blocked for good). Either
# way the first loop hangs: the test fails by its deadline, with the count of
# loops it got.
@test("race: an interrupt that becomes pending after the guest decided to idle and before "
      "HC_IDLE (timer at its shortest period, then off) is never slept through: %d loops, "
      "each tick delivered; idle entries counted" % RACE_LOOPS, timeout=90)
def t_race(t):
    q = boot(t, "mini-idletest", budget=4000, silence=2500)
    m = q.expect(re.escape(TEST) + r"idletest: race (\d+) loops, (\d+) ticks delivered",
                 timeout=60, what="mini-idletest's %d idles with a tick pending" % RACE_LOOPS)
    loops, ticks = int(m.group(1)), int(m.group(2))
    t.check(loops == RACE_LOOPS and ticks == RACE_LOOPS,
            "mini-idletest finished %d of %d idles with a tick pending, %d ticks delivered: "
            "an idle that returned without delivering the pending tick" % (loops, RACE_LOOPS,
                                                                           ticks))
    c = stats(q).get(1)
    t.check(c is not None and c["entries"] >= RACE_LOOPS + DEADLINES,
            "VM 1's idle counters %s: expected at least %d idle entries" %
            (c, RACE_LOOPS + DEADLINES))


@test("idle=halt (the default): xv6a and an idle mini idle with HC_IDLE, with their next "
      "timer deadline while a process or task sleeps (xv6a's ptest sleeps 10 ticks, mini's "
      "ticker 20), counted per VM in `stats`", timeout=90)
def t_halt(t):
    q = guest(t, "xv6a:32M:hd0,mini-idle")
    shell(q, "[xv6a.1] ")
    ptest(t, q, "[xv6a.1] ")
    q.expect(r"\[mini-idle\.2\] ticker: uptime \d+", what="mini-idle's ticker")
    c = stats(q)
    for vm, name in ((1, "xv6a"), (2, "mini-idle")):
        t.check(vm in c and c[vm]["entries"] > 0 and c[vm]["blocked"] > 0 and
                c[vm]["timed"] > 0,
                "VM %d (%s) idles, with a deadline while something sleeps, but `stats` shows "
                "%s for its HC_IDLE calls" % (vm, name, c.get(vm, "no idle line")))


@test("idle=spin: accepted, said by the host, shown to the guests (vm_info.idle_spin: "
      "xv6a, mini and mini-idletest say so), which then never call HC_IDLE", timeout=60)
def t_spin(t):
    q = guest(t, "xv6a:32M:hd0,mini-idle,mini-idletest idle=spin")
    q.fail_on(r"vmos: idle=spin is not", "the host refused idle=spin")
    q.expect(r"vmos: idle=spin: ", what="the host's line on idle=spin")
    q.expect(at("[xv6a.1] ") + r"xv6a: idle=spin: it spins when idle",
             what="xv6a saying it spins (vm_info.idle_spin)")
    q.expect(r"\[mini-idle\.2\] mini: idle=spin: it spins when idle",
             what="mini-idle saying it spins (vm_info.idle_spin)")
    q.expect(r"\[mini-idletest\.3\] idletest: vm_info\.idle_spin 1",
             what="mini-idletest's vm_info.idle_spin")
    if not re.search(at("[xv6a.1] ") + r"init: starting sh", q.output):
        shell(q, "[xv6a.1] ")    # (it may come before the minis' lines, or after)
    q.expect(r"\[mini-idle\.2\] ticker: uptime \d+", what="mini-idle's ticker")
    c = stats(q)
    for vm, name in ((1, "xv6a"), (2, "mini-idle")):
        t.check(vm not in c, "VM %d (%s) was to spin when idle (idle=spin), but called "
                "HC_IDLE: %s" % (vm, name, c.get(vm)))


@test("idle= with a bad value (foo, SPIN, nothing) is refused with a message naming it; "
      "the guests idle with HC_IDLE then (vm_info.idle_spin 0)", timeout=60)
def t_spin_bad(t):
    for v in ("foo", "SPIN", ""):
        q = boot(t, "mini-idletest", extra="idle=%s" % v, budget=1000)
        q.expect(r"vmos: idle=%s is not an idle mode \(halt or spin\); using halt" % re.escape(v),
                 what="the host refusing idle=%s" % v)
        q.expect(re.escape(TEST) + r"idletest: vm_info\.idle_spin 0",
                 what="mini-idletest's vm_info.idle_spin after idle=%s" % v)
        q.kill()
