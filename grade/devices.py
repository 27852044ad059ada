# devices.py: devices a VM drives itself, with real interrupts (suite devices;
# issue 9, item 3): xv6a's interrupt-driven disk in trap mode (the host's
# emulated controller raises virtual IRQ 14) and in pass mode (the real
# channel's IRQ, on either channel); COM2 in pass mode as a VM's own terminal
# (QEMU's second -serial, a TCP socket that grade/fixtures/tcpterm.py holds);
# the boot line refusing two owners of COM2 and a pass mode without a disk;
# and the same devices in swap and defer modes, where their interrupts reach
# xv6a's handlers straight through its own gates and another VM's come back
# to the host (HC_INVOKE_VMOS).
import re

from gradelib import test
from lab1 import enter_monitor, monitor, vm_stats
from xv6a import FSIMG, at, expect_all, guest, run, shell, usertests_done
from xv6a_multi import usertests_both

ROUNDS = 5                   # diskclock rounds: 20 one-block writes and reads each


def mark_counts(q, vm, label):
    """The host's counters at VM vm's hostmark(label), as {name: n}."""
    m = re.search(r"vmos: mark %d %s: (.*?)\n" % (vm, re.escape(label)), q.output)
    return dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", m.group(1)))


def ide_counts(q, tag, term=None):
    """xv6a's own count of disk requests and disk interrupts (^P, as xv6's
    procdump), typed where its console is: the system console, or COM2 (term)."""
    where = term or q
    where.send("\x10")
    m = where.expect(at(tag) + r"ide: (\d+) requests, (\d+) interrupts, (\d+) lost\r?\n",
                     what="xv6a's disk counts after ^P")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def disk_work(t, q, tag):
    """Run diskclock ROUNDS in VM 1 (and wait for the shell's prompt after it:
    no request is under way then). Returns the change of the host's counters
    across its disk work and of xv6a's (requests, interrupts) across the run."""
    c0 = ide_counts(q, tag)
    run(q, "diskclock %d" % ROUNDS)
    expect_all(q, [r"vmos: mark 1 diskclock-begin: .*\n", r"vmos: mark 1 diskclock-end: .*\n",
                   at(tag) + r"diskclock: %d rounds of disk work.*\n" % ROUNDS])
    q.expect(re.escape(tag) + r"\$ ", what="the shell's prompt after diskclock")
    c1 = ide_counts(q, tag)
    begin, end = mark_counts(q, 1, "diskclock-begin"), mark_counts(q, 1, "diskclock-end")
    return dict((k, end[k] - begin[k]) for k in begin), [b - a for a, b in zip(c0, c1)]


def own_interrupts(t, counts, least, where):
    """counts: the change of xv6a's (requests, interrupts, lost) across some work."""
    reqs, intrs, lost = counts
    t.check(reqs >= least, "%s: diskclock %d should make at least %d disk requests, xv6a "
            "counted %d" % (where, ROUNDS, least, reqs))
    # An interrupt more than requests is no harm (a late hand-back of one the
    # host had already served comes back as a virtual one too); one fewer, a
    # request finished by the polling fallback, is a lost interrupt.
    t.check(intrs >= reqs and lost == 0, "%s: each of xv6a's %d disk requests should be "
            "finished by an interrupt of its own, but %d disk interrupts came and %d requests "
            "were finished by polling after theirs did not come in 1 s"
            % (where, reqs, intrs, lost))


@test("interrupt-driven disk, trap mode: each emulated disk command comes back as virtual "
      "IRQ 14, and usertests passes", timeout=120)
def t_disk_trap(t):
    # xv6a starts a request and sleeps; the host's emulated controller raises
    # VIRQ_DISK when the guest's nIEN is clear, and the handler finishes the
    # request and starts the next. xv6a used to poll with nIEN set: no disk
    # interrupt at all.
    q = guest(t, "xv6a:32M:hd0,mini")
    shell(q, "[xv6a.1] ")
    d, counts = disk_work(t, q, "[xv6a.1] ")
    own_interrupts(t, counts, 4 * 20 * ROUNDS, "trap mode")
    reqs = counts[0]
    # The host's side: each emulated command is one request, and came back
    # as a virtual interrupt (with the timer's besides).
    t.check(0 < d["disk_cmds"] <= reqs and d["virqs"] >= d["disk_cmds"],
            "trap mode: between diskclock's marks the host emulated %d disk commands (of "
            "xv6a's %d requests) and delivered %d virtual interrupts: expected at least one "
            "for each command" % (d["disk_cmds"], reqs, d["virqs"]))
    run(q, "usertests")
    r = usertests_done(q, "[xv6a.1] ")
    t.check(r == "ALL TESTS PASSED", "usertests with an interrupt-driven trap-mode disk: " + r)


