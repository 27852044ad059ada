# harness.py: the harness's own tests (suite `harness`). Each runs grade/grade.py
# as a child on a fixture suite in grade/fixtures/ (GRADE_SUITE_PATH), with small
# programs (sh, sleep) in place of QEMU, and checks what it printed and did.
import json
import os
import re
import signal
import sys
import time

from gradelib import test, REPO_ROOT

GRADE = os.path.join(REPO_ROOT, "grade", "grade.py")
FIXTURES = os.path.join(REPO_ROOT, "grade", "fixtures")


def grade(t, *args, extra_env=None):
    env = dict(os.environ, GRADE_SUITE_PATH=FIXTURES, **(extra_env or {}))
    return t.spawn([sys.executable, GRADE, "--log-dir", os.path.join(t.log_dir, "inner")]
                   + list(args), env=env)


def group_gone(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_gone(t, pgid):
    for _ in range(100):            # bounded: up to ~5 s for the kernel to reap
        if group_gone(pgid):
            return True
        time.sleep(0.05)
    return False


@test("a passing and a failing test are reported as such")
def t_passfail(t):
    g = grade(t, "-j", "1", "fx_passfail")
    t.check(g.wait_exit() == 1, "grade.py should exit 1 when a test fails")
    out = g.output
    t.check(re.search(r"== fx_passfail: passes == OK \(", out), "no OK line:\n" + out)
    t.check(re.search(r"== fx_passfail: fails == FAIL \(", out), "no FAIL line:\n" + out)
    t.check("expected apples, got oranges" in out, "failure message missing")
    t.check("| line-two" in out, "last lines of output missing")
    t.check("full log:" in out, "log path missing")
    t.check("Score: 1/3" in out, "score should be 1/3:\n" + out)
    t.check(out.rstrip().splitlines()[-1] == "1 passed, 1 failed",
            "last line: %r" % out.rstrip().splitlines()[-1])


@test("a hang becomes TIMEOUT and the run goes on", timeout=40)
def t_hang(t):
    g = grade(t, "-j", "1", "fx_hang")
    g.wait_exit()
    out = g.output
    t.check(re.search(r"waits for output that never comes == TIMEOUT", out),
            "expect() hang not TIMEOUT:\n" + out)
    t.check(re.search(r"python code stuck in a sleep == TIMEOUT", out),
            "stuck test not TIMEOUT:\n" + out)
    t.check(re.search(r"runs after the hangs == OK", out), "later test did not run")
    t.check(out.rstrip().endswith("1 passed, 2 failed"), "summary:\n" + out)


@test("a failed test's process group is killed", timeout=30)
def t_group(t):
    pgid_file = os.path.join(t.log_dir, "pgid")
    g = grade(t, "-k", "spawns sleep and fails", "fx_group",
              extra_env={"FX_PGID_FILE": pgid_file})
    g.wait_exit()
    pgid = int(open(pgid_file).read())
    t.check(wait_gone(t, pgid), "process group %d still exists" % pgid)


@test("Ctrl-C stops the run and kills every group", timeout=30)
def t_ctrl_c(t):
    pgid_file = os.path.join(t.log_dir, "pgid2")
    if os.path.exists(pgid_file):
        os.remove(pgid_file)
    g = grade(t, "-k", "spawns sleep and waits", "fx_group",
              extra_env={"FX_PGID_FILE": pgid_file})
    for _ in range(200):
        if os.path.exists(pgid_file) and open(pgid_file).read():
            break
        time.sleep(0.05)
    pgid = int(open(pgid_file).read())
    os.kill(g.p.pid, signal.SIGINT)
    status = g.wait_exit()
    t.check(status == 130, "grade.py exit status %s after SIGINT, expected 130" % status)
    t.check(wait_gone(t, pgid), "sleep's group %d survived Ctrl-C" % pgid)


@test("-j 4 runs tests at once and prints them in order", timeout=30)
def t_parallel(t):
    stamps = os.path.join(t.log_dir, "stamps")
    os.makedirs(stamps, exist_ok=True)
    g = grade(t, "-j", "4", "fx_parallel", extra_env={"FX_STAMPS": stamps})
    t.check(g.wait_exit() == 0, "fixture failed:\n" + g.output)
    spans = [tuple(map(float, open(os.path.join(stamps, "s%d" % i)).read().split()))
             for i in range(4)]
    latest_start = max(s for s, e in spans)
    earliest_end = min(e for s, e in spans)
    t.check(latest_start < earliest_end, "the four tests did not overlap: %s" % spans)
    order = re.findall(r"sleeper (\d)", g.output)
    t.check(order == ["0", "1", "2", "3"], "printed out of order: %s" % order)


@test("--results writes Gradescope JSON")
def t_results(t):
    path = os.path.join(t.log_dir, "results.json")
    grade(t, "--results", path, "fx_passfail").wait_exit()
    r = json.load(open(path))
    t.check(r["score"] == 1, "score %s, expected 1" % r["score"])
    by = {x["name"]: x for x in r["tests"]}
    t.check(by["fx_passfail: passes"]["status"] == "passed", str(by))
    t.check(by["fx_passfail: fails"]["max_score"] == 2 and
            by["fx_passfail: fails"]["score"] == 0, str(by))


@test("expect on a process that exits early fails, saying so")
def t_early(t):
    g = grade(t, "fx_early")
    g.wait_exit()
    t.check("== fx_early: expects from a process that exits == FAIL" in g.output, g.output)
    t.check(re.search(r"exited \(status 3\) before printing /hello/", g.output), g.output)


@test("an unknown suite is named, with the list")
def t_unknown(t):
    g = grade(t, "nosuchsuite")
    t.check(g.wait_exit() == 2, "exit status should be 2")
    t.check("no suite nosuchsuite" in g.output and "fx_passfail" in g.output, g.output)
