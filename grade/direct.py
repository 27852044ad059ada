# direct.py: direct paging (suite direct; issue 11 item 3, vmos/direct.c). The
# CPU walks a direct-mode guest's own page tables, which hold machine
# addresses and which the guest changes only through validated hypercalls.
# xv6a runs that way (pv.h, guests/xv6a/pv_direct.c) beside a shadow-mode
# xv6a and a mini; the host hides no page fault from it and a process switch
# costs it one host entry; and the test guest guests/dirtest tries every bad
# input against HC_MMU_PIN, HC_MMU_UPDATE and HC_SET_PGDIR.
import re

import hostile
from gradelib import test
from xv6a import FSIMG, at, bench_counts, growmem, guest, run, shell  # noqa: F401
from xv6a_multi import usertests_both


def direct_boot(t, vms="xv6a:32M:hd0:direct"):
    q = guest(t, vms)
    q.fail_on(r"panic: ([^\r\n]*)", "the host panicked: {0}")
    q.fail_on(r"vmos: stopped VM 1 \(([^)]*)\): ([^\r\n]*)\r?\n", "the host stopped {0}: {1}")
    q.expect(r"VM 1: xv6a, 32768 KiB, disk hd0 \(1000 sectors, trap mode\), direct paging")
    q.expect(at("[xv6a.1] ") + r"xv6a: direct paging")
    shell(q, "[xv6a.1] ")
    return q


@test("direct: usertests passes in a direct-mode xv6a and a shadow-mode xv6a at once, "
      "a mini beside them", timeout=400)
def t_usertests(t):
    q = usertests_both(t, "xv6a:32M:hd0:direct,xv6a:32M:hd2,mini", (FSIMG, "", FSIMG))
    t.check(re.search(r"VM 1: xv6a, .*direct paging", q.output) and
            not re.search(r"VM 2: xv6a, .*direct paging", q.output),
            "VM 1 should be in direct mode and VM 2 in shadow mode")
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("stats\r")
    q.expect(r"xv6a\.2")


@test("direct: no hidden faults; a process switch is one host entry; fork+exec+exit+wait "
      "costs fewer host entries than in shadow mode", timeout=240)
def t_counts(t):
    q = direct_boot(t)
    d = bench_counts(q, "[xv6a.1] ", "page-fault", 1000)
    # each first touch is the guest's own fault (reflected), never a hidden one
    t.check(d["hidden"] == 0, "%d hidden faults in direct mode" % d["hidden"])
    t.check(d["faults"] == 1000, "1000 lazy pages, %d faults reflected" % d["faults"])
    d = bench_counts(q, "[xv6a.1] ", "context-switch", 4000)
    entries = d["exits"] - d["ticks"]        # the host timer's are the machine's, not the switch's
    t.check(d["hidden"] == 0 and d["pgdirs"] >= 4000,
            "%d hidden faults, %d pgdir loads" % (d["hidden"], d["pgdirs"]))
    # the pipe ping-pong's switches: each one HC_SET_PGDIR and nothing else
    # (the odd virtual interrupt and idle aside: within 1.1 a load)
    t.check(entries * 10 <= d["pgdirs"] * 11,
            "%d host entries (besides the timer's) for %d page-directory loads"
            % (entries, d["pgdirs"]))
    direct = bench_counts(q, "[xv6a.1] ", "fork-exec-exit", 100)
    q.kill()
    t.check(direct["hidden"] == 0, "%d hidden faults in fork+exec" % direct["hidden"])
    q = guest(t, "xv6a:32M:hd0")
    q.fail_on(r"vmos: stopped VM 1 \(([^)]*)\): ([^\r\n]*)\r?\n", "the host stopped {0}: {1}")
    shell(q, "[xv6a.1] ")
    shadow = bench_counts(q, "[xv6a.1] ", "fork-exec-exit", 100)
    de, se = direct["exits"] - direct["ticks"], shadow["exits"] - shadow["ticks"]
    t.check(de * 2 < se, "fork+exec+exit+wait x100: %d host entries in direct mode, %d in "
            "shadow mode (want under half)" % (de, se))


@test("direct: a process grows to 100 MiB, touches every page and shrinks again in a "
      "128 MiB direct-mode VM (a hundred page tables pinned, updated, let go)", timeout=120)
def t_growmem(t):
    q = guest(t, "xv6a:128M:hd0:direct", mem=256)
    q.fail_on(r"panic: ([^\r\n]*)", "panic: {0}")
    q.expect(r"\[xv6a\.1\] xv6a: direct paging")
    shell(q, "[xv6a.1] ")
    growmem(t, q, "[xv6a.1] ", "in a 128 MiB direct-mode VM")


@test("direct: a flat guest or a PC kernel asking for direct paging is not booted; "
      "mmu= checks its argument", timeout=60)
