# xv6a.py: the xv6-style guest (suite xv6a; issue 4, first stage): one source
# built twice, booting in ring 0 on bare QEMU and in ring 1 under vmos, where its
# own page tables run on the host's shadows.
import re

from gradelib import test, DEBUG_EXIT_PASS


def stage1(q, where):
    q.expect(r"xv6a: booting on %s, (\d+) MiB" % where)
    q.expect(r"xv6a: own page tables, \d+ pages free")
    for n in (25, 50, 75):
        q.expect(r"xv6a: tick %d" % n)
    q.expect(r"xv6a: 100 ticks on %s" % where)


@test("bare: xv6a boots in ring 0 on bare QEMU, with its page tables and timer", timeout=30)
def t_bare(t):
    q = t.qemu(kernel="out/xv6a/xv6a-bare.elf", mem=32)
    stage1(q, "bare")
    t.check(q.wait_exit() == DEBUG_EXIT_PASS, "xv6a did not exit with the pass status")


@test("vmos: the same xv6a boots in ring 1 beside mini, on shadow page tables", timeout=30)
def t_guest(t):
    q = t.qemu(append="vms=xv6a:32M,mini stopafter=400")
    q.expect(r"VM 1: xv6a, 32768 KiB")
    stage1(q, "vmos")
    q.expect(r"stopped VM 1 \(xv6a\.1\): guest exit 0: xv6a stage 1 done")
    q.expect(r"\[mini\.2\] ticker")
    m = q.expect(r"shadow: hidden faults (\d+), pgdir loads (\d+)")
    t.check(int(m.group(1)) > 1000 and int(m.group(2)) >= 1,
            "expected hidden faults and a pgdir load: %s" % m.group(0))
    for line in q.output.splitlines():
        if "xv6a:" in line and "vmos:" not in line:
            t.check(line.startswith("[xv6a.1] "), "untagged xv6a line: %r" % line)
