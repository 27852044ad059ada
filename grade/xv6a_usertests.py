# xv6a_usertests.py: usertests in both xv6a guests at once beside two minis
# (suite xv6a_usertests, not yet in make test: see the note on issue 4: one
# of the two guests can stall, runnable but making no progress, under this load).
import re

from gradelib import test
from xv6a import FSIMG, at, expect_all, guest, run


@test("usertests: passes in both xv6a guests at once beside two mini", timeout=300)
def t_usertests_guests(t):
    q = guest(t, "xv6a:32M:hd0,xv6a:32M:hd2,mini,mini", (FSIMG, "", FSIMG))
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
    t.check(re.search(r"\[mini\.[34]\] ticker", q.output), "the minis stopped running")
