# share.py: content-based page sharing (suite share; issue 11 part 5,
# vmos/share.c). Every guest page starts as a read-only mapping of one host
# zero page, so memory a guest never writes costs nothing; the monitor's
# `share` scan merges identical pages of different VMs into one read-only
# machine page; a write to a shared page gets the writer a private copy (a
# hidden fault, counted) and every other VM keeps the old contents. The test
# guest is mini-share (guests/mini/sharetest.c): 64 pages of a pattern that is
# the same in every copy of it, and lines typed to it that write, check and
# time its pages. Every check here is on counted events (`mem`, `stats`) and
# on what the guests read back, never on time.
import os
import re
import struct

from gradelib import test, REPO_ROOT
from lab1 import HOTKEY, enter_monitor, monitor
from xv6a import FSIMG, drive, expect_all, at, run, usertests_done

PAGES = 64               # mini-share's test pages (guests/mini/sharetest.c)
XV6A = os.path.join(REPO_ROOT, "out", "guests", "xv6a.elf")


def boot(t, vms, mem=128, extra=(), stop_ok=()):
    """vmos with vms=...; a panic, or a VM stopped that the test did not stop
    (ids in stop_ok), fails the test at once."""
    q = t.qemu(append="vms=" + vms, mem=mem, extra=list(extra))
    q.fail_on(r"panic: ([^\r\n]*)", "the host panicked: {0}")

    def stopped(m):
        if int(m.group(1)) in stop_ok:
            return None
        return "the host stopped VM %s (%s): %s" % (m.group(1), m.group(2), m.group(3))
    q.fail_on(r"vmos: stopped VM (\d+) \(([^)]*)\): ([^\r\n]*)\r?\n", stopped)
    return q


def mem(t, q):
    """`mem`: {promised, machine, own, shared, onshared, zero, saved} in pages."""
    out = monitor(q, "mem")
    m = re.search(r"guest memory: (\d+) pages promised to the running VMs, on (\d+) machine "
                  r"pages \((\d+) own, (\d+) shared\)", out)
    n = re.search(r"sharing: (\d+) guest pages on shared pages \((\d+) on the zero page\), "
                  r"\d+ given back; machine pages saved (\d+) ", out)
    u = re.search(r"pages: (\d+) total, (\d+) free, (\d+) in use", out)
    t.check(m and n and u, "mem did not print its guest memory and sharing lines:\n" + out)
    return dict(promised=int(m.group(1)), machine=int(m.group(2)), own=int(m.group(3)),
                shared=int(m.group(4)), onshared=int(n.group(1)), zero=int(n.group(2)),
                saved=int(n.group(3)), in_use=int(u.group(3)))


def stats(t, q):
    """`stats`: {vm id: {pages, copies, zero_copies, owned, merged, hidden}}."""
    out = monitor(q, "stats")
    r = {}
    for block in re.split(r"(?m)^(?=VM \d+ \()", out)[1:]:
        vid = int(re.match(r"VM (\d+)", block).group(1))
        s = re.search(r"sharing: pages shared (\d+), copies on write (\d+) \(of the zero page "
                      r"(\d+)\), writes that took the page (\d+), merged by scans (\d+)", block)
        h = re.search(r" hidden (\d+) ", block)
        t.check(s and h, "stats has no sharing line for VM %d:\n%s" % (vid, block))
        r[vid] = dict(pages=int(s.group(1)), copies=int(s.group(2)),
                      zero_copies=int(s.group(3)), owned=int(s.group(4)),
                      merged=int(s.group(5)), hidden=int(h.group(1)))
    return r


def scan(t, q):
    """The monitor's `share`: the pages it merged."""
    out = monitor(q, "share")
    m = re.search(r"share: scanned (\d+) pages of \d+ VMs: merged (\d+) ", out)
    t.check(m, "share did not say what it merged:\n" + out)
    return int(m.group(2))


def type_to(q, vid, line, reply):
    """Type line to VM vid (from the monitor, back to it after); wait for reply."""
    monitor(q, "focus %d" % vid)
    q.send(HOTKEY)
    q.expect(r"input goes to VM %d" % vid)
    q.send(line + "\r")
    m = q.expect(reply, what="VM %d to answer '%s'" % (vid, line))
    enter_monitor(q)
    return m


def pattern(q, vid, line, what):
    """mini-share vid's answer to line: the pattern its pages hold (or why not)."""
    m = type_to(q, vid, line, r"\[mini-share\.%d\] mini: share: %s: ([^\r\n]*)\r?\n"
                % (vid, what))
    return m.group(1)


