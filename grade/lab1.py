# lab1.py: lab 1's grader (suite lab1): virtual machines in route mode. The mini
# guest and its hostile variants (guests/mini), and the grader's own probe guest
# (grade/fixtures/probe), run under the host's scheduler; each test boots its
# own QEMU and says in its name what it checks. labs/lab1-sched.md says which
# test checks which sentence of the exercises; grade/graders.py runs wrong
# solutions against this grader to show that it catches each.
#
# A test ends as soon as its outcome is known, not at its deadline: every boot
# carries a budget of host ticks (stopafter) unless it sets its own, a host
# that idles while a CPU-bound mini could run fails at once, and so does one
# whose VMs print nothing for a while (the host's counters are read through
# QEMU while it runs, gradelib.HostProbe), or that stops a VM unexpectedly.
import os
import re
import shutil
import threading
import time

from gradelib import test, Failure, DEBUG_EXIT_PASS, REPO_ROOT

HOTKEY = "\x1d"          # Ctrl-]: the monitor
BUDGET = 1500            # host ticks a boot may take (15 s), unless a test says
SILENCE = 500            # host ticks with no output at all: nothing is running
STUCK = 10               # seconds of a host clock that does not move: a hung host
PROBE = os.path.join(REPO_ROOT, "out", "grade", "probe.elf")
QUESTIONS = 5            # in labs/lab1-sched.md


# ---- booting, with the outcome known early ----

def boot(t, vms, extra="", mem=128, budget=BUDGET, may_stop=(), modules=(), silence=SILENCE):
    """QEMU with vms=... on the boot line. budget: host ticks after which the
    host powers off (stopafter) and every wait fails, saying so; None if the
    test's own stopafter= is in extra. may_stop: ids of VMs the test expects
    the host to stop. modules: guest images handed over (-initrd)."""
    line = "vms=%s %s" % (vms, extra)
    if budget:
        line += " stopafter=%d" % budget
    args = ["-initrd", ",".join(modules)] if modules else []
    q = t.qemu(append=line.strip(), mem=mem, extra=args, probe=True)
    if budget:
        q.fail_on(r"vmos: stopafter=(\d+) reached",
                  "the host used up the test's budget of {0} host ticks (stopafter) first")

    def stopped(m):
        if int(m.group(1)) in may_stop:
            return None
        return "the host stopped VM %s (%s): %s" % (m.group(1), m.group(2), m.group(3))
    q.fail_on(r"vmos: stopped VM (\d+) \(([^)]*)\): ([^\r\n]*)\r?\n", stopped)
    if re.search(r"(^|,)mini(,|:|$)", vms):
        q.watch(idle_watch)
    if silence:
        q.watch(silence_watch(silence), every=1.0)
    return q


def idle_watch(q):
    """A mini never blocks (its spin task always wants the CPU): a host that
    idles while one runs has chosen no VM although one could run."""
    r = q.host.read("idle_ticks")
    t = q.host.read("ticks")
    if r and t and r[0] >= 10:
        return ("the host idled %d of its first %d ticks although CPU-bound minis "
                "could run: no VM was chosen" % (r[0], t[0]))
    return None


def silence_watch(limit):
    """Nothing printed for limit host ticks: no VM is making progress. Or the
    host's clock itself stands still for STUCK seconds: the host is stuck
    with interrupts off (a loop that never enters a VM nor halts)."""
    seen = {"len": -1, "at": 0, "ticks": -1, "since": 0.0}

    def watch(q):
        t = q.host.read("ticks")
        if not t:
            return None
        now = time.monotonic()
        if t[0] != seen["ticks"]:
            seen["ticks"], seen["since"] = t[0], now
        elif now - seen["since"] >= STUCK:
            return ("the host's clock stood still at tick %d for %d s: the host is stuck "
                    "(interrupts off, neither running a VM nor halting)" % (t[0], STUCK))
        n = len(q.output)
        if n != seen["len"]:
            seen["len"], seen["at"] = n, t[0]
        elif t[0] - seen["at"] >= limit:
            return ("nothing was printed for %d host ticks (ticks %d to %d): no VM made "
                    "progress" % (t[0] - seen["at"], seen["at"], t[0]))
        return None
    return watch


