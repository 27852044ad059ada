# lab1.py: lab 1's grader (suite lab1): virtual machines in route mode. The mini
# guest and its hostile variants (guests/mini) run under the host's scheduler;
# each test boots its own QEMU and says in its name what it checks.
import re
import shutil

from gradelib import test, DEBUG_EXIT_PASS

HOTKEY = "\x1d"          # Ctrl-]: the monitor


def boot(t, vms, extra="", mem=128):
    return t.qemu(append=("vms=%s %s" % (vms, extra)).strip(), mem=mem)


def monitor(q, cmd):
    """Run a monitor command; return the text it printed (up to the next prompt)."""
    start = len(q.output)
    q.send(cmd + "\r")
    q.expect(r"vmos> ")               # printed once the command has run
    return q.output[start:]


def enter_monitor(q):
    q.send(HOTKEY)
    q.expect(r"vmos> ")


def table(text):
    """The rows of `list`: {id: (name, state, share, ticks, exits, switches)}."""
    rows = {}
    for m in re.finditer(r"^\s+(\d+) (\S+)\s+(\w+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$",
                         text, re.M):
        rows[int(m.group(1))] = (m.group(2), m.group(3), float(m.group(4)),
                                 int(m.group(5)), int(m.group(6)), int(m.group(7)))
    return rows


def stopafter(t, vms, ticks, extra=""):
    q = boot(t, vms, "stopafter=%d %s" % (ticks, extra))
    q.expect(r"stopafter=%d reached" % ticks)
    q.expect(r"idle ticks (\d+), world switches (\d+),")
    status = q.wait_exit()
    t.check(status == DEBUG_EXIT_PASS, "QEMU exit status %d" % status)
    return q.output


@test("boot: three minis boot, each with its own id and tag", timeout=30)
def t_three_boot(t):
    q = boot(t, "mini,mini,mini")
    for i in (1, 2, 3):
        q.expect(r"\[mini\.%d\] mini: booted as VM %d \(mini\)" % (i, i))


@test("interleave: the three minis' lines interleave, each tagged", timeout=40)
def t_interleave(t):
    q = boot(t, "mini,mini,mini")
    seen = set()
    while seen != {1, 2, 3}:
        seen.add(int(q.expect(r"\[mini\.(\d)\] ticker: uptime").group(1)))
    for line in q.output.splitlines():
        if re.search(r"(ticker|spin): |hello from task", line):
            t.check(re.match(r"\[mini\.[123]\] ", line), "untagged guest line: %r" % line)


@test("share: each of three CPU-bound minis gets a third of the CPU (+-10%)", timeout=60)
def t_share(t):
    out = stopafter(t, "mini,mini,mini", 600)
    rows = table(out)
    t.check(sorted(rows) == [1, 2, 3], "list shows VMs %s" % sorted(rows))
    total = sum(r[3] for r in rows.values())
    for vid, r in rows.items():
        share = r[3] / total
        t.check(abs(share - 1 / 3) <= 0.1 / 3,
                "VM %d had %d of %d ticks (%.1f%%), expected 33.3%% +- 3.3" %
                (vid, r[3], total, 100 * share))


@test("quantum: world switches follow ticks / quantum", timeout=60)
def t_quantum(t):
    res = {}
    for quantum in (2, 20):
        out = stopafter(t, "mini,mini,mini", 400, "quantum=%d" % quantum)
        rows = table(out)
        res[quantum] = (sum(r[3] for r in rows.values()), sum(r[5] for r in rows.values()))
    for quantum, (ticks, switches) in res.items():
        expect = ticks / quantum
        t.check(0.7 * expect <= switches <= 1.3 * expect + 3,
                "quantum=%d: %d world switches over %d ticks, expected about %d" %
                (quantum, switches, ticks, expect))


