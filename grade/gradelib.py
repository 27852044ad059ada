# gradelib.py: the grading harness's library (Python 3 standard library only).
# A suite is a module in grade/ whose tests are functions decorated with @test;
# each receives a T, with which it starts processes (QEMU above all), waits for
# their output and checks it. grade/grade.py runs suites; this file does the work:
# process groups (every child in its own, all killed on every path), hard
# deadlines, parallel runs, logs, verdicts, the score, Gradescope's results.json.
import atexit
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The kernel ends a test run through QEMU's isa-debug-exit device: writing v to
# port 0xf4 makes QEMU exit with status (v << 1) | 1 (kernel/defs.h).
DEBUG_EXIT_PASS = (0x10 << 1) | 1      # 33
DEBUG_EXIT_FAIL = (0x11 << 1) | 1      # 35


class Failure(Exception):
    """The test saw something other than what it expected: verdict FAIL."""


class Timeout(Exception):
    """What the test waited for did not come in time: verdict TIMEOUT."""


# ---- process groups: every child we start, so that none outlives us ----
_groups = set()
_groups_lock = threading.Lock()


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    with _groups_lock:
        _groups.discard(pgid)


def kill_all_groups():
    with _groups_lock:
        groups = list(_groups)
    for g in groups:
        _kill_group(g)


atexit.register(kill_all_groups)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Proc:
    """A child process in its own process group, its output collected as it comes."""

    def __init__(self, t, argv, cwd, env):
        self.t = t
        self.argv = argv
        self._buf = []
        self._text = ""
        self._cursor = 0
        self._cond = threading.Condition()
        self._eof = False
        t.log("$ " + " ".join(argv) + "\n")
        self.p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        self.pgid = self.p.pid
        with _groups_lock:
            _groups.add(self.pgid)
        t._procs.append(self)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        fd = self.p.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                break
            s = data.decode("utf-8", "replace")
            self.t.log(s)
            with self._cond:
                self._text += s
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    @property
    def output(self):
        with self._cond:
            return self._text

    def _wait_for(self, pred, timeout, what):
        deadline = time.monotonic() + self.t.time_left(timeout)
        with self._cond:
            while True:
                r = pred()
                if r is not None:
                    return r
                if self._eof:
                    self._cond.release()
                    try:
                        status = self.p.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        status = None
                    finally:
                        self._cond.acquire()
                    raise Failure("process exited (status %s) before printing %s"
                                  % (status, what))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout("waited for %s" % what)
                self._cond.wait(min(left, 0.5))

    def expect(self, regex, timeout=None):
        """Wait for regex in the output after the last match; return the match.
        Output arrives in pieces: a pattern that ends in a variable-length part
        (\d+, .*) can match a prefix of what is still coming, so end such a
        pattern with a fixed delimiter."""
        rx = re.compile(regex)

        def find():
            m = rx.search(self._text, self._cursor)
            if m:
                self._cursor = m.end()
            return m
        return self._wait_for(find, timeout, "/%s/" % regex)

    def send(self, text):
        try:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Failure("could not send %r: the process has exited" % text)

    def poll(self):
        return self.p.poll()

    def wait_exit(self, timeout=None):
        """Wait for the process to exit; return its status."""
        try:
            status = self.p.wait(timeout=self.t.time_left(timeout))
        except subprocess.TimeoutExpired:
            raise Timeout("waited for %s to exit" % os.path.basename(self.argv[0]))
        self._reader.join(timeout=5)
        return status

    def kill(self):
        _kill_group(self.pgid)
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


