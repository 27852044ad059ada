# scale.py: more guests than a table of 256 (suite scale; issue 11 item 6,
# lab 4). 1,024 minis at once, each of 256 KiB (mini-scale: one task that
# counts its work, user/mini/work.c): every one boots and runs its task, seen
# by its own console tag; the host still answers its monitor with all of them
# running, pages its tables (`list N-M`, `stats N-M`) and says what a VM costs
# it beyond its memory (`mem`: fixed per VM). The boot line's *COUNT takes up
# to MAXVMS (1,024) and no more; a VM too small for its image is refused with
# the reason. Only counted events are checked, never a time or a share: the
# aggregate progress of 1,024 against one alone is grade/bench_scale.py's.
import re

from gradelib import test
from lab1 import boot, enter_monitor, monitor, table

N = 1024                 # MAXVMS in vmos/vm.h
MINI = "mini-scale"
PAGE = 4096


def seen_all(q, n, pattern, what):
    """Wait until pattern (one group: the VM id) has matched for VMs 1..n, each
    counted once from the output so far and from what comes."""
    seen, pos = set(), 0
    rx = re.compile(pattern)
    while len(seen) < n:
        for m in rx.finditer(q.output, pos):
            seen.add(int(m.group(1)))
            pos = m.end()
        if len(seen) < n:
            missing = sorted(set(range(1, n + 1)) - seen)
            q.expect(pattern, what="%s: %d of %d so far (missing %s%s)" % (
                what, len(seen), n, missing[:8], "..." if len(missing) > 8 else ""))
    return seen


@test("scale: 1,024 minis of 256 KiB at once (vms=mini-scale:256K*1024): each boots and "
      "runs its task, seen by its own tag; the monitor answers with all of them running, "
      "`list N-M` pages the table, `mem` says the fixed cost per VM", timeout=240)
def t_1024(t):
    q = boot(t, "%s:256K*%d" % (MINI, N), "quantum=1", mem=400, budget=None,
             silence=3000)
    q.expect(r"vmos: VM %d: %s, 256 KiB\r?\n" % (N, MINI), what="the host to make VM %d" % N)
    seen_all(q, N, r"\[%s\.(\d+)\] mini: booted as VM \d+" % re.escape(MINI),
             "each VM's boot line")
    seen = seen_all(q, N, r"\[%s\.(\d+)\] work: first unit done at host tick \d+" %
                    re.escape(MINI), "each VM's task reporting its first unit of work")
    t.check(seen == set(range(1, N + 1)), "reports from VMs %s, not 1..%d" % (
        sorted(seen - set(range(1, N + 1)))[:8], N))

    enter_monitor(q)
    rows = table(monitor(q, "list 1020-1024"))
    t.check(sorted(rows) == list(range(1020, 1025)),
            "`list 1020-1024` listed VMs %s, expected 1020 to 1024" % sorted(rows))
    t.check(all(r[0] == "%s.%d" % (MINI, i) and r[1] in ("runnable", "blocked")
                for i, r in rows.items()), "`list 1020-1024`: %s" % rows)
    t.check(all(r[3] > 0 for r in rows.values()),
            "a VM of 1020-1024 never had the CPU: %s" % rows)
    one = table(monitor(q, "list 1024"))
    t.check(sorted(one) == [1024], "`list 1024` listed VMs %s" % sorted(one))
    for bad in ("0-3", "5-2", "1025", "1-1025", "x", "3-"):
        out = monitor(q, "list " + bad)
        t.check("usage: list [N|N-M]" in out and not table(out),
                "`list %s` did not refuse with the usage: %r" % (bad, out[-300:]))
    out = monitor(q, "console 1024")
    ids = [int(i) for i in re.findall(r"^\s+(\d+) %s\.\d+\s+\d+" % re.escape(MINI), out, re.M)]
    t.check(ids == [1024], "`console 1024` gave the rows of VMs %s" % ids)
    out = monitor(q, "stats 1023-1024")
    ids = [int(i) for i in re.findall(r"^VM (\d+) \(", out, re.M)]
    t.check(ids == [1023, 1024], "`stats 1023-1024` gave the counters of VMs %s" % ids)

    out = monitor(q, "mem")
    m = re.search(r"fixed per VM: (\d+) bytes \(struct vm (\d+), host pages (\d+)\) for VM "
                  r"(\d+) .*the least of (\d+) running", out)
    t.check(m, "`mem` has no 'fixed per VM' line: %r" % out[-600:])
    total, struct, pages, _, running = (int(x) for x in m.groups())
    t.check(total == struct + pages and pages % PAGE == 0 and 0 < pages <= 8 * PAGE,
            "fixed per VM %d bytes = struct vm %d + host pages %d: not a sum of whole "
            "pages, or more than 8 of them" % (total, struct, pages))
    t.check(running == N, "`mem` counted %d running VMs, expected %d" % (running, N))
    m = re.search(r"all %d running VMs: (\d+) host pages" % N, out)
    t.check(m and int(m.group(1)) >= N * pages // PAGE,
            "`mem`'s total of host pages for all VMs: %r" % out[-400:])
    m = re.search(r"pages: (\d+) total, (\d+) free", out)
    t.check(m and int(m.group(1)) - int(m.group(2)) >= N * pages // PAGE,
            "`mem`: fewer pages in use than the host pages of 1,024 VMs: %r" % out[:300])


