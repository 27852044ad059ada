# handout.py: the lab handouts are real (suite handout). For each lab, the
# student tree that `make handout LAB=n` writes must build, and must fail that
# lab's grader (here: its first test), which the solution tree passes in suite labn.
import os
import shutil
import sys

from gradelib import test, REPO_ROOT

LABS = {1: "boot: three minis boot"}


def handout(lab, first_test):
    @test("lab %d: the handout builds and fails '%s'" % (lab, first_test), timeout=240)
    def t_handout(t):
        d = os.path.join(t.log_dir, "handout-lab%d" % lab)
        shutil.rmtree(d, ignore_errors=True)
        g = t.spawn(["make", "-s", "handout", "LAB=%d" % lab, "HANDOUT=" + d])
        t.check(g.wait_exit() == 0, "make handout failed")
        stubs = 0
        for root, _, files in os.walk(d):
            for f in files:
                if f.endswith((".c", ".S", ".h")):
                    text = open(os.path.join(root, f), errors="replace").read()
                    t.check("LAB %d: BEGIN" % lab not in text, "%s still has the solution" % f)
                    stubs += text.count("LAB %d: your code here" % lab)
        t.check(stubs >= 3, "only %d stubs for lab %d" % (stubs, lab))
        b = t.spawn(["make", "-s", "-C", d, "all"])
        t.check(b.wait_exit() == 0, "the handout does not build")
        g = t.spawn([sys.executable, os.path.join(d, "grade", "grade.py"), "--timeout", "10",
                     "-k", first_test, "lab%d" % lab], cwd=d)
        t.check(g.wait_exit() == 1, "the handout's lab %d grader did not fail" % lab)
        t.check("0 passed, 1 failed" in g.output, "expected 0 passed, 1 failed:\n" + g.output)
    return t_handout


for _lab, _first in LABS.items():
    handout(_lab, _first)