def text_pages(path):
    """Pages of an ELF image's executable segments (its text)."""
    data = open(path, "rb").read()
    phoff, = struct.unpack_from("<I", data, 0x1C)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x2A)
    n = 0
    for i in range(phnum):
        ptype, off, vaddr, paddr, filesz, memsz, flags, align = struct.unpack_from(
            "<8I", data, phoff + i * phentsize)
        if ptype == 1 and flags & 1:
            n += filesz // 4096
    return n


@test("zero pages: 8 minis of 2 MiB each run on under a tenth of the 4096 machine pages "
      "promised them; what they never wrote is the one zero page", timeout=60)
def t_zero_minis(t):
    q = boot(t, "mini*8")
    expect_all(q, [r"\[mini\.%d\] ticker: uptime" % i for i in range(1, 9)])
    enter_monitor(q)
    m = mem(t, q)
    t.check(m["promised"] == 8 * 512, "promised %d pages, expected %d" % (m["promised"], 8 * 512))
    t.check(m["machine"] * 10 < m["promised"], "8 minis are on %d machine pages of %d promised: "
            "not under a tenth" % (m["machine"], m["promised"]))
    t.check(m["in_use"] < m["promised"], "the host has %d pages in use in all, not fewer than "
            "the %d promised" % (m["in_use"], m["promised"]))
    t.check(m["zero"] >= 8 * 400, "only %d guest pages on the zero page" % m["zero"])
    s = stats(t, q)
    for v in range(1, 9):
        t.check(s[v]["zero_copies"] > 0 and s[v]["copies"] == s[v]["zero_copies"],
                "VM %d: %d copies, %d of them of the zero page: every page it has of its own "
                "should be a copy of the zero page" % (v, s[v]["copies"], s[v]["zero_copies"]))
        t.check(s[v]["pages"] + s[v]["copies"] == 512, "VM %d: %d pages shared and %d copied "
                "do not add up to its 512" % (v, s[v]["pages"], s[v]["copies"]))


@test("scan: two xv6a and four minis boot on under a tenth of the pages promised; the scan "
      "merges identical pages (the second kernel's text, the minis' images), mem shows the "
      "pages saved, and both shells still work",
      timeout=120)
def t_scan_xv6a(t):
    q = boot(t, "xv6a:32M:hd0,xv6a:32M:hd2,mini*4", extra=drive(FSIMG, 0) + drive(FSIMG, 2))
    expect_all(q, [at("[xv6a.1] ") + "init: starting sh", at("[xv6a.2] ") + "init: starting sh"]
               + [r"\[mini\.%d\] ticker: uptime" % i for i in range(3, 7)])
    enter_monitor(q)
    before = mem(t, q)
    t.check(before["machine"] * 10 < before["promised"], "at their shells two xv6a and four "
            "minis are on %d machine pages of %d promised: not under a tenth"
            % (before["machine"], before["promised"]))
    s0 = stats(t, q)
    merged = scan(t, q)
    after = mem(t, q)
    s1 = stats(t, q)
    # (The VMs run between the monitor's commands: a few of their writes may
    # take copies between the counts.)
    t.check(merged > 0 and merged >= after["saved"] - before["saved"] >= merged * 9 // 10,
            "the scan merged %d pages, and the pages saved went from %d to %d"
            % (merged, before["saved"], after["saved"]))
    t.check(merged >= before["machine"] - after["machine"] >= merged * 9 // 10,
            "machine pages went from %d to %d for %d merged"
            % (before["machine"], after["machine"], merged))
    text = text_pages(XV6A)
    got = s1[2]["merged"] - s0[2]["merged"]
    t.check(got >= text, "xv6a.2: %d pages merged, fewer than the %d of its kernel's text, which "
            "is the same as xv6a.1's" % (got, text))
    for v in (4, 5, 6):
        t.check(s1[v]["merged"] > 0, "mini.%d: none of its pages merged with mini.3's" % v)
    t.check(after["machine"] * 2 < after["promised"], "after the scan %d machine pages hold the "
            "%d promised: not under half" % (after["machine"], after["promised"]))
    q.send(HOTKEY)                   # back to VM 1
    run(q, "echo one shell")
    q.expect(at("[xv6a.1] ") + "one shell")
    enter_monitor(q)
    type_to(q, 2, "echo another shell", at("[xv6a.2] ") + "another shell")
    s2 = stats(t, q)
    t.check(s2[1]["copies"] > s1[1]["copies"] and s2[2]["copies"] > s1[2]["copies"],
            "the shells wrote memory after the scan, and made no copies (xv6a.1 %d -> %d, "
            "xv6a.2 %d -> %d)" % (s1[1]["copies"], s2[1]["copies"], s1[2]["copies"],
                                  s2[2]["copies"]))