_probe_built = []
_probe_lock = threading.Lock()


def probe(t, *names):
    """The probe guest under each of the given VM names (its name is its mode:
    grade/fixtures/probe/probe.c), built if it is not; the -initrd list."""
    with _probe_lock:
        if not _probe_built:
            m = t.spawn(["make", "-s", os.path.relpath(PROBE, REPO_ROOT)], name="make")
            t.check(m.wait_exit() == 0, "the probe guest did not build:\n" + m.output)
            _probe_built.append(1)
    paths = []
    for n in names:
        p = os.path.join(t.log_dir, n + ".elf")
        shutil.copy(PROBE, p)
        paths.append(p)
    return paths


def monitor(q, cmd):
    """Run a monitor command; return the text it printed (up to the next prompt)."""
    start = len(q.output)
    q.send(cmd + "\r")
    q.expect(r"vmos> ", what="the monitor's prompt after '%s'" % cmd)
    return q.output[start:]


def enter_monitor(q):
    q.send(HOTKEY)
    q.expect(r"vmos> ", what="the monitor's prompt after Ctrl-]")


def table(text):
    """The rows of `list`: {id: (name, state, share, ticks, exits, switches)}."""
    rows = {}
    for m in re.finditer(r"^\s+(\d+) (\S+)\s+(\w+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$",
                         text, re.M):
        rows[int(m.group(1))] = (m.group(2), m.group(3), float(m.group(4)),
                                 int(m.group(5)), int(m.group(6)), int(m.group(7)))
    return rows


def vm_stats(text):
    """{id: {counter: n}} from the stats lines (exits, virqs, reflected, ...)."""
    r = {}
    for m in re.finditer(r"^VM (\d+) \([^)]*\): exits (\d+):([^;]*); hcalls (\d+) "
                         r"\(bad (\d+)\), virqs (\d+), reflected (\d+);", text, re.M):
        d = dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", m.group(3)))
        d.update(exits=int(m.group(2)), hcalls=int(m.group(4)), virqs=int(m.group(6)),
                 reflected=int(m.group(7)))
        r[int(m.group(1))] = d
    return r


def stopafter(t, vms, ticks, extra="", modules=(), before=None, may_stop=()):
    """Boot with stopafter=ticks; before(q) runs first; the output up to QEMU's exit."""
    q = boot(t, vms, "stopafter=%d %s" % (ticks, extra), budget=None, modules=modules,
             may_stop=may_stop)
    if before:
        before(q)
    q.expect(r"stopafter=%d reached" % ticks, what="the host to reach stopafter=%d" % ticks)
    status = q.wait_exit()            # all it printed is in q.output now
    t.check(status == DEBUG_EXIT_PASS, "QEMU exited with status %d after stopafter, "
            "expected %d (the host powering off)" % (status, DEBUG_EXIT_PASS))
    return q.output


def check_share(t, rows, vids, what, spread=0.1):
    """Each VM of vids got an equal share of the ticks the VMs of vids had."""
    total = sum(rows[v][3] for v in vids)
    t.check(total > 0, "VMs %s had no ticks at all in the VM table: none of them ran (%s)"
            % (", ".join(map(str, vids)), what))
    for v in vids:
        share = rows[v][3] / total
        t.check(abs(share - 1 / len(vids)) <= spread / len(vids),
                "VM %d had %d of %d ticks (%.1f%%), expected %.1f%% +- %.1f (%s)" %
                (v, rows[v][3], total, 100 * share, 100 / len(vids),
                 100 * spread / len(vids), what))


def vm_rows(t, out, vids):
    rows = table(out)
    t.check(sorted(rows) == sorted(vids), "the VM table lists VMs %s, expected %s"
            % (sorted(rows), sorted(vids)))
    return rows


