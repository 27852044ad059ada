# harness.py: the harness's own tests (suite `harness`). Each runs grade/grade.py
# as a child on a fixture suite in grade/fixtures/ (GRADE_SUITE_PATH), with small
# programs (sh, sleep) in place of QEMU, and checks what it printed and did: the
# verdicts and their sentences, the deadlines, that no process it started (nor
# any a helper such as bench.py started) outlives a test, and that all of this
# holds under load.
import json
import os
import re
import signal
import sys
import time

from gradelib import test, parse_verdicts, REPO_ROOT

GRADE = os.path.join(REPO_ROOT, "grade", "grade.py")
FIXTURES = os.path.join(REPO_ROOT, "grade", "fixtures")


def grade(t, *args, extra_env=None):
    env = dict(os.environ, GRADE_SUITE_PATH=FIXTURES, **(extra_env or {}))
    return t.spawn([sys.executable, GRADE, "--log-dir", os.path.join(t.log_dir, "inner")]
                   + list(args), env=env, name="grade.py")


def check_verdict(t, out, name, want, sentence=None):
    v = parse_verdicts(out)
    t.check(name in v, "grade.py printed no verdict for '%s'; it printed:\n%s" % (name, out))
    got, said = v[name]
    t.check(got == want, "'%s' was %s (%s), expected %s" % (name, got, said, want))
    if sentence:
        t.check(re.search(sentence, said), "'%s' said '%s', expected a sentence matching /%s/"
                % (name, said, sentence))


def summary(out):
    lines = out.rstrip().splitlines()
    return lines[-1] if lines else "(nothing)"