@test("interrupt-driven disk, pass mode on the second channel (ports 0x170, IRQ 15): its "
      "real interrupts reach xv6a, and usertests passes", timeout=120)
def t_disk_pass(t):
    # hd2 is the secondary channel's master: xv6a must use the ports and the
    # IRQ vm_info names (it used to assume 0x1F0 and poll).
    q = guest(t, "xv6a:32M:hd2:pass,mini", (None, None, FSIMG))
    q.expect(r"VM 1: xv6a, 32768 KiB, disk hd2 \(1000 sectors, pass mode\)")
    q.fail_on(r"stopped VM 1 \(xv6a\.1\): (.*)\n", "xv6a was stopped: {0}")
    shell(q, "[xv6a.1] ")
    d, counts = disk_work(t, q, "[xv6a.1] ")
    own_interrupts(t, counts, 4 * 20 * ROUNDS, "pass mode, hd2")
    # The real interrupts went through the host (route mode), which passed
    # them on as virtual interrupts: more than the timer alone could give
    # (one a host tick at most).
    t.check(d["virqs"] > d["ticks"] + 1 and d["emulated"] == 0,
            "pass mode: between diskclock's marks %d virtual interrupts in %d host ticks and "
            "%d I/O instructions emulated: expected the channel's interrupts beside the "
            "timer's, and no emulation" % (d["virqs"], d["ticks"], d["emulated"]))
    run(q, "usertests")
    r = usertests_done(q, "[xv6a.1] ")
    t.check(r == "ALL TESTS PASSED", "usertests with its disk in pass mode on hd2: " + r)


def com2_boot(t, vms, disks=(FSIMG,)):
    """vmos with QEMU's second serial port (COM2) on a TCP socket that a
    terminal of the test's holds; returns (QEMU, the terminal)."""
    term = t.spawn(["python3", "-u", "grade/fixtures/tcpterm.py"], name="tcpterm")
    m = term.expect(r"tcpterm: listening on (127\.0\.0\.1:\d+)\n")
    q = guest(t, vms, disks, extra=["-serial", "tcp:" + m.group(1)])
    term.expect(r"tcpterm: connected\n", what="QEMU to connect COM2 to the test's terminal")
    return q, term


def com2_shell(q, term):
    """Wait for VM 1's shell on COM2 (and fail at once if it is on the system console)."""
    q.fail_on(r"\[xv6a\.1\] (?:\$ )*init: starting sh",
              "xv6a.1's shell started on the system console, not on COM2")
    q.fail_on(r"stopped VM 1 \(xv6a\.1\): (.*)\n", "xv6a.1 was stopped: {0}")
    term.expect(r"init: starting sh\r\n", what="xv6a.1's shell on COM2")
    # and its prompt: what is typed before it is echoed as it comes, and the
    # prompt would land in the middle of the echoed line
    term.expect(r"\$ ", what="the shell's first prompt on COM2")


def com2_echo(t, term, words):
    term.send("echo %s\r" % words)
    term.expect(r"echo %s\r\n" % words, what="COM2 to echo what was typed at it")
    term.expect(r"(?:\$ )*%s\r\n" % words, what="the answer of echo on COM2")
    term.expect(r"\$ ", what="the shell's prompt on COM2 after echo")


@test("COM2: a VM's own terminal: its shell answers there, and the system console shows "
      "only the line saying so", timeout=60)
def t_com2(t):
    q, term = com2_boot(t, "xv6a:32M:hd0:com2,mini")
    q.expect(r"VM 1: xv6a, 32768 KiB, disk hd0 \(1000 sectors, trap mode\), COM2\r?\n")
    com2_shell(q, term)
    com2_echo(t, term, "typed at COM2")
    q.expect(r"\[mini\.2\] ticker", what="mini to run beside it")
    # The host keeps every line a VM gave the system console (log N): VM 1's
    # is the one line that says where its console went.
    enter_monitor(q)
    out = monitor(q, "log 1")
    lines = re.findall(r"^  \| (.*?)\r?$", out, re.M)
    t.check(lines == ["xv6a: VM 1's console is COM2 from here on"],
            "the system console's log of VM 1 should be the one line saying its console is "
            "COM2, but it holds %r" % lines)