# ---- exercise 2 and 1: the scheduler and its slices ----

@test("boot: three minis boot, each with its own id and tag, in the order of their ids",
      timeout=30)
def t_three_boot(t):
    q = boot(t, "mini,mini,mini")
    rx = r"\[mini\.(\d)\] mini: booted as VM (\d) \(mini\)"
    order = []
    while len(order) < 3:
        m = q.expect(rx, what="VMs %s to say they booted" %
                     ", ".join(str(i) for i in (1, 2, 3) if i not in order))
        t.check(m.group(1) == m.group(2), "VM %s's line is tagged [mini.%s]"
                % (m.group(2), m.group(1)))
        order.append(int(m.group(1)))
    t.check(order == [1, 2, 3], "the VMs booted in the order %s, expected 1, 2, 3: the "
            "round robin takes VMs in the order of their ids" % ", ".join(map(str, order)))


@test("interleave: the three minis' lines interleave, each tagged", timeout=40)
def t_interleave(t):
    q = boot(t, "mini,mini,mini")
    seen = set()
    while seen != {1, 2, 3}:
        seen.add(int(q.expect(r"\[mini\.(\d)\] ticker: uptime", what="a ticker line of VM %s"
                              % " or ".join(str(i) for i in (1, 2, 3) if i not in seen))
                     .group(1)))
    for line in q.output.splitlines():
        if re.search(r"(ticker|spin): |hello from task", line):
            t.check(re.match(r"\[mini\.[123]\] ", line), "a guest line without its VM's tag: %r"
                    % line)


@test("share: each of three CPU-bound minis gets a third of the CPU (+-10%)", timeout=60)
def t_share(t):
    out = stopafter(t, "mini,mini,mini", 300)
    check_share(t, vm_rows(t, out, [1, 2, 3]), [1, 2, 3], "over 300 host ticks")


@test("quantum: world switches follow ticks / quantum", timeout=60)
def t_quantum(t):
    res = {}
    for quantum in (2, 20):
        out = stopafter(t, "mini,mini,mini", 200, "quantum=%d" % quantum)
        rows = vm_rows(t, out, [1, 2, 3])
        for v, r in rows.items():
            t.check(r[3] > 0, "quantum=%d: VM %d had no ticks in 200: it never ran" % (quantum, v))
        res[quantum] = (sum(r[3] for r in rows.values()), sum(r[5] for r in rows.values()))
    for quantum, (ticks, switches) in res.items():
        expect = ticks / quantum
        t.check(0.7 * expect <= switches <= 1.3 * expect + 3,
                "quantum=%d: %d world switches over %d ticks, expected about %d (a VM keeps "
                "the CPU for its whole slice, then the next takes its turn)" %
                (quantum, switches, ticks, expect))


@test("round robin: a VM woken at every tick runs at once, out of turn, without moving "
      "the turn", timeout=60)
def t_out_of_turn(t):
    out = stopafter(t, "probe-tick,mini,mini", 300, modules=probe(t, "probe-tick"))
    rows = vm_rows(t, out, [1, 2, 3])
    virqs = vm_stats(out).get(1, {}).get("virqs", 0)
    t.check(virqs >= 225, "VM 1, blocked and woken by its timer at every host tick, got "
            "%d timer interrupts in 300 ticks, expected one a tick (at least 225): a VM "
            "an interrupt woke must run next, out of turn" % virqs)
    t.check(rows[1][3] <= 30, "VM 1, which idles at once after each tick, had %d of 300 "
            "ticks, expected at most 10%%: a VM that blocks gives up the CPU" % rows[1][3])
    check_share(t, rows, [2, 3], "the two CPU-bound minis after a VM that runs out of turn "
                "at every tick: running it must not move the round robin")


@test("preference: after input to VM 2 runs it out of turn, the three minis still share "
      "the CPU evenly", timeout=60)
