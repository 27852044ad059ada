# xv6a_multi.py: two xv6a guests at once beside two minis (suite xv6a_multi):
# the default boot, isolation of their files, usertests in both. These found a
# scheduler bug: a VM run out of turn (woken by its timer) used to move the
# round robin, so the VMs after it starved.
import os
import re
import shutil

from gradelib import test
from xv6a import FSIMG, at, expect_all, guest, run, shell, usertests_done  # noqa: F401


def usertests_both(t, vms, disks, minis=True):
    """usertests in xv6a.1 and xv6a.2 at once (and minis 3 and 4 running beside,
    if minis); returns the QEMU, for more checks."""
    q = guest(t, vms, disks)
    expect_all(q, [at("[xv6a.1] ") + "init: starting sh", at("[xv6a.2] ") + "init: starting sh"])
    run(q, "usertests")                      # VM 1 has focus
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("focus 2\r")
    q.expect(r"input goes to VM 2")
    q.send("\x1d")
    run(q, "usertests")
    done = [at("[xv6a.%d] " % i) + r"(?:ALL TESTS PASSED|usertests: \d+ tests FAILED|usertests: FAIL)"
            for i in (1, 2)]
    expect_all(q, done)
    for i in (1, 2):
        t.check(re.search(at("[xv6a.%d] " % i) + "ALL TESTS PASSED", q.output),
                "usertests failed in xv6a.%d" % i)
    t.check(not minis or re.search(r"\[mini\.[34]\] ticker", q.output),
            "the minis stopped running")
    return q


@test("usertests: passes in both xv6a guests at once beside two mini", timeout=300)
def t_usertests_guests(t):
    usertests_both(t, "xv6a:32M:hd0,xv6a:32M:hd2,mini,mini", (FSIMG, "", FSIMG))


@test("usertests: two xv6a on the master and slave of one IDE channel (trap mode)", timeout=300)
def t_usertests_one_channel(t):
    usertests_both(t, "xv6a:32M:hd0,xv6a:32M:hd1,mini,mini", (FSIMG, FSIMG))


@test("isolation: one xv6a cannot see the other's files", timeout=90)
def t_isolation(t):
    a = os.path.join(t.log_dir, "a.img")
    b = os.path.join(t.log_dir, "b.img")
    shutil.copy(FSIMG, a)
    shutil.copy(FSIMG, b)
    q = guest(t, "xv6a:32M:hd0,xv6a:32M:hd2", (a, "", b))
    expect_all(q, [at("[xv6a.1] ") + "init: starting sh", at("[xv6a.2] ") + "init: starting sh"])
    run(q, "echo secret of one > mine; cat mine")
    q.expect(at("[xv6a.1] ") + r"secret of one")
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("focus 2\r")
    q.expect(r"input goes to VM 2")
    q.send("\x1d")
    q.expect(r"input goes to VM 2 \(xv6a\.2\)")
    run(q, "cat mine")
    q.expect(at("[xv6a.2] ") + r"cat: cannot open mine")


@test("default boot: make qemu-nox runs two xv6a (with their disks) and two mini", timeout=90)
def t_default(t):
    q = t.spawn(["make", "-s", "qemu-nox", "QEMUEXTRA=-snapshot"])
    want = [r"input goes to VM 1 \(xv6a\.1\)", r"\[xv6a\.1\] init: starting sh",
            r"\[xv6a\.2\] init: starting sh", r"\[mini\.3\] mini: booted as VM 3",
            r"\[mini\.4\] mini: booted as VM 4"]
    expect_all(q, want)
    run(q, "echo typed to the first")
    q.expect(at("[xv6a.1] ") + r"typed to the first")
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("focus 2\r")
    q.expect(r"input goes to VM 2")
    q.send("\x1d")
    run(q, "echo typed to the second")
    q.expect(at("[xv6a.2] ") + r"typed to the second")
