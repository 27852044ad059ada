# xv6a.py: the xv6-style guest (suite xv6a; issues 4 and 8): one source built
# twice, in ring 0 on bare QEMU and in ring 1 under vmos (its page tables on the
# host's shadows, its disk reached by trap-and-emulate). The shell, the file
# system and the process system calls are exercised the same way in both; so
# are xv6 programs that define library functions, memory as large as the
# machine (or VM) gives, and, as a guest, time that keeps up with the host's.
import os
import re
import shutil

from gradelib import test, REPO_ROOT

FSIMG = os.path.join(REPO_ROOT, "out", "xv6a", "fs.img")
PTEST = ["fork, sbrk in the child, exit, wait", "20 children forked and reaped",
         "sleep 10 ticks (uptime advances)", "kill a spinning child",
         "write from a kernel address fails", "exec of a missing program fails",
         "a process writing kernel memory is killed", "a process running cli is killed"]


def at(tag):
    """A line of tag's console; a shell prompt may stand before the text."""
    return re.escape(tag) + r"(?:\$ )*"


def drive(path, index=0):
    return ["-drive", "file=%s,format=raw,index=%d" % (path, index)]


def bare(t, img=FSIMG, snapshot=True, mem=32):
    return t.qemu(kernel="out/xv6a/xv6a-bare.elf", mem=mem, extra=drive(img), snapshot=snapshot)


def guest(t, vms="xv6a:32M:hd0,mini", disks=(FSIMG,), snapshot=True, mem=128, extra=()):
    """vmos booting vms; disks[i] is QEMU's drive i (None or "": none); extra:
    more QEMU options (a second -serial is COM2)."""
    extra = list(extra)
    for i, d in enumerate(disks):
        if d:
            extra += drive(d, i)
    return t.qemu(append="vms=" + vms, extra=extra, snapshot=snapshot, mem=mem)


def expect_all(q, patterns):
    """Wait until every pattern has appeared, in any order (VMs interleave)."""
    while not all(re.search(p, q.output) for p in patterns):
        q.expect(r"\n")


def shell(q, tag=""):
    q.expect(at(tag) + r"init: starting sh")


def run(q, cmd, tag=""):
    """Type a command line. The console keeps what is typed ahead, and its echo
    may be split by other VMs' lines, so only the command's output is awaited."""
    q.send(cmd + "\r")


def ptest(t, q, tag):
    run(q, "ptest", tag)
    for c in PTEST:
        m = q.expect(at(tag) + r"ptest: (ok|FAILED): " + re.escape(c))
        t.check(m.group(1) == "ok", "ptest: %s failed" % c)
    q.expect(at(tag) + r"ptest: all process tests passed")


def script(t, q, tag):
    run(q, "echo hello world > f; cat f | wc", tag)
    q.expect(at(tag) + r"1 2 12")
    run(q, "mkdir d; echo in d > d/g; cat d/g; ls d", tag)
    q.expect(at(tag) + r"in d")
    q.expect(at(tag) + r"g +2 \d+ 5")
    run(q, "rm f; cat f", tag)
    q.expect(at(tag) + r"cat: cannot open f")
    run(q, "echo one two > x; ln x y; rm x; grep tw.* y; cat y | wc; kill 999", tag)
    q.expect(at(tag) + r"one two")
    q.expect(at(tag) + r"1 2 8")
    q.expect(at(tag) + r"kill: no process 999")
    run(q, "forktest", tag)
    q.expect(at(tag) + r"fork test OK")


@test("bare: xv6a's process system calls from user mode (ptest)", timeout=60)
def t_bare_ptest(t):
    q = bare(t)
    shell(q)
    ptest(t, q, "")


@test("bare: shell scripts: pipes, redirection, ;, files, directories, coreutils", timeout=60)
def t_bare_script(t):
    q = bare(t)
    shell(q)
    script(t, q, "")


@test("vmos: the same ptest passes in ring 1 beside mini", timeout=90)
def t_guest_ptest(t):
    q = guest(t)
    q.expect(r"VM 1: xv6a, 32768 KiB, disk hd0 \(1000 sectors, trap mode\)")
    shell(q, "[xv6a.1] ")
    ptest(t, q, "[xv6a.1] ")
    q.expect(r"\[mini\.2\] ticker")


@test("vmos: the same shell script gives the same output", timeout=90)
def t_guest_script(t):
    q = guest(t)
    shell(q, "[xv6a.1] ")
    script(t, q, "[xv6a.1] ")
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("stats\r")
    m = q.expect(r"disk hd0: (\d+) commands, (\d+) I/O instructions emulated")
    t.check(int(m.group(2)) > 100, "little emulated disk I/O: %s" % m.group(0))
    m = q.expect(r"shadow: hidden faults (\d+), pgdir loads (\d+),")
    t.check(int(m.group(2)) > 10, "few pgdir loads: %s" % m.group(0))


