# balloon.py: ballooning (suite balloon; lab 4, issue 11 item 4). The monitor's
# `balloon N SIZE` asks VM N to hold SIZE; its balloon driver (xv6a's
# guests/xv6a/balloon.c, mini's guests/mini/balloon.c) gives free pages back
# with HC_BALLOON, and the host puts them in its own free memory (vmos/balloon.c):
# `mem` shows the host's free pages rise by what the guest gave, `stats` counts
# pages given, taken and refused. A higher target gives them back. Bad monitor
# arguments each get a clear message; a hostile mini's bad batches are refused
# and counted; one that touches a page it gave back is stopped, naming it.
import re

from gradelib import test
from lab1 import enter_monitor, monitor, silence_watch
from xv6a import FSIMG, at, drive

BUDGET = 6000            # host ticks (60 s of host time) a boot may take


def boot(t, vms, disks=(), mem=128, attacker=None):
    extra = []
    for i, d in enumerate(disks):
        extra += drive(d, i)
    q = t.qemu(append="vms=%s stopafter=%d" % (vms, BUDGET), mem=mem, extra=extra,
               probe=True)
    q.fail_on(r"vmos: stopafter=(\d+) reached",
              "the host used up the test's budget of {0} host ticks first")
    q.fail_on(r"panic: ([^\r\n]*)", "the host panicked: {0}")

    def stopped(m):
        if m.group(1) == attacker:
            return None
        return "the host stopped VM %s: %s" % (m.group(1), m.group(2))
    q.fail_on(r"vmos: stopped VM \d+ \(([^)]*)\): ([^\r\n]*)\r?\n", stopped)
    q.watch(silence_watch(1000), every=1.0)
    return q


def free_pages(q):
    out = monitor(q, "mem")
    m = re.search(r"pages: (\d+) total, (\d+) free", out)
    return int(m.group(2))


def balloon_stats(q, vm):
    """VM vm's balloon line of `stats`: {target, holds, out, given, taken, short, refused}."""
    out = monitor(q, "stats")
    m = re.search(r"^VM %d \(.*?\n  balloon: target (\d+) KiB, holds (\d+) KiB \((\d+) pages "
                  r"given back\); pages given (\d+), taken (\d+), short (\d+); refused calls "
                  r"(\d+); machine pages freed (\d+)" % vm, out, re.M | re.S)
    if not m:
        return None
    keys = ("target", "holds", "out", "given", "taken", "short", "refused", "freed")
    return dict(zip(keys, (int(g) for g in m.groups())))


def leave(q):
    """Back to the guests: their held lines come out."""
    q.send("cont\r")
    q.expect(r"Ctrl-\] for the monitor")


def reached(t, q, tag, kib, guest="xv6a"):
    """Wait for the guest's line saying it holds kib KiB; the pages it gave back."""
    m = q.expect(r"\[%s\] (?:\$ )*%s: balloon: holds (\d+) KiB, (\d+) pages given back "
                 r"\(target %d KiB\)([^\r\n]*)" % (re.escape(tag), guest, kib),
                 what="%s to say it holds %d KiB" % (tag, kib))
    t.check(m.group(3) == "", "%s did not reach its target of %d KiB: holds %s KiB%s"
            % (tag, kib, m.group(1), m.group(3)))
    return int(m.group(2))


def xv6a_boot(t, vms="xv6a:32M:hd0,mini"):
    q = boot(t, vms, disks=[FSIMG])
    q.expect(r"\[xv6a\.1\] init: starting sh")
    return q


def shell_ok(q, word):
    q.send("echo %s\r" % word)
    q.expect(at("[xv6a.1] ") + word)


def growmem(t, q, mib, ok):
    q.send("growmem %d\r" % mib)
    m = q.expect(at("[xv6a.1] ") + r"growmem: (ok|FAIL .*?)\r?\n")
    if ok:
        t.check(m.group(1) == "ok", "growmem %d should run in what the VM holds: %s"
                % (mib, m.group(1)))
    else:
        t.check("sbrk could not grow" in m.group(1), "growmem %d should fail cleanly (sbrk "
                "refuses more than is free), got: growmem: %s" % (mib, m.group(1)))


@test("xv6a: balloon 1 8M: it gives its free pages back; the host's free pages rise by "
      "the machine pages among them; the shell and a program that allocates still run",
      timeout=120)