class T:
    """What a test function gets: processes, checks, its log and its deadline."""

    def __init__(self, tst, log_path):
        self.test = tst
        self.log_path = log_path
        # A directory of the test's own for files it makes (tests run in parallel).
        self.log_dir = os.path.splitext(log_path)[0] + ".files"
        os.makedirs(self.log_dir, exist_ok=True)
        self.deadline = time.monotonic() + tst.timeout
        self._procs = []
        self._log_lock = threading.Lock()
        self._log = open(log_path, "w")

    def log(self, s):
        with self._log_lock:
            if not self._log.closed:
                self._log.write(s)
                self._log.flush()

    def time_left(self, want=None):
        left = max(0.0, self.deadline - time.monotonic())
        return left if want is None else min(want, left)

    def spawn(self, argv, cwd=REPO_ROOT, env=None):
        return Proc(self, list(argv), cwd, env)

    def qemu(self, append="", mem=128, extra=(), gdb=True, kernel="out/vmos",
             snapshot=True):
        argv = ["qemu-system-i386", "-kernel", kernel, "-append", append, "-m", str(mem),
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
                "-smp", "1", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if snapshot:
            argv.append("-snapshot")
        port = None
        if gdb:
            port = free_port()
            argv += ["-gdb", "tcp:127.0.0.1:%d" % port]
        argv += list(extra)
        p = self.spawn(argv)
        p.gdb_port = port
        return p

    def check(self, cond, msg):
        if not cond:
            raise Failure(msg)

    def fail(self, msg):
        raise Failure(msg)

    def cleanup(self):
        for p in self._procs:
            p.kill()
        with self._log_lock:
            self._log.close()

    def last_lines(self, n=15):
        out = "".join(p.output for p in self._procs)
        return out.splitlines()[-n:]


# ---- tests and suites ----
class Test:
    def __init__(self, fn, name, points, timeout, suite):
        self.fn, self.name, self.points, self.timeout, self.suite = \
            fn, name, points, timeout, suite
        self.verdict = None      # OK, FAIL or TIMEOUT
        self.message = ""
        self.elapsed = 0.0
        self.log_path = None
        self.tail = []

    @property
    def full_name(self):
        return "%s: %s" % (self.suite, self.name)


_registry = {}                   # module name -> [Test]


def test(name, points=1, timeout=30):
    """Register the decorated function as a test of the module it is defined in."""
    def deco(fn):
        mod = fn.__module__
        _registry.setdefault(mod, []).append(Test(fn, name, points, timeout, mod))
        return fn
    return deco


def tests_of(module_name):
    return _registry.get(module_name, [])


def _slug(s):
    return re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_")[:80]


def _run_one(tst, log_dir):
    os.makedirs(os.path.join(log_dir, tst.suite), exist_ok=True)
    tst.log_path = os.path.join(log_dir, tst.suite, _slug(tst.name) + ".log")
    t = T(tst, tst.log_path)
    result = {}

    def body():
        try:
            tst.fn(t)
            result["v"] = ("OK", "")
        except Failure as e:
            result["v"] = ("FAIL", str(e))
        except Timeout as e:
            result["v"] = ("TIMEOUT", str(e))
        except Exception:
            result["v"] = ("FAIL", traceback.format_exc())

    start = time.monotonic()
    worker = threading.Thread(target=body, daemon=True)
    worker.start()
    worker.join(tst.timeout)
    if worker.is_alive():
        # Hard deadline: kill its processes; whatever it was waiting on ends.
        result.setdefault("v", ("TIMEOUT", "the test ran past its %ds deadline" % tst.timeout))
        for p in t._procs:
            p.kill()
        worker.join(1)      # a test stuck in its own Python code is abandoned
    tst.elapsed = time.monotonic() - start
    tst.verdict, tst.message = result.get("v", ("TIMEOUT", "no verdict"))
    tst.tail = t.last_lines()
    t.cleanup()


def run_suites(modules, jobs=1, filter=None, log_dir=None, results_json=None,
               verbose=False, out=sys.stdout, max_timeout=None):
    """Run the tests of the given suite modules; print verdicts in definition
    order, the score and `N passed, N failed`. Returns the number failed."""
    log_dir = log_dir or os.path.join(REPO_ROOT, "grade", "logs")
    todo = [t for m in modules for t in tests_of(m.__name__)
            if not filter or filter in t.full_name]
    if max_timeout:
        for t in todo:
            t.timeout = min(t.timeout, max_timeout)
    done = [threading.Event() for _ in todo]
    sem = threading.Semaphore(max(1, jobs))

    def worker(i):
        with sem:
            _run_one(todo[i], log_dir)
        done[i].set()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True)
               for i in range(len(todo))]
    for th in threads:
        th.start()
    passed = failed = score = total = 0
    for i, tst in enumerate(todo):
        done[i].wait()
        total += tst.points
        print("== %s == %s (%.1fs)" % (tst.full_name, tst.verdict, tst.elapsed), file=out)
        if tst.verdict == "OK":
            passed += 1
            score += tst.points
        else:
            failed += 1
            for line in tst.message.rstrip().splitlines():
                print("    " + line, file=out)
            print("    last lines of output:", file=out)
            for line in tst.tail:
                print("    | " + line, file=out)
            print("    full log: " + os.path.relpath(tst.log_path, os.getcwd()), file=out)
        out.flush()
    if results_json:
        with open(results_json, "w") as f:
            json.dump({"score": score, "tests": [
                {"name": t.full_name, "score": t.points if t.verdict == "OK" else 0,
                 "max_score": t.points,
                 "status": "passed" if t.verdict == "OK" else "failed",
                 "output": "" if t.verdict == "OK" else t.verdict + ": " + t.message}
                for t in todo]}, f, indent=1)
    print("Score: %d/%d" % (score, total), file=out)
    print("%d passed, %d failed" % (passed, failed), file=out)
    return failed