@test("xv6 programs: one that defines printf itself links, and its own printf runs (bare, "
      "vmos)", timeout=90)
def t_own_printf(t):
    # user/xv6a/ownprintf.c defines printf as xv6's forktest does; with the user
    # library an archive the program's definition wins (with a plain list of
    # objects the link failed: multiple definition of printf).
    mine = r"ownprintf: the program's own printf ran \(%d is not formatted\)"
    q = bare(t)
    shell(q)
    run(q, "ownprintf")
    q.expect(r"\n(?:\$ )*" + mine)
    q.kill()
    q = guest(t, "xv6a:32M:hd0")
    shell(q, "[xv6a.1] ")
    run(q, "ownprintf")
    q.expect(at("[xv6a.1] ") + mine)


@test("user programs are built with -g: gdb finds their source lines", timeout=30)
def t_user_debug_info(t):
    # out/xv6a/user/_NAME is the symbol file for gdb; the disk's copy is stripped.
    want = [("_sh", "main", "user/xv6a/sh.c"), ("_usertests", "main", "user/xv6a/usertests.c"),
            ("_sh", "printf", "user/xv6a/printf.c"), ("_sh", "fork", "user/xv6a/usys.S")]
    for prog, fn, src in want:
        p = t.spawn(["gdb", "-batch", "-nx", "-ex", "info line " + fn,
                     os.path.join("out", "xv6a", "user", prog)])
        p.wait_exit()
        t.check(re.search(r'Line \d+ of "%s"' % re.escape(src), p.output),
                "gdb on %s: expected `info line %s` to name %s, got: %s"
                % (prog, fn, src, p.output.strip()))


def growmem(t, q, tag, where):
    run(q, "growmem 100")
    m = q.expect(at(tag) + r"growmem: (ok|FAIL .*?)\r?\n")
    t.check(m.group(1) == "ok", "%s: a process grown to 100 MiB with sbrk, every page "
            "written, read back and shrunk (twice): expected growmem: ok, got growmem: %s"
            % (where, m.group(1)))


@test("memory: a process grows to 100 MiB, touches every page and shrinks again, bare "
      "(QEMU -m 128) and in a 128 MiB VM", timeout=120)
def t_growmem(t):
    # xv6a uses the memory it is given (it used to stop at 32 MiB): bare, what
    # the boot loader's memory map says; as a guest, the VM's size.
    q = bare(t, mem=128)
    m = q.expect(r"xv6a: booting on bare, (\d+) MiB\r?\n")
    t.check(int(m.group(1)) >= 120, "bare QEMU -m 128: xv6a uses %s MiB" % m.group(1))
    shell(q)
    growmem(t, q, "", "bare, QEMU -m 128")
    q.kill()
    q = guest(t, "xv6a:128M:hd0", mem=256)
    m = q.expect(r"\[xv6a\.1\] xv6a: booting on vmos, (\d+) MiB\r?\n")
    t.check(m.group(1) == "128", "a 128 MiB VM: xv6a uses %s MiB" % m.group(1))
    shell(q, "[xv6a.1] ")
    growmem(t, q, "[xv6a.1] ", "in a 128 MiB VM")


@test("guest time: under disk load a guest's uptime and sleep follow the host's ticks",
      timeout=120)
def t_guest_clock(t):
    # Virtual timer ticks that come while the guest keeps its virtual IF off (its
    # kernel driving a trap-mode disk) are merged into one; xv6a reads its time
    # from the host's clock in the shared page and takes pending interrupts on
    # its way back to user mode. It used to count delivered ticks: its uptime
    # advanced 1 tick in 6 s of disk work, and a sleeper beside it never woke.
    q = guest(t, "xv6a:32M:hd0")
    shell(q, "[xv6a.1] ")
    run(q, "diskclock 20")
    disk = r"diskclock: 20 rounds of disk work, uptime advanced (\d+) ticks\r?\n"
    nap = r"diskclock: sleep 20 took (\d+) ticks of uptime\r?\n"
    expect_all(q, [disk, nap] +          # (a host line may split a guest's line)
               [r"vmos: mark 1 diskclock-%s: " % w for w in
                ("begin", "end", "sleep-begin", "sleep-end")])
    host = dict((m.group(1), int(m.group(2))) for m in
                re.finditer(r"vmos: mark 1 diskclock-(\S+): .*? ticks (\d+) ", q.output))
    guest_disk = int(re.search(disk, q.output).group(1))
    host_disk = host["end"] - host["begin"]
    t.check(abs(guest_disk - host_disk) <= 2 + host_disk // 20,
            "20 rounds of disk work took %d host ticks; the guest's uptime advanced %d "
            "(expected the same, within 2 + 5%%)" % (host_disk, guest_disk))
    host_nap = host["sleep-end"] - host["sleep-begin"]
    t.check(19 <= host_nap <= 24,
            "sleep(20) beside the disk work took %d host ticks (expected 20: 19 to 24)"
            % host_nap)
    t.check(host["sleep-end"] <= host["end"],
            "the sleeper woke at host tick %d, after the disk work ended (%d): it did not "
            "sleep under load" % (host["sleep-end"], host["end"]))