@test("copy on write: three mini-share's 64 pattern pages merge into 64; each write "
      "gets the writer its own copy (counted, a hidden fault each) and the others read "
      "the old pattern; the last writer takes the page with no copy", timeout=90)
def t_cow(t):
    q = boot(t, "mini-share*3,mini")
    expect_all(q, [r"\[mini-share\.%d\] mini: share: 64 pages of pattern A" % i
                   for i in (1, 2, 3)] + [r"\[mini\.4\] ticker: uptime"])
    enter_monitor(q)
    merged = scan(t, q)
    s0 = stats(t, q)
    for v in (2, 3):
        t.check(s0[v]["merged"] >= PAGES, "mini-share.%d: %d pages merged, fewer than its %d "
                "pattern pages" % (v, s0[v]["merged"], PAGES))
    t.check(merged >= 2 * PAGES, "the scan merged %d pages" % merged)
    # The side channel: mini-share.1 times a write to each of its pages.
    probe = type_to(q, 1, "probe", r"\[mini-share\.1\] mini: share: probe: ([^\r\n]*)\r?\n")
    t.log("mini-share.1, writes to its 64 shared pages: " + probe.group(1) + "\n")
    s1 = stats(t, q)
    # (Its kernel and tasks write other pages the scan merged too: a few more copies.)
    t.check(s1[1]["copies"] - s0[1]["copies"] >= PAGES, "a write to each of 64 shared pages "
            "made %d copies, expected 64" % (s1[1]["copies"] - s0[1]["copies"]))
    t.check(s1[1]["hidden"] - s0[1]["hidden"] >= PAGES, "64 copies on write were %d hidden "
            "faults" % (s1[1]["hidden"] - s0[1]["hidden"]))
    probe = type_to(q, 1, "probe", r"\[mini-share\.1\] mini: share: probe: ([^\r\n]*)\r?\n")
    t.log("mini-share.1, the same writes to its own pages: " + probe.group(1) + "\n")
    s2 = stats(t, q)
    t.check(s2[1]["copies"] - s1[1]["copies"] < PAGES, "writes to its own 64 pages made %d "
            "copies" % (s2[1]["copies"] - s1[1]["copies"]))
    r = pattern(q, 1, "write B", "wrote and read back")
    t.check(r == "64 pages hold pattern B", "mini-share.1 after writing B: " + r)
    for v in (2, 3):
        r = pattern(q, v, "check", "check")
        t.check(r == "64 pages hold pattern A", "mini-share.%d after mini-share.1 wrote: %s"
                % (v, r))
    r = pattern(q, 2, "write C", "wrote and read back")
    t.check(r == "64 pages hold pattern C", "mini-share.2 after writing C: " + r)
    s3 = stats(t, q)
    t.check(s3[2]["copies"] - s2[2]["copies"] >= PAGES, "mini-share.2's writes to 64 pages it "
            "shared with mini-share.3 made %d copies" % (s3[2]["copies"] - s2[2]["copies"]))
    r = pattern(q, 3, "write D", "wrote and read back")
    t.check(r == "64 pages hold pattern D", "mini-share.3 after writing D: " + r)
    s4 = stats(t, q)
    t.check(s4[3]["owned"] - s3[3]["owned"] >= PAGES and s4[3]["copies"] - s3[3]["copies"] < PAGES,
            "mini-share.3 had the 64 pages to itself: it should take them with no copy (took "
            "%d, copied %d)" % (s4[3]["owned"] - s3[3]["owned"], s4[3]["copies"] - s3[3]["copies"]))
    for v, c in ((1, "B"), (2, "C"), (3, "D")):
        r = pattern(q, v, "check", "check")
        t.check(r == "64 pages hold pattern %s" % c, "mini-share.%d at the end: %s" % (v, r))


@test("stop: a VM stopped while it shares pages gives back only its references; the others "
      "keep their contents, write, and are scanned again", timeout=90)