def t_prefer_once(t):
    def type_to_2(q):
        q.expect(r"\[mini\.2\] mini: booted", what="VM 2 to boot")
        enter_monitor(q)
        t.check("input goes to VM 2" in monitor(q, "focus 2"), "focus 2 did not say so")
        q.send(HOTKEY)
        for line in ("x", "y", "z"):  # typed while VM 1 or VM 3 runs (just printed)
            try:
                q.expect(r"\[mini\.[13]\] [^\r\n]*\r?\n", what="a line of VM 1 or VM 3")
            except Failure:
                break                 # they no longer run: the table at stopafter shows it
            q.send(line + "\r")
            q.expect(r"\[mini\.2\] mini: got '%s'" % line,
                     what="VM 2 to get the line '%s' typed to it" % line)
    out = stopafter(t, "mini,mini,mini", 300, before=type_to_2)
    check_share(t, vm_rows(t, out, [1, 2, 3]), [1, 2, 3], "over 300 host ticks, after VM 2 "
                "ran out of turn for its input: an interrupt's owner is preferred once")


@test("routing: a key typed to a blocked VM wakes it, and it runs next, out of turn, "
      "while a mini holds a 1000-tick slice", timeout=60)
def t_route_next(t):
    def type_k(q):
        q.expect(r"\[probe-wait\.1\] probe: waiting for input, no timer",
                 what="VM 1 (the probe) to block, waiting for input")
        q.expect(r"\[mini\.2\] mini: booted", what="VM 2 (a mini with a 1000-tick slice) to run")
        q.send("k")                   # VM 1 has the keyboard from boot
    out = stopafter(t, "probe-wait,mini", 200, "quantum=1000", modules=probe(t, "probe-wait"),
                    before=type_k)
    rows = vm_rows(t, out, [1, 2])
    t.check(rows[1][5] == 2, "VM 1 was switched to %d times in 200 ticks, expected 2 (at boot, "
            "then for the key): its interrupt must wake it and make it the next to run, "
            "although VM 2's slice of 1000 ticks has not ended" % rows[1][5])
    virqs = vm_stats(out).get(1, {}).get("virqs", 0)
    t.check(virqs == 1, "VM 1 got %d virtual interrupts for the one key typed to it, "
            "expected 1: the interrupt must be pending for its owner" % virqs)
    m = re.search(r"idle ticks \d+, world switches (\d+),", out)
    t.check(m and int(m.group(1)) == 4, "%s world switches in all, expected 4 (VM 1, VM 2, VM 1 "
            "for its key, VM 2 again)" % (m.group(1) if m else "no count of"))


@test("routing: a key typed to a VM that can run makes it run next, out of turn, while "
      "another holds a 1000-tick slice", timeout=60)
def t_route_runnable(t):
    def type_k(q):
        q.expect(r"\[mini\.1\] mini: booted", what="VM 1 (a mini with a 1000-tick slice) to run")
        enter_monitor(q)
        t.check("input goes to VM 2" in monitor(q, "focus 2"), "focus 2 did not say so")
        q.send(HOTKEY)
        q.expect(r"input goes to VM 2", what="the host to say input goes to VM 2")
        q.send("k")                   # VM 2 has not run yet: VM 1's slice lasts 1000 ticks
    out = stopafter(t, "mini,mini", 200, "quantum=1000", before=type_k)
    rows = vm_rows(t, out, [1, 2])
    t.check(rows[2][5] == 1, "VM 2 was switched to %d times in 200 ticks, expected once, for "
            "the one key typed to it: the owner of an interrupt gets the CPU next, even in "
            "the middle of another VM's slice" % rows[2][5])