@test("disk: a file written in one boot is read back in the next", timeout=90)
def t_persist(t):
    img = os.path.join(t.log_dir, "persist.img")
    shutil.copy(FSIMG, img)
    q = guest(t, "xv6a:32M:hd0", (img,), snapshot=False)
    shell(q, "[xv6a.1] ")
    run(q, "echo kept across boots > keep; cat keep")
    q.expect(at("[xv6a.1] ") + r"kept across boots")
    q.kill()                     # no shutdown: the log must have committed already
    q = guest(t, "xv6a:32M:hd0", (img,), snapshot=False)
    shell(q, "[xv6a.1] ")
    run(q, "cat keep")
    q.expect(at("[xv6a.1] ") + r"kept across boots")


def usertests_done(q, tag):
    m = q.expect(at(tag) + r"(ALL TESTS PASSED|usertests: \d+ tests FAILED|usertests: FAIL .*)\r?\n")
    return m.group(1)


@test("usertests: passes on bare QEMU", timeout=180)
def t_usertests_bare(t):
    q = bare(t)
    shell(q)
    run(q, "usertests")
    r = usertests_done(q, "")
    t.check(r == "ALL TESTS PASSED", "usertests on bare QEMU: " + r)


@test("usertests: passes in an xv6a guest beside two mini", timeout=180)
def t_usertests_guest(t):
    q = guest(t, "xv6a:32M:hd0,mini,mini")
    shell(q, "[xv6a.1] ")
    run(q, "usertests")
    r = usertests_done(q, "[xv6a.1] ")
    t.check(r == "ALL TESTS PASSED", "usertests in xv6a.1: " + r)


def bench_counts(q, tag, work, n):
    """Run `bench work` and return the host's counters around it (their change)."""
    run(q, "bench " + work)
    marks = {}
    for end in ("begin", "end"):
        m = q.expect(r"vmos: mark 1 %s-%s: (.*)\n" % (work, end))
        marks[end] = dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", m.group(1)))
    q.expect(at(tag) + r"bench: %s n %d total \d+\r?\n" % (work, n))
    return dict((k, marks["end"][k] - marks["begin"][k]) for k in marks["begin"])


def other_exits(d):
    """Host entries in a mark window besides the host timer's (at most one a host
    tick, and how many ticks a workload takes depends on the machine's load) and
    hypercalls."""
    return d["exits"] - d["ticks"] - d["hcalls"]


@test("bench: a guest page fault is reflected once, then filled; a switch keeps global "
      "pages; system calls skip the host", timeout=90)
def t_bench_counts(t):
    q = bare(t)                              # the same program runs bare (no host marks)
    shell(q)
    run(q, "bench page-fault")
    q.expect(r"bench: page-fault n 1000 total \d+\r?\n")
    q.kill()
    q = guest(t, "xv6a:32M:hd0")
    shell(q, "[xv6a.1] ")
    d = bench_counts(q, "[xv6a.1] ", "page-fault", 1000)
    # each first touch: the guest's tables say not present, so the host reflects
    # the fault (a guest trap, CR2 in the shared page); xv6a maps a page and the
    # retry is a hidden fault that fills the shadow from the guest's new entry
    # (and xv6a zeroing the page through its map of all memory may be another).
    t.check(d["faults"] == 1000, "1000 lazy pages, %d faults reflected" % d["faults"])
    t.check(1000 <= d["hidden"] <= 2100, "1000 lazy pages, %d hidden faults" % d["hidden"])
    # xv6a's kernel mappings are global (PTE_G), which the shadow keeps across a
    # page-directory load: a process switch refills only the process's own pages.
    d = bench_counts(q, "[xv6a.1] ", "context-switch", 4000)
    t.check(d["pgdirs"] >= 4000 and d["hidden"] <= 4 * d["pgdirs"],
            "%d hidden faults for %d page-directory loads" % (d["hidden"], d["pgdirs"]))
    # xv6a takes its system calls through a direct gate (TT_DIRECT): the host
    # never sees them; with fasttraps=0 each one enters the host and is reflected.
    d = bench_counts(q, "[xv6a.1] ", "null-syscall", 20000)
    t.check(d["syscalls"] == 0 and other_exits(d) < 200,
            "20000 getpids through the direct gate: %d reflected system calls, %d host entries "
            "(besides the timer's and hypercalls)" % (d["syscalls"], other_exits(d)))
    q.kill()
    q = guest(t, "xv6a:32M:hd0 fasttraps=0")
    shell(q, "[xv6a.1] ")
    d = bench_counts(q, "[xv6a.1] ", "null-syscall", 20000)
    t.check(20000 <= d["syscalls"] < 20100 and other_exits(d) < 20100,
            "20000 getpids with fasttraps=0: %d system calls, %d host entries (besides the "
            "timer's and hypercalls)" % (d["syscalls"], other_exits(d)))