@test("monitor: pause stops a VM's output, resume restarts it", timeout=60)
def t_pause_resume(t):
    q = boot(t, "mini,mini,mini")
    q.expect(r"\[mini\.2\] ticker")
    enter_monitor(q)
    t.check("paused VM 2" in monitor(q, "pause 2"), "pause 2 did not say so")
    t.check(table(monitor(q, "list"))[2][1] == "paused", "list does not show VM 2 paused")
    q.send(HOTKEY)
    mark = len(q.output)
    for _ in range(4):               # others keep printing; VM 2 must not
        q.expect(r"\[mini\.[13]\] ticker")
    t.check("[mini.2] ticker" not in q.output[mark:], "VM 2 printed while paused")
    enter_monitor(q)
    t.check("resumed VM 2" in monitor(q, "resume 2"), "resume 2 did not say so")
    q.send(HOTKEY)
    q.expect(r"\[mini\.2\] ticker")


@test("monitor: stop ends a VM, the others run on", timeout=60)
def t_stop(t):
    q = boot(t, "mini,mini,mini")
    q.expect(r"\[mini\.3\] ticker")
    enter_monitor(q)
    q.send("stop 3\r")
    q.expect(r"stopped VM 3 \(mini\.3\): stopped from the monitor")
    q.expect(r"vmos> ")
    t.check(table(monitor(q, "list"))[3][1] == "stopped", "list does not show VM 3 stopped")
    mark = len(q.output)
    q.send(HOTKEY)
    q.expect(r"\[mini\.1\] ticker")
    q.expect(r"\[mini\.2\] ticker")
    t.check("[mini.3]" not in q.output[mark:], "VM 3 printed after being stopped")


@test("focus: typed input reaches the VM with focus only", timeout=40)
def t_focus(t):
    q = boot(t, "mini,mini")
    q.expect(r"\[mini\.2\] mini: booted")
    enter_monitor(q)
    t.check("input goes to VM 2" in monitor(q, "focus 2"), "focus 2 did not say so")
    q.send(HOTKEY)
    q.expect(r"input goes to VM 2")
    q.send("hello there\r")
    q.expect(r"\[mini\.2\] mini: got 'hello there'")
    t.check("[mini.1] mini: got" not in q.output, "VM 1 got the input too")


def hostile(t, variant, reason):
    q = boot(t, "mini,%s,mini" % variant)
    m = q.expect(r"vmos: stopped VM 2 \(%s\.2\): (.*)\r?\n" % re.escape(variant))
    t.check(re.search(reason, m.group(1)), "stopped for '%s', expected /%s/" %
            (m.group(1), reason))
    q.expect(r"\[mini\.1\] ticker")        # the others keep running
    q.expect(r"\[mini\.3\] ticker")
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
    hostile(t, "mini-badstack", r"cannot deliver .* guest stack 0x[0-9a-f]+ is outside its memory")


@test("containment: direct gates only for system calls; one with no ring-1 stack stops its VM",
      timeout=40)
def t_fastbad(t):
    q = hostile(t, "mini-fastbad",
                r"page fault at 0x[0-9a-f]+ (outside its memory|in the switcher)")
    t.check(re.search(r"\[mini-fastbad\.2\] mini: direct gates for a fault and for ring 1 "
                      r"returned -1 and -1", q.output), "a bad direct gate was not refused")


@test("hypercalls: bad pointers are refused with E_FAULT and counted", timeout=40)
def t_badptr(t):
    q = boot(t, "mini,mini-badptr")
    q.expect(r"\[mini-badptr\.2\] mini: bad pointer hypercall returned -2 and -2")
    q.expect(r"\[mini-badptr\.2\] ticker")      # and it runs on
    enter_monitor(q)
    m = re.search(r"VM 2 \(mini-badptr\.2\).*hcalls \d+ \(bad (\d+)\)", monitor(q, "stats"))
    t.check(m and int(m.group(1)) >= 2, "stats does not count the bad hypercalls")


@test("containment: a task's cli ends only that task", timeout=40)
def t_cli(t):
    q = boot(t, "mini-cli,mini")
    q.expect(r"\[mini-cli\.1\] cli: about to run cli")
    q.expect(r"\[mini-cli\.1\] mini: task \d+ \(cli\) killed: general protection")
    q.expect(r"\[mini-cli\.1\] ticker")
    q.expect(r"\[mini\.2\] ticker")