def t_stop(t):
    q = boot(t, "mini-share*3,mini", stop_ok=(1,))
    expect_all(q, [r"\[mini-share\.%d\] mini: share: 64 pages of pattern A" % i
                   for i in (1, 2, 3)] + [r"\[mini\.4\] ticker: uptime"])
    enter_monitor(q)
    scan(t, q)
    before = mem(t, q)
    monitor(q, "stop 1")
    after = mem(t, q)
    t.check(after["promised"] == before["promised"] - 512, "promised %d -> %d after stopping a "
            "2 MiB VM" % (before["promised"], after["promised"]))
    t.check(after["saved"] < before["saved"], "pages saved stayed %d after a VM that shared "
            "pages stopped" % after["saved"])
    for v in (2, 3):
        r = pattern(q, v, "check", "check")
        t.check(r == "64 pages hold pattern A", "mini-share.%d after VM 1 stopped: %s" % (v, r))
    r = pattern(q, 2, "write E", "wrote and read back")
    t.check(r == "64 pages hold pattern E", "mini-share.2 after writing E: " + r)
    r = pattern(q, 3, "check", "check")
    t.check(r == "64 pages hold pattern A", "mini-share.3 after mini-share.2 wrote: " + r)
    scan(t, q)
    m = mem(t, q)
    t.check(m["own"] + m["onshared"] == m["promised"], "after a second scan %d own and %d "
            "shared guest pages, %d promised" % (m["own"], m["onshared"], m["promised"]))
    q.send(HOTKEY)                   # guests' lines are held while the monitor has the keyboard
    q.expect(r"\[mini\.4\] ticker: uptime")


@test("out of memory: two xv6a of 24 MiB on a 32 MiB machine; when the second grows a "
      "process to 20 MiB as the first did, it is stopped at the copy the host has no page "
      "for, with the reason; the first and the mini run on", timeout=120)
def t_oom(t):
    q = boot(t, "xv6a:24M:hd0,xv6a:24M:hd2,mini", mem=32, stop_ok=(2,),
             extra=drive(FSIMG, 0) + drive(FSIMG, 2))
    expect_all(q, [at("[xv6a.1] ") + "init: starting sh", at("[xv6a.2] ") + "init: starting sh"])
    run(q, "growmem 20")               # VM 1 has the focus
    m = q.expect(at("[xv6a.1] ") + r"growmem: (ok|FAIL[^\r\n]*)\r?\n")
    t.check(m.group(1) == "ok", "growmem 20 in xv6a.1, with the host's memory to spare: "
            + m.group(1))
    enter_monitor(q)
    monitor(q, "focus 2")
    q.send(HOTKEY)
    q.expect(r"input goes to VM 2")
    q.send("growmem 20\r")
    q.expect(r"vmos: stopped VM 2 \(xv6a\.2\): the host is out of memory for its own "
             r"copy of guest-physical 0x[0-9a-f]+ \(a shared page\)",
             what="xv6a.2 to be stopped when the host has no page for its copy")
    q.expect(r"\[mini\.3\] ticker: uptime")
    enter_monitor(q)
    m = mem(t, q)
    t.check(m["promised"] == 2 * 6144 - 6144 + 512, "after xv6a.2 stopped %d pages are promised, "
            "expected %d (xv6a.1's and the mini's)" % (m["promised"], 6144 + 512))
    type_to(q, 1, "echo survived", at("[xv6a.1] ") + "survived")


@test("usertests passes in an xv6a whose pages are shared with another's (scanned after "
      "boot), and the other xv6a still answers", timeout=180)
def t_usertests(t):
    q = boot(t, "xv6a:32M:hd0:pv,xv6a:32M:hd2:pv", extra=drive(FSIMG, 0) + drive(FSIMG, 2))
    expect_all(q, [at("[xv6a.1] ") + "init: starting sh", at("[xv6a.2] ") + "init: starting sh"])
    enter_monitor(q)
    merged = scan(t, q)
    t.check(merged > 0, "the scan merged nothing")
    s0 = stats(t, q)
    q.send(HOTKEY)
    run(q, "usertests")
    r = usertests_done(q, "[xv6a.1] ")
    t.check(r == "ALL TESTS PASSED", "usertests in xv6a.1 after the scan: " + r)
    enter_monitor(q)
    s1 = stats(t, q)
    t.check(s1[1]["copies"] > s0[1]["copies"], "usertests made no copies of shared pages")
    type_to(q, 2, "echo still here", at("[xv6a.2] ") + "still here")
