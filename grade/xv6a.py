# xv6a.py: the xv6-style guest (suite xv6a; issue 4, in stages): one source built
# twice, in ring 0 on bare QEMU and in ring 1 under vmos, where its own page
# tables run on the host's shadows. So far its first process checks the process
# system calls from user mode.
import re

from gradelib import test

CHECKS = ["fork, sbrk in the child, exit, wait", "20 children forked and reaped",
          "sleep 10 ticks (uptime advances)", "kill a spinning child",
          "write from a kernel address fails", "exec of a missing program fails",
          "a process writing kernel memory is killed"]


def stage2(t, q, where, tag=""):
    q.expect(re.escape(tag) + r"xv6a: booting on %s, (\d+) MiB" % where)
    q.expect(re.escape(tag) + r"xv6a: own page tables, \d+ pages free")
    for c in CHECKS:
        m = q.expect(re.escape(tag) + r"init: (ok|FAILED): " + re.escape(c))
        t.check(m.group(1) == "ok", "init on %s: %s failed" % (where, c))
    q.expect(re.escape(tag) + r"init: all stage-2 tests passed")


@test("bare: xv6a's processes work in ring 0 on bare QEMU", timeout=40)
def t_bare(t):
    q = t.qemu(kernel="out/xv6a/xv6a-bare.elf", mem=32)
    stage2(t, q, "bare")


@test("vmos: the same xv6a's processes work in ring 1 beside mini", timeout=60)
def t_guest(t):
    q = t.qemu(append="vms=xv6a:32M,mini")
    q.expect(r"VM 1: xv6a, 32768 KiB")
    stage2(t, q, "vmos", "[xv6a.1] ")
    q.expect(r"\[mini\.2\] ticker")
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("stats\r")
    m = q.expect(r"shadow: hidden faults (\d+), pgdir loads (\d+)")
    t.check(int(m.group(1)) > 1000 and int(m.group(2)) > 20,
            "expected hidden faults and a pgdir load per process switch: %s" % m.group(0))
