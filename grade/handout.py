# handout.py: the course's tooling around the labs is real (suite handout).
# In the solution tree: for each lab, the student tree that `make handout
# LAB=n` writes builds, holds none of the solution, and fails every test of
# that lab's grader that the student's work decides, each at once (none may
# time out), while the solution tree passes them in suite labn; in it, make
# handin packs the answers and the changes, and its own handout suite passes.
# In a student tree (tools/handout.sh wrote its .handout): make handout
# refuses, and make handin works. Also: make refuses a lab that does not
# exist, and a run that ends with stopafter= ends make cleanly.
import importlib
import os
import re
import shutil
import sys
import tarfile
import threading

from gradelib import test, tests_of, parse_verdicts, REPO_ROOT

LABS = {1: 4, 2: 3, 3: 5, 4: 6}        # lab: its LAB regions (stubs in the handout)
# Tests of a lab's grader that do not depend on the student's code.
NOT_THE_STUDENTS = {
    1: ["make: VMS and QUANTUM become the boot line"],
    2: ["modes: irq= and a vms= field give each VM its interrupt mode; a bad mode is "
        "named and the others boot",
        "bad input: two VMs claiming COM2 or one IDE channel, and pass without a drive, "
        "are named in a line each; the others boot",
        "bad input: a device handler outside the guest (E_PERM), hand-backs and an EOI "
        "of interrupts that never came are refused and counted",
        "route: the owner's own interrupts all enter the host and come as virtual ones",
        "IDT: each VM's IDT is built once; a trap-table change remakes one gate",
        # passes in the handout too (the host's gate refuses int as well); it
        # catches a gate of the student's that lets int through
        "swap: a process cannot fake a device interrupt with int: the gate into its kernel "
        "refuses ring 3 (#GP)",
        # passes in the handout too (with no direct gate every disk interrupt comes as a
        # virtual one, which it allows); it catches interrupts lost or sent direct in route
        "bench: make bench's disk part: xv6a's reads beside a mini in each mode; alone, every "
        "disk interrupt comes as a virtual one (it idles when it comes); beside a busy "
        "process of its own, in route never directly, in swap and defer each one either "
        "way; defer switches worlds no more than swap"],
    3: [# passes in the handout too (a vm_idle that never blocks loses no wakeup); it
        # catches a solution that blocks without looking at what is pending
        "idle: an interrupt that becomes pending before HC_IDLE is never slept through"],
    4: [# the measuring half of lab 4 runs on flat minis, which need no shadow: they
        # pass in the handout too, and are there to compare the student's shadow with
        "balloon: a mini gives 3072 pages and takes them back; it keeps running",
        "share: a write to a shared page makes a private copy (counted); the others "
        "still read the old contents"],
}
MARKER = os.path.join(REPO_ROOT, ".handout")
STUDENT_LAB = None
if os.path.exists(MARKER):
    m = re.match(r"lab (\d+)", open(MARKER).read())
    STUDENT_LAB = int(m.group(1)) if m else 0


def make(t, *args, cwd=REPO_ROOT):
    p = t.spawn(["make", "-s"] + list(args), cwd=cwd, name="make")
    return p.wait_exit(), p.output


# One student tree per lab, written and built once and shared by that lab's two
# tests (a build of every guest is the slow part): the first test to want it
# makes it, the other waits. Neither changes it: the hand-in test works in a
# copy (out/ copied with its times, so nothing rebuilds).
_trees = {}
_trees_lock = threading.Lock()


def built_handout(t, lab):
    with _trees_lock:
        entry = _trees.setdefault(lab, {"lock": threading.Lock()})
    with entry["lock"]:
        if "dir" not in entry:
            d = os.path.join(os.path.dirname(t.log_dir), "handout-lab%d" % lab)
            shutil.rmtree(d, ignore_errors=True)
            status, out = make(t, "handout", "LAB=%d" % lab, "HANDOUT=" + d)
            t.check(status == 0, "make handout LAB=%d failed:\n%s" % (lab, out))
            status, out = make(t, "all", cwd=d)
            t.check(status == 0, "the handout does not build:\n" + out)
            entry["dir"] = d
        return entry["dir"]