def t_bad_config(t):
    q = t.qemu(append="vms=mini:direct,xv6a-trap:32M:direct,mini mmu=sideways")
    q.expect(r"vmos: mmu=sideways is not a memory mode \(shadow or direct\); using shadow")
    q.expect(r"vmos: 'mini': memory mode 'direct' needs a paged guest that makes hypercalls "
             r"\(this is a flat guest\); not booted")
    q.expect(r"vmos: 'xv6a-trap': memory mode 'direct' needs a paged guest that makes "
             r"hypercalls \(this is a PC kernel \(trap mode\)\); not booted")
    q.expect(r"vmos: VM 1: mini, 2048 KiB\r?\n")
    q.expect(r"\[mini\.1\] ticker")
    q.kill()
    # mmu=direct applies to the paged pv guests only: the mini boots as ever
    q = t.qemu(append="vms=mini,pgtest mmu=direct")
    q.expect(r"vmos: VM 1: mini, 2048 KiB\r?\n")
    q.expect(r"vmos: VM 2: pgtest, 2048 KiB, direct paging")


# What guests/dirtest prints for each attempt, and the host's answer.
E_INVAL, E_FAULT, E_PERM = -1, -2, -4
REFUSED = [
    ("set_pgdir of an unpinned page", E_PERM),
    ("pin at an unaligned address", E_FAULT),
    ("pin outside its memory", E_FAULT),
    ("pin a directory whose entry leads to an unpinned page", E_PERM),
    ("pin a page mapped writable", E_PERM),
    ("an entry pointing outside the VM", E_FAULT),
    ("a writable mapping of a pinned table", E_PERM),
    ("a switcher-region mapping", E_PERM),
    ("an entry in a page that is no pinned table", E_INVAL),
    ("an unaligned entry address", E_INVAL),
    ("an entry address outside its memory", E_FAULT),
    ("a 4 MiB page", E_INVAL),
    ("a directory entry to an unpinned page", E_PERM),
    ("a batch too long", E_INVAL),
    ("unpin the loaded directory", E_PERM),
    ("unpin a table a pinned directory points at", E_PERM),
    ("a good pair then a bad one", E_PERM),
]
DONE = [("pin pt_k", 0), ("pin pt_u", 0), ("pin pd", 0), ("set_pgdir", 0),
        ("index of the refused pair", 1), ("0x3000 reads (A=65)", 65),
        ("a good batch of two", 2), ("0x2000 reads (B=66), no invlpg", 66),
        ("a read-only mapping of a pinned table, read", 1)]


@test("direct: bad pins, updates and loads are refused and counted; writing a pinned "
      "table faults; the switcher region stops the VM; a mini runs on", timeout=60)
def t_bad_input(t):
    q = t.qemu(append="vms=dirtest:4M:direct,mini")
    q.fail_on(r"panic: ([^\r\n]*)", "the host panicked: {0}")
    q.fail_on(r"dirtest: [^\r\n]*\(wrong\)", "dirtest: the host let it through")
    q.expect(r"vmos: mark 1 refusals: .*\n")
    said = dict(re.findall(r"dirtest: ([^:\r\n]+): (-?\d+)\r?\n", q.output))
    for what, want in REFUSED + DONE:
        t.check(what in said, "dirtest said nothing of: " + what)
        t.check(int(said.get(what, 0)) == want, "%s: got %s, expected %d" % (
            what, said.get(what), want))
    marks = dict((label, dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", rest)))
                 for label, rest in re.findall(r"vmos: mark 1 (\w+): (.*)\n", q.output))
    refused = sum(1 for _, want in REFUSED if want < 0)
    t.check(marks["refusals"]["mmu_refused"] == refused,
            "mmu_refused %d, expected %d" % (marks["refusals"]["mmu_refused"], refused))
    t.check(marks["refusals"]["bad_hcalls"] == refused,
            "bad_hcalls %d, expected %d" % (marks["refusals"]["bad_hcalls"], refused))
    t.check(marks["refusals"]["hidden"] == 0, "hidden faults in direct mode")
    q.expect(r"dirtest: writing a pinned table faulted: reflected to its kernel")
    q.expect(r"vmos: stopped VM 1 \(dirtest\.1\): page fault at 0xffd00000 in the switcher "
             r"region \(write in ring 1\)")
    q.expect(r"\[mini\.2\] ticker")
    q.expect(r"\[mini\.2\] ticker")


@test("direct: an xv6a process in direct mode: every privileged instruction and hypercall "
      "(HC_MMU_UPDATE too) is its #GP, the switcher region its page fault; the shell and a "
      "mini run on", timeout=120)
def t_hostile_process(t):
    q = hostile.boot(t, "xv6a:32M:hd0:direct,mini", drives=[(0, FSIMG)])
    q.expect(r"\[xv6a\.1\] xv6a: direct paging")
    q.expect(r"\[xv6a\.1\] init: starting sh")
    hostile.ring3_refused(t, q, "xv6a.1")
    q.send("hostile switcher\r")
    # err 5, not shadow mode's 4: the directory the CPU walks is the guest's
    # own, whose switcher slot the host filled (present, supervisor only)
    q.expect(r"pid \d+ hostile: trap 14 err 5 .*addr 0xffc00000--kill proc")
    hostile.xv6a_alive(t, q)
