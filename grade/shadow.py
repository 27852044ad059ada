# shadow.py: shadow paging in the host (suite shadow; issue 4). The paged test
# guest guests/pgtest keeps its own page tables, as xv6a will; the host must run
# it on shadows filled by hidden faults, reflect the faults the guest's tables do
# not explain, keep the guest's supervisor pages from its process, and refuse
# page-table entries that point outside the VM.
import re

from gradelib import test


def pgtest_boot(t, vms):
    """Boot vms; a VM the host stops for any reason but pgtest's own end
    (its exit) or pgtest-bad's refused entry fails the wait at once."""
    q = t.qemu(append="vms=" + vms)

    def stopped(m):
        why = m.group(2)
        if why.startswith("guest exit 0") or "outside its memory" in why:
            return None
        return "the host stopped VM %s: %s" % (m.group(1), why)
    q.fail_on(r"vmos: stopped VM \d+ \(([^)]*)\): ([^\r\n]*)\r?\n", stopped)
    return q


@test("paged guest: boot mapping, own page directory, hidden faults counted", timeout=30)
def t_pgdir(t):
    q = pgtest_boot(t, "pgtest")
    q.expect(r"\[pgtest\.1\] pgtest: running on the boot mapping")
    q.expect(r"\[pgtest\.1\] pgtest: own page directory loaded")
    m = q.expect(r"vmos: mark 1 after-pgdir: exits (\d+) .*hidden (\d+) ")
    t.check(int(m.group(2)) > 0, "no hidden page faults before the first pgdir load")


@test("paged guest: a fault its tables do not explain is reflected to it", timeout=30)
def t_reflect(t):
    q = pgtest_boot(t, "pgtest")
    q.expect(r"pgtest: page fault at 0x00400000 reflected to the guest \(err 0x00000002\)")
    q.expect(r"pgtest: demand-paged 0x00400000, read back 0x000004d2")


@test("paged guest: a page-directory load keeps global translations only; "
      "invlpg and flush drop them", timeout=30)
def t_global(t):
    q = pgtest_boot(t, "pgtest")
    m = q.expect(r"pgtest: global, local: (\w+)\r?\n")
    # g then l filled; after a reload g stale, l new; invlpg g; flush g.
    t.check(m.group(1) == "AAABBA", "read %s, expected AAABBA" % m.group(1))


@test("paged guest: its process cannot touch its kernel's pages", timeout=30)
def t_user_super(t):
    q = pgtest_boot(t, "pgtest")
    q.expect(r"pgtest: process access to 0x80100000 refused by the guest's tables "
             r"\(err 0x00000005\)")
    q.expect(r"stopped VM 1 \(pgtest\.1\): guest exit 0: pgtest done")


@test("paged guest: an entry pointing outside its VM stops it, others run", timeout=30)
def t_bad_pte(t):
    q = pgtest_boot(t, "pgtest-bad,mini")
    q.expect(r"vmos: stopped VM 1 \(pgtest-bad\.1\): its page table maps 0x5000 to "
             r"0x40000000, outside its memory")
    q.expect(r"\[mini\.2\] mini: booted")
    q.expect(r"\[mini\.2\] ticker")
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("stats\r")
    m = q.expect(r"refused ptes (\d+);")
    t.check(int(m.group(1)) == 1, "refused ptes %s, expected 1" % m.group(1))


# ---- the shadow cache (issue 11): shadows kept per guest page directory ----

def marks(text, label):
    """The counters of every `vmos: mark 1 LABEL` line, in order, as dicts."""
    return [dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", m.group(1)))
            for m in re.finditer(r"vmos: mark 1 %s: (.*)" % re.escape(label), text)]


def delta(a, b, key):
    return b[key] - a[key]


def pgtest_cache(t):
    q = pgtest_boot(t, "pgtest")
    m = q.expect(r"pgtest: cache: (\w+)\r?\n")
    return q, m.group(1)


@test("shadow cache: reloading a recently used directory is a hit and refills nothing",
      timeout=30)
def t_cache_hit(t):
    q, _ = pgtest_cache(t)
    r = marks(q.output, "cache-reload")
    t.check(len(r) == 4, "%d cache-reload marks, expected 4" % len(r))
    # the last round: pd, pd2 loaded again, a page of pd2 read; both kept
    hits, misses = delta(r[2], r[3], "sh_hits"), delta(r[2], r[3], "sh_misses")
    hidden = delta(r[2], r[3], "hidden")
    t.check(hits == 2 and misses == 0, "2 loads: %d hits, %d misses" % (hits, misses))
    t.check(hidden == 0, "%d hidden faults after reloading kept shadows, expected 0" % hidden)