@test("monitor: pause stops a VM's output, resume restarts it", timeout=60)
def t_pause_resume(t):
    q = boot(t, "mini,mini,mini")
    q.expect(r"\[mini\.2\] ticker", what="a ticker line of VM 2")
    enter_monitor(q)
    t.check("paused VM 2" in monitor(q, "pause 2"), "pause 2 did not say so")
    t.check(table(monitor(q, "list"))[2][1] == "paused", "list does not show VM 2 paused")
    q.send(HOTKEY)
    mark = len(q.output)
    for _ in range(4):               # others keep printing; VM 2 must not
        q.expect(r"\[mini\.[13]\] ticker", what="ticker lines of VMs 1 and 3")
    t.check("[mini.2] ticker" not in q.output[mark:], "VM 2 printed while paused: a paused "
            "VM must not be chosen")
    enter_monitor(q)
    t.check("resumed VM 2" in monitor(q, "resume 2"), "resume 2 did not say so")
    q.send(HOTKEY)
    q.expect(r"\[mini\.2\] ticker", what="a ticker line of VM 2 after resume")


@test("monitor: stop ends a VM, the others run on", timeout=60)
def t_stop(t):
    q = boot(t, "mini,mini,mini", may_stop=(3,))
    q.expect(r"\[mini\.3\] ticker", what="a ticker line of VM 3")
    enter_monitor(q)
    q.send("stop 3\r")
    q.expect(r"stopped VM 3 \(mini\.3\): stopped from the monitor", what="VM 3 to be stopped")
    q.expect(r"vmos> ", what="the monitor's prompt")
    t.check(table(monitor(q, "list"))[3][1] == "stopped", "list does not show VM 3 stopped")
    mark = len(q.output)
    q.send(HOTKEY)
    q.expect(r"\[mini\.1\] ticker", what="a ticker line of VM 1")
    q.expect(r"\[mini\.2\] ticker", what="a ticker line of VM 2")
    t.check("[mini.3]" not in q.output[mark:], "VM 3 printed after being stopped")


# ---- exercise 3: routing an interrupt to its owner ----

@test("focus: typed input reaches the VM with focus only", timeout=40)
def t_focus(t):
    q = boot(t, "mini,mini")
    q.expect(r"\[mini\.2\] mini: booted", what="VM 2 to boot")
    enter_monitor(q)
    t.check("input goes to VM 2" in monitor(q, "focus 2"), "focus 2 did not say so")
    q.send(HOTKEY)
    q.expect(r"input goes to VM 2", what="the host to say input goes to VM 2")
    q.send("hello there\r")
    q.expect(r"\[mini\.2\] mini: got 'hello there'",
             what="VM 2 to get the line typed to it (a pending console interrupt)")
    t.check("[mini.1] mini: got" not in q.output, "VM 1 got the input too")


# ---- exercise 4: the frame on the guest's stack ----

FRAMES = {"A": "a virtual interrupt while its kernel runs (on the stack in use, no error "
               "code, the virtual IF in eflags)",
          "B": "a fault of its kernel with an error code (#GP)",
          "C": "a fault of a process without an error code (#UD), on the ring-1 stack, "
               "which ends at the end of its memory",
          "D": "a fault of a process with an error code (#PF)",
          "E": "a system call of a process through a trap gate"}


@test("frames: each trap and interrupt reaches the guest kernel on the frame an x86 gate "
      "to ring 1 builds", points=3, timeout=40)
def t_frames(t):
    q = boot(t, "probe,mini", modules=probe(t, "probe"))
    q.fail_on(r"\[probe\.1\] probe: frame (\w): FAIL: ([^\r\n]*)\r?\n",
              lambda m: "for %s the probe found: %s" % (FRAMES[m.group(1)], m.group(2)))
    for k in sorted(FRAMES):
        q.expect(r"\[probe\.1\] probe: frame %s: ok" % k,
                 what="the frame of %s to be right" % FRAMES[k])
    q.expect(r"\[probe\.1\] probe: all frame checks passed", what="the probe to finish")


def probe_symbol(t, name):
    nm = t.spawn(["nm", PROBE], name="nm")
    nm.wait_exit()
    m = re.search(r"^([0-9a-f]+) \w %s$" % name, nm.output, re.M)
    t.check(m, "no symbol %s in %s" % (name, PROBE))
    return int(m.group(1), 16)