def t_xv6a_shrink(t):
    q = xv6a_boot(t)
    shell_ok(q, "before")
    # Pages xv6a never wrote are the host's zero page (share.c): giving them
    # frees nothing. A program that grows and exits leaves written free pages.
    growmem(t, q, 16, True)
    enter_monitor(q)
    before = free_pages(q)
    monitor(q, "balloon 1 8M")
    leave(q)
    given = reached(t, q, "xv6a.1", 8192)
    t.check(given == 24 * 256, "a 32 MiB xv6a asked to hold 8 MiB gave %d pages, not %d"
            % (given, 24 * 256))
    shell_ok(q, "after")
    growmem(t, q, 4, True)
    growmem(t, q, 12, False)
    enter_monitor(q)
    after = free_pages(q)
    s = balloon_stats(q, 1)
    t.check(s is not None, "stats shows no balloon line for VM 1")
    t.check(s["given"] == given and s["out"] == given and s["holds"] == 8192,
            "stats counts %r; the guest said it gave %d pages" % (s, given))
    t.log("\nhost free pages %d -> %d (+%d); xv6a gave %d, %d of them machine pages\n"
          % (before, after, after - before, given, s["freed"]))
    t.check(s["freed"] >= 16 * 256 - 64, "of the pages it gave, only %d were machine pages; "
            "growmem 16 had written 4096" % s["freed"])
    # The shadow's page tables are emptied at each give and refilled as the
    # guest runs, and growmem 4 took pages: between the two reads they differ
    # by those (growmem's 1024 and a few tables).
    rise = after - before + 4 * 256
    t.check(abs(rise - s["freed"]) <= 16, "the host's free pages went from %d to %d "
            "(+%d, +%d without growmem 4's pages) while the guest gave back %d machine pages"
            % (before, after, after - before, rise, s["freed"]))
    out = monitor(q, "mem")
    t.check(re.search(r"ballooned: %d pages given back" % given, out),
            "mem does not say %d pages are ballooned: %r" % (given, out))


@test("xv6a: a higher target gives the pages back; the program that could not grow "
      "now runs", timeout=120)
def t_xv6a_deflate(t):
    q = xv6a_boot(t)
    enter_monitor(q)
    monitor(q, "balloon 1 8M")
    leave(q)
    given = reached(t, q, "xv6a.1", 8192)
    growmem(t, q, 16, False)
    enter_monitor(q)
    low = free_pages(q)
    monitor(q, "balloon 1 32M")
    leave(q)
    t.check(reached(t, q, "xv6a.1", 32768) == 0, "at its full size xv6a still has pages "
            "given back")
    growmem(t, q, 16, True)
    shell_ok(q, "grown")
    enter_monitor(q)
    s = balloon_stats(q, 1)
    t.check(s["given"] == given and s["taken"] == given and s["out"] == 0,
            "stats after deflating: %r (gave %d)" % (s, given))
    high = free_pages(q)
    # Taken back as the zero page, but xv6a's kfree fills each page it frees
    # (junk, so that a use after free shows): the driver's freeing them writes
    # every one, so each costs the host a page at once (and a few tables).
    t.check(abs(low - high - given) <= 32, "the host's free pages went from %d to %d "
            "while the guest took %d back" % (low, high, given))


@test("xv6a: balloon 1 1M: it keeps what it uses and a reserve, says so, and its shell "
      "still runs", timeout=120)
def t_xv6a_floor(t):
    q = xv6a_boot(t)
    enter_monitor(q)
    monitor(q, "balloon 1 1M")
    leave(q)
    m = q.expect(r"\[xv6a\.1\] (?:\$ )*xv6a: balloon: holds (\d+) KiB, (\d+) pages given "
                 r"back \(target 1024 KiB\): the rest is in use")
    t.log("\nxv6a's smallest balloon size: holds %s KiB (gave %s pages)\n" % m.groups())
    shell_ok(q, "small")
    q.send("ls\r")
    q.expect(at("[xv6a.1] ") + r"growmem\s+2 ")
    growmem(t, q, 1, False)


def mini_round(t, q, vm, tag, total_kib, kib):
    """balloon vm to kib; the guest's pages given back and the host's free pages after."""
    enter_monitor(q)
    before = free_pages(q)
    monitor(q, "balloon %d %dK" % (vm, kib))
    leave(q)
    given = reached(t, q, tag, kib, guest="mini")
    enter_monitor(q)
    after = free_pages(q)
    leave(q)
    return given, after - before


@test("mini: balloon 1 4M of 16M: 3072 pages given, the host's free pages rise by the "
      "machine pages among them; back to 16M: all taken back, as zero pages; it keeps "
      "running", timeout=90)
def t_mini(t):
    q = boot(t, "mini:16M,mini:16M")
    q.expect(r"\[mini\.1\] ticker: uptime")
    given, rise = mini_round(t, q, 1, "mini.1", 16384, 4096)
    t.check(given == 3072, "mini gave %d pages, not 3072" % given)
    enter_monitor(q)
    s = balloon_stats(q, 1)
    leave(q)
    # A flat guest's map has no tables to rebuild: the rise is exact. mini
    # never wrote most of these pages (the zero page: nothing to free).
    t.check(rise == s["freed"], "the host's free pages rose by %d; mini gave %d, %d of them "
            "machine pages" % (rise, given, s["freed"]))
    q.expect(r"\[mini\.1\] ticker: uptime")
    q.expect(r"\[mini\.2\] ticker: uptime")
    back, fall = mini_round(t, q, 1, "mini.1", 16384, 16384)
    t.check(back == 0 and fall == 0, "after balloon 1 16M mini has %d pages out and "
            "the host's free pages fell by %d: taken back as zero pages, none should"
            % (back, -fall))
    q.expect(r"\[mini\.1\] ticker: uptime")
    enter_monitor(q)
    s = balloon_stats(q, 1)
    t.check(s["given"] == 3072 and s["taken"] == 3072 and s["refused"] == 0,
            "stats: %r" % s)