@test("route: process system calls and timer ticks go through the host", timeout=40)
def t_route_counts(t):
    out = stopafter(t, "mini", 200)
    m = re.search(r"VM 1 \(mini\.1\): exits (\d+):.* syscall (\d+) .*virqs (\d+), reflected (\d+)", out)
    t.check(m, "no stats line for VM 1")
    exits, syscalls, virqs, reflected = map(int, m.groups())
    t.check(syscalls > 0, "no system call of a mini task entered the host")
    t.check(virqs > 50, "only %d virtual interrupts in 200 ticks" % virqs)
    t.check(reflected >= syscalls + virqs, "reflected %d < syscalls + virqs" % reflected)


@test("scale: 200 minis at once (vms=mini:1536K*200): every one boots and runs a task",
      timeout=120)
def t_scale(t):
    q = boot(t, "mini:1536K*200", "quantum=1", mem=512)
    q.expect(r"vmos: VM 200: mini, 1536 KiB\r?\n")
    # Each VM's third task says hello once: wait for all 200 of them.
    said = set()
    while len(said) < 200:
        m = q.expect(r"\[mini\.(\d+)\] hello from task 3")
        said.add(int(m.group(1)))
    q.expect(r"\[mini\.1\] spin: round")       # and the first is still served
    enter_monitor(q)
    rows = table(monitor(q, "list"))
    t.check(len(rows) == 200 and all(r[1] != "stopped" for r in rows.values()),
            "%d VMs listed, stopped: %s" % (len(rows), [i for i, r in rows.items()
                                                    if r[1] == "stopped"]))


@test("boot line: an unknown guest is named and the others boot", timeout=30)
def t_unknown_guest(t):
    q = boot(t, "mini,nosuch,mini")
    q.expect(r"no guest image named 'nosuch'")
    q.expect(r"\[mini\.1\] mini: booted as VM 1")
    q.expect(r"\[mini\.2\] mini: booted as VM 2")


@test("boot line: a module that is not an ELF image is refused, the others boot", timeout=30)
def t_bad_module(t):
    path = t.log_dir + "/junk.elf"
    with open(path, "w") as f:
        f.write("this is not an ELF file\n" * 10)
    q = t.qemu(append="vms=mini,junk,mini", extra=["-initrd", path])
    q.expect(r"image 'junk' is not a valid guest: not an ELF file")
    q.expect(r"\[mini\.1\] mini: booted as VM 1")
    q.expect(r"\[mini\.2\] mini: booted as VM 2")


@test("boot line: a guest image handed over as a module (-initrd) boots", timeout=30)
def t_module(t):
    path = t.log_dir + "/myguest.elf"
    shutil.copy("out/guests/mini.elf", path)
    q = t.qemu(append="vms=myguest,mini", extra=["-initrd", path])
    q.expect(r"\[myguest\.1\] mini: booted as VM 1 \(myguest\)")
    q.expect(r"\[mini\.2\] mini: booted as VM 2 \(mini\)")


@test("boot line: too much memory for a VM is refused, the others boot", timeout=30)
def t_too_big(t):
    q = boot(t, "mini,mini:900M,mini", mem=64)
    q.expect(r"not enough memory for VM 2 \(mini\)")
    q.expect(r"\[mini\.1\] mini: booted")
    q.expect(r"\[mini\.2\] mini: booted")


@test("make: VMS and QUANTUM become the boot line", timeout=30)
def t_make_vars(t):
    p = t.spawn(["make", "-n", "qemu-nox", 'VMS=mini mini-cli mini', "QUANTUM=5"])
    p.wait_exit()
    t.check('-append "vms=mini,mini-cli,mini quantum=5"' in p.output,
            "make -n qemu-nox printed:\n" + p.output)


@test("bench: make bench counts events per operation in route mode", timeout=120)
def t_bench(t):
    p = t.spawn(["python3", "grade/bench.py", "--only", "host", "--runs", "1"])
    t.check(p.wait_exit() == 0, "bench.py failed")
    rows = {}
    for m in re.finditer(r"^(null hypercall|process system call, reflected \(route\)|"
                         r"yield round trip \(2 world switches\))\s+([\d.]+)\s+([\d.]+)\s+"
                         r"([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)", p.output, re.M):
        rows[m.group(1)] = [float(x) for x in m.groups()[1:]]
    t.check(len(rows) == 3, "bench rows missing:\n" + p.output)
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
