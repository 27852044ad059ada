# shadow.py: shadow paging in the host (suite shadow; issue 4). The paged test
# guest guests/pgtest keeps its own page tables, as xv6a will; the host must run
# it on shadows filled by hidden faults, reflect the faults the guest's tables do
# not explain, keep the guest's supervisor pages from its process, and refuse
# page-table entries that point outside the VM.
import re

from gradelib import test


@test("paged guest: boot mapping, own page directory, hidden faults counted", timeout=30)
def t_pgdir(t):
    q = t.qemu(append="vms=pgtest")
    q.expect(r"\[pgtest\.1\] pgtest: running on the boot mapping")
    q.expect(r"\[pgtest\.1\] pgtest: own page directory loaded")
    m = q.expect(r"vmos: mark 1 after-pgdir: exits (\d+) .*hidden (\d+) ")
    t.check(int(m.group(2)) > 0, "no hidden page faults before the first pgdir load")


@test("paged guest: a fault its tables do not explain is reflected to it", timeout=30)
def t_reflect(t):
    q = t.qemu(append="vms=pgtest")
    q.expect(r"pgtest: page fault at 0x00400000 reflected to the guest \(err 0x00000002\)")
    q.expect(r"pgtest: demand-paged 0x00400000, read back 0x000004d2")


@test("paged guest: a page-directory load keeps global translations only; "
      "invlpg and flush drop them", timeout=30)
def t_global(t):
    q = t.qemu(append="vms=pgtest")
    m = q.expect(r"pgtest: global, local: (\w+)\r?\n")
    # g then l filled; after a reload g stale, l new; invlpg g; flush g.
    t.check(m.group(1) == "AAABBA", "read %s, expected AAABBA" % m.group(1))


@test("paged guest: its process cannot touch its kernel's pages", timeout=30)
def t_user_super(t):
    q = t.qemu(append="vms=pgtest")
    q.expect(r"pgtest: process access to 0x80100000 refused by the guest's tables "
             r"\(err 0x00000005\)")
    q.expect(r"stopped VM 1 \(pgtest\.1\): guest exit 0: pgtest done")


@test("paged guest: an entry pointing outside its VM stops it, others run", timeout=30)
def t_bad_pte(t):
    q = t.qemu(append="vms=pgtest-bad,mini")
    q.expect(r"vmos: stopped VM 1 \(pgtest-bad\.1\): its page table maps 0x5000 to "
             r"0x40000000, outside its memory")
    q.expect(r"\[mini\.2\] mini: booted")
    q.expect(r"\[mini\.2\] ticker")
    q.send("\x1d")
    q.expect(r"vmos> ")
    q.send("stats\r")
    m = q.expect(r"refused ptes (\d+);")
    t.check(int(m.group(1)) == 1, "refused ptes %s, expected 1" % m.group(1))