@test("monitor: balloon with bad arguments: a clear message for each, no target set",
      timeout=60)
def t_monitor_args(t):
    # VM 2 is a PC kernel (trap mode): it makes no hypercalls, so it has no driver.
    q = boot(t, "mini:4M,xv6a-trap:32M:hd0:trap,mini-kdiv", disks=[FSIMG],
             attacker="mini-kdiv.3")
    while not (re.search(r"vmos: stopped VM 3 \(mini-kdiv\.3\)", q.output) and
               re.search(r"\[xv6a-trap\.2\] init: starting sh", q.output)):
        q.expect(r"\n")          # (the two come in either order)
    enter_monitor(q)
    cases = [
        ("balloon", r"usage: balloon N SIZE"),
        ("balloon 1", r"usage: balloon N SIZE"),
        ("balloon x 2M", r"usage: balloon N SIZE"),
        ("balloon 9 2M", r"balloon: no VM 9"),
        ("balloon 3 2M", r"balloon: VM 3 \(mini-kdiv\.3\) is stopped"),
        ("balloon 2 2M", r"balloon: VM 2 \(xv6a-trap\.2\) has no balloon driver"),
        ("balloon 1 2Q", r"balloon: '2Q' is not a size"),
        ("balloon 1 M", r"balloon: 'M' is not a size"),
        ("balloon 1 8M", r"balloon: VM 1 \(mini\.1\) can hold 1024 KiB to 4096 KiB, not "
                         r"8192 KiB"),
        ("balloon 1 512K", r"balloon: VM 1 \(mini\.1\) can hold 1024 KiB to 4096 KiB, not "
                           r"512 KiB"),
        ("balloon 1 99999999999M", r"is not a size"),
    ]
    for cmd, want in cases:
        out = monitor(q, cmd)
        t.check(re.search(want, out), "'%s' printed %r; expected /%s/" % (cmd, out, want))
    s = balloon_stats(q, 1)
    t.check(s is None, "a refused command set a target: %r" % s)
    out = monitor(q, "balloon 1 2M")
    t.check(re.search(r"balloon: VM 1 \(mini\.1\) asked to hold 2048 KiB of its 4096 KiB", out),
            "a good command: %r" % out)


BAD = [("give beyond its memory", -1), ("give its shared page", -4),
       ("give an unaligned address", -1), ("give one page twice in a batch", -1),
       ("give a free page", 1), ("give it again", -1),
       ("give a batch with a given page last", -1), ("take a page it never gave", -1),
       ("take a given page and one never given", -1), ("give a batch of 257", -1),
       ("give 0 pages", -1), ("give from a bad pointer", -2), ("op 7", -1),
       ("take the given page back", 1), ("take it back again", -1)]


@test("hostile: bad HC_BALLOON batches (pages it does not have, its shared page, twice, "
      "never given, too long) are refused whole and counted; others run", timeout=60)
def t_hostile_batches(t):
    q = boot(t, "mini-balbad:4M,mini")
    for what, want in BAD:
        m = q.expect(r"\[mini-balbad\.1\] mini: balbad: %s: (-?\d+)\r?\n" % re.escape(what))
        t.check(int(m.group(1)) == want, "%s: HC_BALLOON returned %s, expected %d"
                % (what, m.group(1), want))
    m = q.expect(r"balbad: it reads (0x[0-9a-f]+); the page never given reads "
                 r"(0x[0-9a-f]+)\r?\n")      # (whole: a partial 0x1 of 0x1234 failed once)
    t.check(m.group(1) == "0x0", "a page taken back reads %s, not zero" % m.group(1))
    t.check(m.group(2) == "0x1234", "a refused batch changed a page it held: it reads %s"
            % m.group(2))
    q.expect(r"\[mini-balbad\.1\] ticker: uptime")
    q.expect(r"\[mini\.2\] ticker: uptime")
    enter_monitor(q)
    s = balloon_stats(q, 1)
    refused = sum(1 for _, r in BAD if r < 0)
    t.check(s["refused"] == refused and s["given"] == 1 and s["taken"] == 1 and s["out"] == 0,
            "stats: %r; expected %d refused calls, 1 page given and taken" % (s, refused))


@test("hostile: a mini that writes a page it gave back is stopped, the page named; "
      "the mini beside it runs", timeout=60)
def t_hostile_touch(t):
    q = boot(t, "mini-baltouch:4M,mini", attacker="mini-baltouch.1")
    m = q.expect(r"mini: baltouch: gave guest-physical (0x[0-9a-f]+): 1")
    m2 = q.expect(r"vmos: stopped VM 1 \(mini-baltouch\.1\): (.*)\r?\n")
    t.check(re.search(r"it touched guest-physical %s at 0x[0-9a-f]+, a page it gave back "
                      r"to the host \(balloon\)" % m.group(1), m2.group(1)),
            "stopped for '%s'" % m2.group(1))
    t.check("went through" not in q.output, "the write to a page given back went through")
    q.expect(r"\[mini\.2\] ticker: uptime")
    q.expect(r"\[mini\.2\] ticker: uptime")