@test("make qemu-nox COM2=...: the README's way to give a VM its terminal", timeout=90)
def t_com2_make(t):
    # QEMUEXTRA's -serial would come before the targets' -serial mon:stdio and
    # become COM1; COM2= adds the second port itself (Makefile).
    term = t.spawn(["python3", "-u", "grade/fixtures/tcpterm.py"], name="tcpterm")
    port = term.expect(r"tcpterm: listening on 127\.0\.0\.1:(\d+)\n").group(1)
    q = t.spawn(["make", "-s", "qemu-nox", "VMS=xv6a:32M:hd0:com2 mini", "QEMUEXTRA=-snapshot",
                 "COM2=socket,host=127.0.0.1,port=" + port])
    term.expect(r"tcpterm: connected\n", what="QEMU to connect COM2 to the test's terminal")
    q.expect(r"VM 1: xv6a, 32768 KiB, disk hd0 \(\d+ sectors, trap mode\), COM2\r?\n",
             what="VM 1 booted with COM2")
    com2_shell(q, term)
    com2_echo(t, term, "made with COM2")
    q.expect(r"\[mini\.2\] ", what="the mini's lines on the system console")


@test("boot line: two VMs claiming COM2: the second is refused in one line naming COM2, the "
      "others boot", timeout=60)
def t_com2_twice(t):
    q, term = com2_boot(t, "xv6a:32M:hd0:com2,mini:com2,mini")
    q.expect(r"vmos: 'mini': COM2 already belongs to VM 1\r?\n",
             what="the second claim of COM2 refused, naming its owner")
    q.expect(r"\[mini\.2\] mini: booted as VM 2", what="the mini after it to boot (as VM 2)")
    com2_shell(q, term)
    com2_echo(t, term, "still the first")
    t.check(not re.search(r"VM \d+: mini, \d+ KiB, COM2", q.output),
            "a second VM was given COM2")


@test("boot line: pass mode without a disk is refused in one line, the others boot",
      timeout=60)
def t_pass_nodisk(t):
    q = guest(t, "xv6a:32M:pass,mini,xv6a:32M:hd1:pass", (FSIMG,))
    q.expect(r"vmos: 'xv6a': disk mode 'pass' without a disk hdN before it; not booted\r?\n",
             what="pass without hdN refused")
    q.expect(r"vmos: 'xv6a': there is no disk hd1 \(QEMU -drive index=1\)\r?\n",
             what="pass on a drive QEMU does not have refused")
    q.expect(r"\[mini\.1\] mini: booted as VM 1", what="the mini between them to boot")
    t.check(not re.search(r"VM \d+: xv6a", q.output), "an xv6a without its disk booted")


def irq_line(q, vm):
    """VM vm's `interrupts:` line of stats, as a dict."""
    enter_monitor(q)
    out = monitor(q, "stats")
    m = re.search(r"^VM %d \(.*?\n  interrupts: (\w+) mode, own IRQs 0x([0-9a-f]+), direct IRQs "
                  r"0x([0-9a-f]+); handed back([ \d:]*) \(bad (\d+)\); EOIs (\d+), swallowed "
                  r"(\d+), IDT builds (\d+)" % vm, out, re.M | re.S)
    if not m:
        return None
    back = dict((int(a), int(b)) for a, b in re.findall(r"(\d+):(\d+)", m.group(4)))
    return dict(mode=m.group(1), own=int(m.group(2), 16), direct=int(m.group(3), 16),
                back=back, bad=int(m.group(5)), eois=int(m.group(6)), swallowed=int(m.group(7)),
                stats=vm_stats(out).get(vm))


@test("swap mode: xv6a with its disk in pass mode and COM2: usertests typed at COM2 passes "
      "there, the disk's direct interrupts end with HC_EOI", timeout=180)