@test("frames: a frame that would begin below the VM's memory stops the VM, not the host",
      timeout=40)
def t_frame_base(t):
    q = boot(t, "probe-base,mini", modules=probe(t, "probe-base"), may_stop=(1,))
    q.fail_on(r"\[probe-base\.1\] probe: FAIL: ([^\r\n]*)\r?\n", "the probe found: {0}")
    m = q.expect(r"vmos: stopped VM 1 \(probe-base\.1\): ([^\r\n]*)\(eip 0x([0-9a-f]+)\)",
                 what="the host to stop VM 1, whose ring-1 stack begins 12 bytes before "
                      "its memory, when its process faults")
    why, eip = m.group(1), int(m.group(2), 16)
    t.check(re.match(r"cannot deliver .*\(trap 6\)", why), "VM 1 was stopped for '%s', "
            "expected 'cannot deliver' and the trap, invalid opcode (trap 6)" % why.strip())
    t.check(eip == probe_symbol(t, "ud_C"), "VM 1 was stopped at eip 0x%x, expected 0x%x, the "
            "faulting instruction: the frame must not be delivered at all" %
            (eip, probe_symbol(t, "ud_C")))
    q.expect(r"\[mini\.2\] ticker", what="VM 2 to run on")


# ---- containment (the host as given) ----

def hostile(t, variant, reason):
    q = boot(t, "mini,%s,mini" % variant, may_stop=(2,))
    m = q.expect(r"vmos: stopped VM 2 \(%s\.2\): ([^\r\n]*)\r?\n" % re.escape(variant),
                 what="the host to stop VM 2 (%s)" % variant)
    t.check(re.search(reason, m.group(1)), "VM 2 was stopped for '%s', expected /%s/" %
            (m.group(1), reason))
    q.expect(r"\[mini\.1\] ticker", what="VM 1 to run on")   # the others keep running
    q.expect(r"\[mini\.3\] ticker", what="VM 3 to run on")
    return q


@test("containment: a guest kernel dividing by zero is stopped, others run", timeout=40)
def t_kdiv(t):
    hostile(t, "mini-kdiv", r"divide error \(trap 0.*\) in the guest kernel")


@test("containment: a guest writing the switcher region is stopped, others run", timeout=40)
def t_wswitch(t):
    hostile(t, "mini-wswitch", r"page fault at 0xffc00000 in the switcher region \(write in ring 1\)")


@test("isolation: a guest reading host memory is stopped, others run", timeout=40)
def t_rhost(t):
    hostile(t, "mini-rhost", r"page fault at 0xc0100000 outside its memory \(read in ring 1\)")


@test("containment: a guest idling on a bad stack is stopped, others run", timeout=40)
def t_badstack(t):
    hostile(t, "mini-badstack", r"cannot deliver .*\(trap 32\)")


@test("containment: direct gates only for system calls; one with no ring-1 stack stops its VM",
      timeout=40)
def t_fastbad(t):
    q = hostile(t, "mini-fastbad",
                r"page fault at 0x[0-9a-f]+ (outside its memory|in the switcher)")
    t.check(re.search(r"\[mini-fastbad\.2\] mini: direct gates for a fault and for ring 1 "
                      r"returned -1 and -1", q.output),
            "the direct gates for a fault and for ring 1 were not refused with -1 and -1")


@test("hypercalls: bad pointers are refused with E_FAULT and counted", timeout=40)
def t_badptr(t):
    q = boot(t, "mini,mini-badptr")
    q.expect(r"\[mini-badptr\.2\] mini: bad pointer hypercall returned -2 and -2",
             what="VM 2's two bad-pointer hypercalls to return E_FAULT (-2)")
    q.expect(r"\[mini-badptr\.2\] ticker", what="VM 2 to run on")
    enter_monitor(q)
    m = re.search(r"VM 2 \(mini-badptr\.2\).*hcalls \d+ \(bad (\d+)\)", monitor(q, "stats"))
    t.check(m and int(m.group(1)) >= 2, "stats does not count VM 2's bad hypercalls")