@test("disk modes: usertests passes with xv6a's disk in pass mode and in pv mode", timeout=180)
def t_usertests_disk_modes(t):
    for mode, cmds in (("pass", r"0"), ("pv", r"[1-9]\d*")):
        q = guest(t, "xv6a:32M:hd0:" + mode)
        q.expect(r"VM 1: xv6a, 32768 KiB, disk hd0 \(1000 sectors, %s mode\)" % mode)
        shell(q, "[xv6a.1] ")
        run(q, "usertests")
        r = usertests_done(q, "[xv6a.1] ")
        t.check(r == "ALL TESTS PASSED", "usertests, disk in %s mode: %s" % (mode, r))
        # pass: the real controller, nothing for the host to do; pv: a
        # hypercall per sector, no I/O instruction emulated either way.
        q.send("\x1d")
        q.expect(r"vmos> ")
        q.send("stats\r")
        m = q.expect(r"disk hd0: (\d+) commands, (\d+) I/O instructions emulated")
        t.check(re.fullmatch(cmds, m.group(1)) and m.group(2) == "0",
                "%s mode: %s" % (mode, m.group(0)))
        q.kill()


@test("bench: make bench's xv6a half prints every row, with the counted events", timeout=240)
def t_bench_xv6a(t):
    p = t.spawn(["python3", "grade/bench.py", "--only", "xv6a", "--runs", "1"])
    t.check(p.wait_exit() == 0, "bench.py failed")
    rows = {}
    num = r"\s+([\d.]+)"
    for m in re.finditer(r"^(\S.*?|  \S.*?)" + num * 11 + r"\s*$", p.output, re.M):
        rows[m.group(1).strip()] = [float(x) for x in m.groups()[1:]]
    want = ["null system call (getpid)", "reflected by the host (fasttraps=0)",
            "fork + exit + wait", "fork + exec + exit + wait",
            "process context switch (pipe ping-pong)", "page fault (lazy sbrk, first touch)",
            "usertests, whole", "disk in pass mode (the real controller)",
            "disk in pv mode (a hypercall per sector)", "heap re-touch, 1000 pages (goal <= 1.5x)"]
    t.check(all(w in rows for w in want), "rows missing: %s\n%s" % (
        [w for w in want if w not in rows], p.output))
    # columns: instr bare, guest, ratio, wall bare, guest, ratio, entries, hidden,
    # reflected, emulated, pgdirs. Counted events only, no timing:
    t.check(rows[want[0]][6] == 0.0, "a direct system call entered the host")
    t.check(rows[want[1]][6] == 1.0 and rows[want[1]][8] == 1.0,
            "a reflected system call should be one host entry")
    t.check(rows[want[6]][9] > 0 and rows[want[7]][9] == 0.0 and rows[want[8]][9] == 0.0,
            "emulated I/O: trap %s, pass %s, pv %s" % (rows[want[6]][9], rows[want[7]][9],
                                                        rows[want[8]][9]))
    t.check(re.search(r"usertests wall time .*bare [\d.]+ s; guest", p.output),
            "no usertests wall time")
    # One process re-touching its 1000 heap pages while the timer ticks: xv6a
    # must not reload its page directory when the same process runs again, or
    # each tick's load empties the host's shadow and 1000 hidden faults refill it.
    m = re.search(r"hidden faults per timer tick, heap re-touch: [\d.]+ \((\d+) hidden faults, "
                  r"(\d+) page-directory loads in (\d+) ticks", p.output)
    t.check(m, "no line of hidden faults per timer tick for heap re-touch\n" + p.output)
    hidden, pgdirs, ticks = (int(x) for x in m.groups())
    t.check(ticks >= 3, "heap re-touch lasted %d timer ticks: too few to tell" % ticks)
    t.check(pgdirs == 0 and hidden < 1000,
            "one process re-touching 1000 heap pages over %d timer ticks: expected no "
            "page-directory load and fewer hidden faults than one refill (1000), got %d loads "
            "and %d hidden faults" % (ticks, pgdirs, hidden))