@test("scale: the boot line's *COUNT takes 1 to 1,024 (MAXVMS): *1025 and *0 are refused, "
      "saying so, and the other specs still boot", timeout=40)
def t_count(t):
    q = boot(t, "mini-scale:256K*1025,mini-scale:256K*0,mini-scale:256K*2")
    q.expect(r"vmos: 'mini-scale:256K': bad count '1025' \(1 to 1024\)",
             what="the host to refuse *1025")
    q.expect(r"vmos: 'mini-scale:256K': bad count '0' \(1 to 1024\)",
             what="the host to refuse *0")
    q.expect(r"\[mini-scale\.2\] work: first unit done", what="VM 2 of *2 to run its task")
    t.check(not re.search(r"vmos: VM 3:", q.output), "a third VM was made")


@test("scale: a VM too small for its image is refused with the reason: below the host's "
      "minimum (128 KiB) on the boot line, a segment outside its memory by the loader, "
      "and mini itself names what it needs; the others boot", timeout=40)
def t_small(t):
    q = boot(t, "mini:64K,mini-scale:128K,mini:160K,mini-scale:160K", may_stop=(1,))
    q.expect(r"vmos: 'mini': bad field '64K' \(a size of at least 128 KiB",
             what="the boot line's refusal of 64K")
    q.expect(r"vmos: VM 1: image 'mini-scale' is not a valid guest: a segment lies outside "
             r"the VM's memory", what="the loader's refusal of a 128 KiB mini-scale")
    q.expect(r"\[mini\.1\] mini: needs (\d+) KiB, has 160 KiB",
             what="a 160 KiB mini (three tasks' stacks) to say what it needs")
    q.expect(r"vmos: stopped VM 1 \(mini\.1\): guest exit 1: too little memory",
             what="that mini to stop itself")
    q.expect(r"\[mini-scale\.2\] work: first unit done",
             what="a 160 KiB mini-scale (one task) to run")


@test("scale: lines held while the monitor is open keep their VM past id 255 (a held "
      "line names its VM in two bytes): 300 minis boot behind the prompt, each line "
      "printed after it with its own tag", timeout=90)
def t_held(t):
    n = 300
    q = boot(t, "%s:256K*%d" % (MINI, n), "quantum=1", mem=160, budget=None, silence=3000)
    q.expect(r"vmos: VM %d: %s, 256 KiB\r?\n" % (n, MINI), what="the host to make VM %d" % n)
    enter_monitor(q)                 # before VM 256 has had its first slice
    start = len(q.output)
    booted = re.compile(r"\[%s\.(\d+)\] mini: booted as VM (\d+)" % re.escape(MINI))
    while not re.search(r"mini: booted as VM %d\b" % n, q.output[start:]):
        t.check(t.time_left() > 10, "VM %d's boot line never came while the monitor was "
                "open" % n)
        monitor(q, "list %d" % n)    # it prints the lines held before its answer
    held = q.output[start:]
    pairs = [(int(a), int(b)) for a, b in booted.findall(held)]
    t.check(any(b > 255 for _, b in pairs),
            "no boot line of a VM past 255 came while the monitor was open: %r" % held[-400:])
    wrong = [(a, b) for a, b in pairs if a != b]
    t.check(not wrong, "held lines under another VM's tag (tag, VM): %s" % wrong[:5])