@test("containment: a task's cli ends only that task", timeout=40)
def t_cli(t):
    q = boot(t, "mini-cli,mini")
    q.expect(r"\[mini-cli\.1\] cli: about to run cli", what="VM 1's cli task to start")
    q.expect(r"\[mini-cli\.1\] mini: task \d+ \(cli\) killed: general protection",
             what="VM 1's kernel to kill its task for the #GP of cli")
    q.expect(r"\[mini-cli\.1\] ticker", what="VM 1's other tasks to run on")
    q.expect(r"\[mini\.2\] ticker", what="VM 2 to run on")


@test("route: process system calls and timer ticks go through the host", timeout=40)
def t_route_counts(t):
    out = stopafter(t, "mini", 200)
    s = vm_stats(out).get(1)
    t.check(s, "no stats line for VM 1")
    t.check(s.get("syscall", 0) > 0, "no system call of a mini task entered the host")
    t.check(s["virqs"] > 50, "only %d virtual interrupts in 200 ticks, expected more than 50"
            % s["virqs"])
    t.check(s["reflected"] >= s["syscall"] + s["virqs"],
            "%d traps reflected, fewer than the %d system calls and %d virtual interrupts"
            % (s["reflected"], s["syscall"], s["virqs"]))


@test("scale: 200 minis at once (vms=mini:1536K*200): every one boots and runs a task",
      timeout=120)
def t_scale(t):
    q = boot(t, "mini:1536K*200", "quantum=1", mem=512, budget=6000, silence=2000)
    q.expect(r"vmos: VM 200: mini, 1536 KiB\r?\n", what="the host to make VM 200")
    # Each VM's third task says hello once: wait for all 200 of them.
    said = set()
    while len(said) < 200:
        m = q.expect(r"\[mini\.(\d+)\] hello from task 3",
                     what="the hello of every VM's third task (%d of 200 so far)" % len(said))
        said.add(int(m.group(1)))
    q.expect(r"\[mini\.1\] spin: round", what="VM 1 to be served still")
    enter_monitor(q)
    rows = table(monitor(q, "list"))
    t.check(len(rows) == 200 and all(r[1] != "stopped" for r in rows.values()),
            "%d VMs listed, stopped: %s" % (len(rows), [i for i, r in rows.items()
                                                    if r[1] == "stopped"]))


# ---- the boot line ----

@test("boot line: an unknown guest is named and the others boot", timeout=30)
def t_unknown_guest(t):
    q = boot(t, "mini,nosuch,mini")
    q.expect(r"no guest image named 'nosuch'", what="the host to name the unknown guest")
    q.expect(r"\[mini\.1\] mini: booted as VM 1", what="VM 1 to boot")
    q.expect(r"\[mini\.2\] mini: booted as VM 2", what="VM 2 to boot")


@test("boot line: a module that is not an ELF image is refused, the others boot", timeout=30)
def t_bad_module(t):
    path = t.log_dir + "/junk.elf"
    with open(path, "w") as f:
        f.write("this is not an ELF file\n" * 10)
    q = boot(t, "mini,junk,mini", modules=[path])
    q.expect(r"image 'junk' is not a valid guest: not an ELF file",
             what="the host to refuse the module")
    q.expect(r"\[mini\.1\] mini: booted as VM 1", what="VM 1 to boot")
    q.expect(r"\[mini\.2\] mini: booted as VM 2", what="VM 2 to boot")


@test("boot line: a guest image handed over as a module (-initrd) boots", timeout=30)
def t_module(t):
    path = t.log_dir + "/myguest.elf"
    shutil.copy(os.path.join(REPO_ROOT, "out/guests/mini.elf"), path)
    q = boot(t, "myguest,mini", modules=[path])
    q.expect(r"\[myguest\.1\] mini: booted as VM 1 \(myguest\)", what="the module to boot as VM 1")
    q.expect(r"\[mini\.2\] mini: booted as VM 2 \(mini\)", what="VM 2 to boot")