def copy_tree(src, dst):
    """src (a tree, with its git repository) copied to dst, without its grader logs."""
    shutil.rmtree(dst, ignore_errors=True)
    def leave_out(d, names):
        return [n for n in names if n == "__pycache__" or
                (n == "logs" and os.path.basename(d) == "grade")]
    shutil.copytree(src, dst, symlinks=True, ignore=leave_out)


def check_handin(t, tree, lab):
    """In tree (a student tree, or a copy of one): make handin refuses without
    answers, then packs the answers and the changes since the handout."""
    answers = os.path.join(tree, "labs", "answers-lab%d.txt" % lab)
    if os.path.exists(answers):
        os.remove(answers)
    status, out = make(t, "handin", cwd=tree)
    t.check(status != 0 and "no answers" in out, "make handin without %s exited %d, "
            "expected it to refuse, saying there are no answers:\n%s" % (answers, status, out))
    with open(answers, "w") as f:
        f.write("".join("%d. an answer\n" % i for i in range(1, 6)))
    changed = os.path.join(tree, "vmos", "sched.c")
    with open(changed, "a") as f:
        f.write("// a change of the student's: handin must see it\n")
    status, out = make(t, "handin", cwd=tree)
    t.check(status == 0, "make handin with answers exited %d:\n%s" % (status, out))
    path = os.path.join(tree, "handin-lab%d.tar.gz" % lab)
    t.check(os.path.exists(path), "make handin wrote no handin-lab%d.tar.gz" % lab)
    with tarfile.open(path) as tar:
        names = tar.getnames()
        want = ["handin-lab%d/answers-lab%d.txt" % (lab, lab), "handin-lab%d/lab%d.diff" % (lab, lab)]
        t.check(all(n in names for n in want), "handin-lab%d.tar.gz holds %s, expected %s"
                % (lab, names, want))
        diff = tar.extractfile(want[1]).read().decode(errors="replace")
    t.check("+// a change of the student's: handin must see it" in diff,
            "lab%d.diff does not show the change made to vmos/sched.c:\n%s" % (lab, diff[:2000]))
    t.check("out/" not in re.findall(r"^diff --git a/(\S+/)", diff, re.M),
            "lab%d.diff includes the build (out/)" % lab)


# ---- the solution tree ----

def handout_fails_grader(lab, regions):
    @test("lab %d: the handout builds, holds no solution, and fails its grader at once"
          % lab, timeout=300)
    def t_handout(t):
        d = built_handout(t, lab)
        stubs = 0
        for root, dirs, files in os.walk(d):
            dirs[:] = [x for x in dirs if x != ".git"]
            for f in files:
                if f.endswith((".c", ".S", ".h")):
                    text = open(os.path.join(root, f), errors="replace").read()
                    t.check("LAB %d: BEGIN" % lab not in text, "%s still has the solution" % f)
                    stubs += text.count("LAB %d: your code here" % lab)
        t.check(stubs == regions, "%d stubs for lab %d, expected %d (one per region)"
                % (stubs, lab, regions))
        for f in ("labs/answers-lab%d.txt" % lab, "grade/graders.py"):
            t.check(not os.path.exists(os.path.join(d, f)), "the handout has %s, which is "
                    "the solution tree's alone" % f)
        t.check("graders" not in open(os.path.join(d, "grade", "suites.txt")).read(),
                "the handout's grade/suites.txt lists the graders suite")
        t.check(open(os.path.join(d, ".handout")).read().startswith("lab %d\n" % lab),
                "the handout's .handout does not say 'lab %d'" % lab)
        g = t.spawn([sys.executable, os.path.join(d, "grade", "grade.py"), "-j", "2",
                     "--log-dir", os.path.join(t.log_dir, "inner"), "lab%d" % lab], cwd=d,
                    name="grade.py")
        g.wait_exit()
        verdicts = parse_verdicts(g.output)
        want = len(tests_of(importlib.import_module("lab%d" % lab).__name__))
        t.check(len(verdicts) == want, "the handout's lab %d grader ran %d tests, the "
                "solution's has %d" % (lab, len(verdicts), want))
        for name, (verdict, said) in verdicts.items():
            if name in NOT_THE_STUDENTS[lab]:
                continue
            t.check(verdict == "FAIL", "the handout's '%s' gave %s, expected FAIL at once "
                    "(the handout does not do lab %d yet)%s"
                    % (name, verdict, lab, (": " + said) if said else ""))
    return t_handout