@test("shadow cache: a table of a directory not loaded, changed without telling, "
      "is seen when it is loaded", timeout=30)
def t_cache_coherent(t):
    _, seen = pgtest_cache(t)
    # A: first read; B: after the unloaded pt2 changed; B: after reloads;
    # B: the 7 other directories; B: pd2 again after its eviction
    t.check(seen == "ABBBB", "read %s, expected ABBBB" % seen)


@test("shadow cache: a write to a protected guest table is a counted write-protect fault",
      timeout=30)
def t_cache_wp(t):
    q, _ = pgtest_cache(t)
    b, e = marks(q.output, "cache-write-begin")[0], marks(q.output, "cache-write-end")[0]
    wp, dropped = delta(b, e, "sh_wp_faults"), delta(b, e, "sh_dropped")
    t.check(wp == 1, "%d write-protect faults for one store to pt2, expected 1" % wp)
    t.check(dropped >= 1, "no shadow entry dropped for the store to pt2")


@test("shadow cache: more directories than it keeps evict the least recently used",
      timeout=30)
def t_cache_evict(t):
    q, seen = pgtest_cache(t)
    b, e = marks(q.output, "cache-evict-begin")[0], marks(q.output, "cache-evict-end")[0]
    t.check(b["sh_evictions"] >= 1, "no eviction after 9 directories")
    t.check(delta(b, e, "sh_misses") == 1 and delta(b, e, "sh_hits") == 0,
            "reloading the least recently used one: %d misses, %d hits, expected a miss" % (
                delta(b, e, "sh_misses"), delta(b, e, "sh_hits")))
    t.check(delta(b, e, "sh_evictions") == 1, "%d evictions for one miss, expected 1" %
            delta(b, e, "sh_evictions"))
    t.check(seen[4:5] == "B", "after its eviction pd2 read %s, expected B" % seen[4:5])


def xv6a_run(t, command):
    """xv6a alone under vmos: run command (it ends with `bench: done`), then the
    monitor's stats. Returns the output."""
    fsimg = "out/xv6a/fs.img"
    q = t.qemu(append="vms=xv6a:32M:hd0", extra=["-drive", "file=%s,format=raw,index=0" % fsimg])
    q.fail_on(r"vmos: stopped VM \d+ \([^)]*\): ([^\r\n]*)\r?\n", "the host stopped xv6a: {0}")  # (a broken
    q.expect(r"init: starting sh")                                # shadow stops it at boot)
    q.expect(r"\$ ")
    q.send(command + "\r")
    q.expect(r"bench: done")
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("stats\r")
    q.expect(r"shadow cache: hits (\d+), misses (\d+), evictions (\d+); guest tables "
             r"protected (\d+), write-protect faults (\d+), entries dropped (\d+)\r?\n")
    return q.output


def per_load(t, text, name):
    b, e = marks(text, name + "-begin"), marks(text, name + "-end")
    t.check(b and e, "no %s marks" % name)
    loads, hidden = delta(b[0], e[0], "pgdirs"), delta(b[0], e[0], "hidden")
    return loads, hidden, delta(b[0], e[0], "sh_hits")


@test("shadow cache: xv6a's pipe ping-pong, at most 2 hidden faults per page-directory load",
      timeout=90)
def t_xv6a_pingpong(t):
    text = xv6a_run(t, "bench context-switch")
    loads, hidden, hits = per_load(t, text, "context-switch")
    t.check(loads >= 4000, "%d page-directory loads, expected at least 4000" % loads)
    t.check(hidden <= 2 * loads, "%d hidden faults in %d loads, goal <= 2 each" % (hidden, loads))
    t.check(hits >= loads - 2, "%d of %d loads were cache hits" % (hits, loads))


@test("shadow cache: xv6a heapswap (two processes, 1000 heap pages each, across ticks), "
      "at most 2 hidden faults per page-directory load", timeout=120)
def t_xv6a_heapswap(t):
    text = xv6a_run(t, "heapswap 4000")
    t.check("heapswap: FAIL" not in text, "heapswap saw a page lose what was written to it")
    loads, hidden, hits = per_load(t, text, "heapswap")
    t.check(loads >= 4, "%d page-directory loads: the two did not take turns" % loads)
    t.check(hidden <= 2 * loads, "%d hidden faults in %d loads, goal <= 2 each" % (hidden, loads))