def group_gone(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def pid_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie has let go of everything but its entry: gone for our purpose.
    try:
        return open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def wait_until(t, cond):
    for _ in range(100):            # bounded: up to ~5 s for the kernel to reap
        if cond():
            return True
        time.sleep(0.05)
    return False


@test("a passing and a failing test are reported as such")
def t_passfail(t):
    g = grade(t, "-j", "1", "fx_passfail")
    status = g.wait_exit()
    out = g.output
    t.check(status == 1, "grade.py exited %d with a failing test, expected 1" % status)
    check_verdict(t, out, "passes", "OK")
    check_verdict(t, out, "fails", "FAIL", r"expected apples, got oranges")
    t.check("| line-two" in out, "the failed test's last lines of output are missing")
    t.check("full log:" in out, "the failed test's log path is missing")
    t.check("Score: 1/3" in out, "the score is not 'Score: 1/3'")
    t.check(summary(out) == "1 passed, 1 failed",
            "the last line is '%s', expected '1 passed, 1 failed'" % summary(out))


@test("a hang becomes TIMEOUT and the run goes on", timeout=40)
def t_hang(t):
    g = grade(t, "-j", "1", "fx_hang")
    g.wait_exit()
    out = g.output
    check_verdict(t, out, "waits for output that never comes", "TIMEOUT",
                  r"expected output matching /never printed/, but it had not come after 2 s")
    check_verdict(t, out, "python code stuck in a sleep", "TIMEOUT",
                  r"ran past its 2s deadline")
    check_verdict(t, out, "runs after the hangs", "OK")
    t.check(summary(out) == "1 passed, 2 failed",
            "the last line is '%s', expected '1 passed, 2 failed'" % summary(out))


@test("a hang stays TIMEOUT when the kill at the hard deadline comes first (under load)",
      timeout=120)
def t_race(t):
    # Two spinning shells per CPU, the load of a CI machine with other jobs;
    # inside, tests spinning in Python make each wait slow to see its deadline.
    for _ in range(2 * (os.cpu_count() or 1)):
        t.spawn(["sh", "-c", "while :; do :; done"], name="load")
    for run in range(3):
        g = grade(t, "-j", "10", "fx_race", "fx_hang")
        g.wait_exit()
        out = g.output
        for i in range(6):
            check_verdict(t, out, "hang %d: waits for output that never comes" % i, "TIMEOUT",
                          r"^expected output matching /the magic word/, but it had not come|"
                          r"^the test ran past its 1s deadline")
        check_verdict(t, out, "waits for output that never comes", "TIMEOUT")
        check_verdict(t, out, "python code stuck in a sleep", "TIMEOUT")
        check_verdict(t, out, "runs after the hangs", "OK")


@test("a failed test's process group is killed", timeout=30)
def t_group(t):
    pgid_file = os.path.join(t.log_dir, "pgid")
    g = grade(t, "-k", "spawns sleep and fails", "fx_group",
              extra_env={"FX_PGID_FILE": pgid_file})
    g.wait_exit()
    pgid = int(open(pgid_file).read())
    t.check(wait_until(t, lambda: group_gone(pgid)),
            "the failed test's process group %d still exists after grade.py exited" % pgid)


def leak(t, name):
    pid_file = os.path.join(t.log_dir, "pid")
    if os.path.exists(pid_file):
        os.remove(pid_file)
    g = grade(t, "-k", name, "fx_leak", extra_env={"FX_PID_FILE": pid_file})
    g.wait_exit()
    t.check(os.path.exists(pid_file), "the fixture did not get as far as starting its "
            "process; grade.py printed:\n" + g.output)
    pid = int(open(pid_file).read())
    alive = not wait_until(t, lambda: pid_gone(pid))
    if alive:
        os.kill(pid, signal.SIGKILL)     # do not leave it spinning: that is the bug
    t.check(not alive, "process %d, started below a test that failed, outlived the test"
            % pid)


@test("a helper's child in another session dies with the test", timeout=30)
def t_leak_session(t):
    leak(t, "a helper's child in a new session")


@test("bench.py's QEMU dies with a test that fails", timeout=90)
def t_leak_bench(t):
    leak(t, "bench.py's QEMU, then a failure")


@test("Ctrl-C stops the run and kills every group", timeout=30)
def t_ctrl_c(t):
    pgid_file = os.path.join(t.log_dir, "pgid2")
    if os.path.exists(pgid_file):
        os.remove(pgid_file)
    g = grade(t, "-k", "spawns sleep and waits", "fx_group",
              extra_env={"FX_PGID_FILE": pgid_file})
    t.check(wait_until(t, lambda: os.path.exists(pgid_file) and open(pgid_file).read()),
            "the fixture never started its sleep")
    pgid = int(open(pgid_file).read())
    os.kill(g.p.pid, signal.SIGINT)
    status = g.wait_exit()
    t.check(status == 130, "grade.py exit status %s after SIGINT, expected 130" % status)
    t.check(wait_until(t, lambda: group_gone(pgid)), "sleep's group %d survived Ctrl-C" % pgid)


@test("-j 4 runs tests at once and prints them in order", timeout=30)
def t_parallel(t):
    stamps = os.path.join(t.log_dir, "stamps")
    os.makedirs(stamps, exist_ok=True)
    g = grade(t, "-j", "4", "fx_parallel", extra_env={"FX_STAMPS": stamps})
    t.check(g.wait_exit() == 0, "the fixture suite failed:\n" + g.output)
    spans = [tuple(map(float, open(os.path.join(stamps, "s%d" % i)).read().split()))
             for i in range(4)]
    latest_start = max(s for s, e in spans)
    earliest_end = min(e for s, e in spans)
    t.check(latest_start < earliest_end, "the four tests did not overlap: %s" % spans)
    order = re.findall(r"sleeper (\d)", g.output)
    t.check(order == ["0", "1", "2", "3"], "printed in the order %s, expected 0 1 2 3" % order)


@test("--results writes Gradescope JSON with the verdict and the log's tail")
def t_results(t):
    path = os.path.join(t.log_dir, "results.json")
    grade(t, "--results", path, "fx_passfail").wait_exit()
    r = json.load(open(path))
    t.check(r["score"] == 1, "score %s, expected 1" % r["score"])
    by = {x["name"]: x for x in r["tests"]}
    t.check(by["fx_passfail: passes"]["status"] == "passed",
            "'passes' has status %s" % by["fx_passfail: passes"]["status"])
    f = by["fx_passfail: fails"]
    t.check(f["max_score"] == 2 and f["score"] == 0,
            "'fails' scored %s of %s, expected 0 of 2" % (f["score"], f["max_score"]))
    t.check(f["output"].startswith("FAIL: expected apples, got oranges"),
            "its output does not start with the verdict: %r" % f["output"][:80])
    t.check("| line-one\n| line-two" in f["output"],
            "its output lacks the tail of the log: %r" % f["output"])


@test("expect on a process that exits early fails, saying so")
def t_early(t):
    g = grade(t, "fx_early")
    g.wait_exit()
    check_verdict(t, g.output, "expects from a process that exits", "FAIL",
                  r"expected output matching /hello/, but sh exited \(status 3\) first")


@test("verdicts are sentences: a grader's exception, what was awaited, what came instead",
      timeout=60)
def t_sentences(t):
    g = grade(t, "-j", "4", "fx_verdicts")
    g.wait_exit()
    out = g.output
    check_verdict(t, out, "divides by zero", "FAIL",
                  r"^the test itself failed: ZeroDivisionError: division by zero "
                  r"\(fx_verdicts\.py line \d+, in t_zero\); the traceback is in the log$")
    t.check("Traceback" not in out, "a raw traceback was printed:\n" + out)
    check_verdict(t, out, "waits, saying for what", "TIMEOUT",
                  r"^expected VM 2 to say it booted, but it had not come after 2 s; "
                  r"the last line was: second line$")
    check_verdict(t, out, "a line that settles the outcome ends the wait", "FAIL",
                  r"^expected VM 2's ticker, but the host stopped VM 2 \(mini\.2\): divide error$")
    check_verdict(t, out, "a watch that sees no progress ends the wait", "FAIL",
                  r"^expected some progress, but the counter stood still for 2 looks$")
    log = os.path.join(t.log_dir, "inner", "fx_verdicts", "divides_by_zero.log")
    t.check("ZeroDivisionError" in open(log).read(), "the traceback is not in %s" % log)


@test("an unknown suite is named, with the list")
def t_unknown(t):
    g = grade(t, "nosuchsuite")
    status = g.wait_exit()
    t.check(status == 2, "grade.py exited %d for an unknown suite, expected 2" % status)
    t.check("no suite nosuchsuite" in g.output and "fx_passfail" in g.output,
            "grade.py did not name the suite and list the others:\n" + g.output)