def t_swap_com2(t):
    q, term = com2_boot(t, "xv6a:32M:hd0:pass:com2:swap,mini")
    q.expect(r"VM 1: xv6a, 32768 KiB, disk hd0 \(1000 sectors, pass mode\), COM2, swap "
             r"interrupts\r?\n")
    com2_shell(q, term)
    com2_echo(t, term, "swapped in")
    term.send("usertests\r")
    m = term.expect(r"(ALL TESTS PASSED|usertests: \d+ tests FAILED|usertests: FAIL .*)\r\n",
                    what="usertests' verdict on COM2")
    t.check(m.group(1) == "ALL TESTS PASSED", "usertests in swap mode, on COM2: " + m.group(1))
    term.expect(r"\$ ", what="the shell's prompt after usertests")
    # Disk work while a process of the VM computes (spin): the disk's
    # interrupts then come while xv6a runs with its virtual IF on.
    term.send("spin 100000 &\r")
    term.expect(r"\$ ", what="the shell's prompt after starting spin")
    c0 = ide_counts(q, "", term)
    term.send("diskclock %d\r" % ROUNDS)
    term.expect(r"diskclock: %d rounds of disk work.*\r\n" % ROUNDS,
                what="diskclock's result on COM2")
    term.expect(r"\$ ", what="the shell's prompt after diskclock")
    c1 = ide_counts(q, "", term)
    own_interrupts(t, [b - a for a, b in zip(c0, c1)], 4 * 20 * ROUNDS,
                   "swap mode, diskclock beside spin")
    com2_echo(t, term, "after the disk work")
    s = irq_line(q, 1)
    t.check(s, "no interrupts line for VM 1 in stats")
    t.check(s["mode"] == "swap" and s["own"] == (1 << 14 | 1 << 3) and
            s["direct"] & (1 << 14 | 1 << 3) == (1 << 14 | 1 << 3),
            "VM 1 should own IRQs 3 and 14 and have both as direct gates: %r" % s)
    # Its own disk interrupts that came with the virtual IF on were its to end
    # (HC_EOI); those that came with it off went back (handed back 14:n).
    t.check(s["eois"] > 0, "disk work beside a spinning process in swap mode: no direct disk "
            "interrupt ended with HC_EOI (%r): none reached xv6a's handler" % s)
    t.check(s["bad"] == 0 and s["swallowed"] == 0,
            "xv6a handed back interrupts that had not come (bad %d) or kept others' "
            "(swallowed %d)" % (s["bad"], s["swallowed"]))


def swap_two(t, mode):
    # No minis beside: a VM waiting for its disk gives up its turn, and the
    # CPU-bound minis' turns would make usertests' thousands of disk requests
    # slow (the scheduler's business, not this test's).
    vms = "xv6a:32M:hd0:pass:%s,xv6a:32M:hd2:pass:%s" % (mode, mode)
    q = usertests_both(t, vms, (FSIMG, None, FSIMG), minis=False)
    # Each xv6a has gates for both channels' IRQs; the other's it hands back.
    for vm, own, other in ((1, 14, 15), (2, 15, 14)):
        enter_monitor(q)
        monitor(q, "focus %d" % vm)
        q.send("\x1d")
        reqs, intrs, lost = ide_counts(q, "[xv6a.%d] " % vm)
        s = irq_line(q, vm)
        t.check(intrs >= reqs and lost == 0, "%s mode: each of xv6a.%d's %d disk requests "
                "should be finished by an interrupt of its own, but %d came and %d requests "
                "were finished by polling after theirs did not come in 1 s (%r)"
                % (mode, vm, reqs, intrs, lost, s))
        t.check(s, "no interrupts line for VM %d in stats" % vm)
        t.check(s["mode"] == mode and s["own"] == 1 << own and
                s["direct"] == (1 << 14 | 1 << 15),
                "VM %d in %s mode should own IRQ %d and have gates for 14 and 15: %r"
                % (vm, mode, own, s))
        t.check(s["back"].get(other, 0) > 0,
                "%s mode: xv6a.%d never handed back IRQ %d of the other xv6a's disk: %r"
                % (mode, vm, other, s))
        t.check(s["bad"] == 0 and s["swallowed"] == 0,
                "%s mode: xv6a.%d handed back interrupts that had not come (bad %d) or kept "
                "others' (swallowed %d)" % (mode, vm, s["bad"], s["swallowed"]))
        q.send("\x1d")                   # back to the VMs for the next stats


@test("swap mode: two xv6a with pass-mode disks on both channels pass usertests at once, "
      "each handing the other's disk interrupts back", timeout=300)
def t_swap_two(t):
    swap_two(t, "swap")


@test("defer mode: two xv6a with pass-mode disks on both channels pass usertests at once, "
      "each handing the other's disk interrupts back", timeout=300)
def t_defer_two(t):
    swap_two(t, "defer")