def handout_handin(lab):
    @test("lab %d: in the handout, make handout refuses, make handin packs the answers and "
          "the changes, and its own handout suite passes" % lab, timeout=240)
    def t_handin(t):
        d = os.path.join(t.log_dir, "tree")
        copy_tree(built_handout(t, lab), d)
        status, out = make(t, "handout", "LAB=%d" % lab, "HANDOUT=" + d + "-again", cwd=d)
        t.check(status == 2 and "this is a student tree (lab %d)" % lab in out,
                "make handout in the student tree exited %d, expected it to refuse, saying "
                "it is a student tree:\n%s" % (status, out))
        t.check(not os.path.exists(d + "-again"), "make handout in a student tree wrote a tree")
        g = t.spawn([sys.executable, os.path.join(d, "grade", "grade.py"), "-j", "2", "handout"],
                    cwd=d, name="grade.py")
        g.wait_exit()
        t.check(g.output.rstrip().endswith(" passed, 0 failed") and " 0 passed" not in g.output,
                "the handout's own handout suite did not pass:\n" + g.output)
        check_handin(t, d, lab)
    return t_handin


@test("make: a lab that does not exist is refused, naming those that do", timeout=120)
def t_no_such_lab(t):
    if STUDENT_LAB is None:          # (a student tree refuses any handout)
        d = os.path.join(t.log_dir, "handout-lab99")
        status, out = make(t, "handout", "LAB=99", "HANDOUT=" + d)
        t.check(status == 2 and "there is no lab 99" in out and "the labs are: 1 2" in out,
                "make handout LAB=99 exited %d, expected it to refuse, naming the labs:\n%s"
                % (status, out))
        t.check(not os.path.exists(d), "make handout LAB=99 wrote %s" % d)
    status, out = make(t, "grade", "LAB=99")
    t.check(status == 2 and "there is no lab 99" in out and "the labs are 1 2" in out,
            "make grade LAB=99 exited %d, expected it to refuse, naming the labs:\n%s"
            % (status, out))


@test("make: a run that ends with stopafter= ends make cleanly (QEMU's pass status)",
      timeout=60)
def t_stopafter_status(t):
    # DISKS= : no xv6a disks (another test may be using the default boot's)
    p = t.spawn(["make", "-s", "qemu-nox", "DISKS=", "BOOT=vms=mini stopafter=30"], name="make")
    p.expect(r"stopafter=30 reached", what="the host to reach stopafter=30")
    status = p.wait_exit()
    t.check(status == 0 and "Error" not in p.output,
            "make qemu-nox with stopafter=30 exited %d, expected 0 (QEMU's status 33 is the "
            "host's pass):\n%s" % (status, "\n".join(p.output.splitlines()[-3:])))


# ---- a student tree ----

def student_tests():
    @test("student tree: make handout refuses, saying this is a student tree", timeout=30)
    def t_student_handout(t):
        d = os.path.join(t.log_dir, "again")
        status, out = make(t, "handout", "LAB=%d" % STUDENT_LAB, "HANDOUT=" + d)
        t.check(status == 2 and "this is a student tree (lab %d)" % STUDENT_LAB in out,
                "make handout exited %d, expected it to refuse, saying this is a student "
                "tree:\n%s" % (status, out))
        t.check(not os.path.exists(d), "make handout in a student tree wrote %s" % d)

    @test("student tree: make handin refuses without answers, then packs the answers and "
          "the changes (in a copy of this tree)", timeout=60)
    def t_student_handin(t):
        copy = os.path.join(t.log_dir, "tree")
        shutil.rmtree(copy, ignore_errors=True)

        def leave_out(d, names):
            top = os.path.abspath(d) == REPO_ROOT
            return [n for n in names if (top and n == "out") or n == "__pycache__" or
                    (n == "logs" and os.path.basename(d) == "grade")]
        shutil.copytree(REPO_ROOT, copy, symlinks=True, ignore=leave_out)
        check_handin(t, copy, STUDENT_LAB)


if STUDENT_LAB is None:
    for _lab, _regions in LABS.items():
        handout_fails_grader(_lab, _regions)
        handout_handin(_lab)
else:
    student_tests()