@test("boot line: too much memory for a VM is refused, the others boot", timeout=30)
def t_too_big(t):
    q = boot(t, "mini,mini:900M,mini", mem=64)
    q.expect(r"not enough memory for VM 2 \(mini\)", what="the host to refuse VM 2's 900M")
    q.expect(r"\[mini\.1\] mini: booted", what="VM 1 to boot")
    q.expect(r"\[mini\.2\] mini: booted", what="the next VM (now VM 2) to boot")


@test("make: VMS and QUANTUM become the boot line", timeout=30)
def t_make_vars(t):
    p = t.spawn(["make", "-n", "qemu-nox", 'VMS=mini mini-cli mini', "QUANTUM=5"])
    p.wait_exit()
    t.check('-append "vms=mini,mini-cli,mini quantum=5"' in p.output,
            "make -n qemu-nox did not pass -append \"vms=mini,mini-cli,mini quantum=5\":\n"
            + p.output)


@test("bench: make bench counts events per operation in route mode", timeout=120)
def t_bench(t):
    p = t.spawn(["python3", "grade/bench.py", "--only", "host", "--runs", "1"], name="bench.py")
    status = p.wait_exit()
    t.check(status == 0, "bench.py exited %d: %s" % (status, p.output.strip().splitlines()[0]
                                                     if p.output.strip() else "(no output)"))
    rows = {}
    for m in re.finditer(r"^(null hypercall|process system call, reflected \(route\)|"
                         r"yield round trip \(2 world switches\))\s+([\d.]+)\s+([\d.]+)\s+"
                         r"([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)", p.output, re.M):
        rows[m.group(1)] = [float(x) for x in m.groups()[1:]]
    t.check(len(rows) == 3, "bench.py printed %d of its 3 rows" % len(rows))
    ins, entries, hcalls, switches, cr3, wall = rows["null hypercall"]
    t.check(ins > 0 and wall > 0, "no measurement for the null hypercall")
    # Counted events, exact by construction of route mode (no timing involved):
    t.check(entries == 1.0 and hcalls == 1.0 and switches == 0.0 and cr3 == 2.0,
            "a null hypercall should be 1 host entry, 2 CR3 loads: %s" % rows["null hypercall"])
    sc = rows["process system call, reflected (route)"]
    t.check(sc[1] == 1.0 and sc[2] == 0.0, "a reflected system call should be 1 host entry, "
            "no hypercall: %s" % sc)
    t.check(rows["yield round trip (2 world switches)"][3] == 2.0,
            "a yield round trip should be 2 world switches")
    t.check(re.search(r"virtual timer tick\s+([\d.]+)", p.output), "no timer row")


# ---- the questions (no points: the TA reads them) ----

@test("answers: labs/answers-lab1.txt answers each of the lab's questions", points=0,
      timeout=10)
def t_answers(t):
    check_answers(t, 1, QUESTIONS, "labs/lab1-sched.md")


def check_answers(t, lab, questions, doc):
    """labs/answers-labN.txt has an answer numbered 1. to questions. (every lab's)"""
    name = "labs/answers-lab%d.txt" % lab
    path = os.path.join(REPO_ROOT, name)
    t.check(os.path.exists(path), "there is no %s: write your answers to the %d questions "
            "of %s there (numbered 1. to %d.)" % (name, questions, doc, questions))
    text = open(path, errors="replace").read()
    missing = [n for n in range(1, questions + 1)
               if not re.search(r"^\s*%d[.)]\s*\S" % n, text, re.M)]
    t.check(not missing, "%s has no answer numbered %s (an answer starts a line with its "
            "number, e.g. '1. ...')" % (name, ", ".join(map(str, missing))))
