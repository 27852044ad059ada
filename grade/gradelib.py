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
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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


# ---- processes: every one we start, so that none outlives us ----
# Each child starts in a process group of its own, killed as a whole. A helper
# may put its own children elsewhere (a new session, as bench.py once did with
# QEMU), so the harness is also the "subreaper" of everything below it (Linux
# prctl): an orphan is re-parented to us, not to init, and killing a child
# first kills every process descending from it, whichever group it is in.
_groups = set()
_groups_lock = threading.Lock()
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass                    # not Linux: process groups alone


def _parents():
    """{pid: parent pid} of every process, from /proc."""
    r = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        r[int(d)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return r


def descendants(pid):
    """Every process below pid (children, theirs, ...), as it is now."""
    parents = _parents()
    children = {}
    for p, pp in parents.items():
        children.setdefault(pp, []).append(p)
    out, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _kill_tree(pid, pgid=None):
    """SIGKILL pid's group and every descendant of pid (found first, since a
    killed parent's children move), then reap those that became ours."""
    below = descendants(pid)
    mine = os.getpgrp()
    if pgid:
        _kill_group(pgid)
    for p in [pid] + below:
        try:
            os.kill(p, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for p in below:
        try:
            g = os.getpgid(p)
            if g != mine:
                os.killpg(g, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    _reap(below)


def _reap(pids, wait=2.0):
    """Collect the exit status of killed orphans as they are re-parented to us
    (never of our own Popen children: subprocess waits for those itself), so
    that no zombie keeps their process group alive. Bounded: a process that
    has not gone after `wait` seconds is left."""
    left = set(pids)
    end = time.monotonic() + wait
    while left:
        for p in list(left):
            try:
                if os.waitpid(p, os.WNOHANG)[0] == p:
                    left.discard(p)
            except ChildProcessError:     # not ours (yet): gone, or its parent dying
                if not os.path.exists("/proc/%d" % p):
                    left.discard(p)
        if not left or time.monotonic() > end:
            break
        time.sleep(0.01)


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    with _groups_lock:
        _groups.discard(pgid)


def kill_all_groups():
    """Every process we started, and everything below them: at exit, on a
    signal. Nothing the harness started may outlive it."""
    with _groups_lock:
        groups = list(_groups)
    for g in groups:
        _kill_group(g)
    below = descendants(os.getpid())
    for p in below:
        try:
            os.kill(p, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    _reap(below)


atexit.register(kill_all_groups)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Proc:
    """A child process in its own process group, its output collected as it comes.
    Waits end as soon as their outcome is known: the text came, the process
    exited, a fail_on pattern appeared, or a watch said something is wrong."""

    def __init__(self, t, argv, cwd, env, name=None):
        self.t = t
        self.argv = argv
        self.name = name or os.path.basename(argv[0])
        self._text = ""
        self._cursor = 0
        self._cond = threading.Condition()
        self._eof = False
        self._fail_on = []            # [pattern, position, why]
        self._watches = []            # [fn, every, next time]
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

    def fail_on(self, regex, why):
        """From now on, any wait fails as soon as regex appears in the output
        (in what no expect has consumed yet, or what comes later).
        why: a sentence (str.format with the match's groups), or a function of
        the match returning one, or None to let that match pass."""
        with self._cond:
            self._fail_on.append([re.compile(regex), self._cursor, why])

    def watch(self, fn, every=0.5):
        """While waiting, call fn(proc) every `every` seconds; a sentence it
        returns fails the wait (e.g. a counter of the host that shows no
        progress: the outcome is known before any deadline)."""
        self._watches.append([fn, every, time.monotonic() + every])

    def _known_failure(self):
        """The sentence of the earliest fail_on match in the output, if any."""
        first = None
        for f in self._fail_on:
            rx, pos, why = f
            while True:
                m = rx.search(self._text, pos)
                if not m:
                    break
                msg = why(m) if callable(why) else why.format(*m.groups())
                if msg:
                    if first is None or m.start() < first[0]:
                        first = (m.start(), msg)
                    break
                pos = f[1] = m.end()          # a match that may pass: not again
        return first[1] if first else None

    def _run_watches(self):
        now = time.monotonic()
        for w in self._watches:
            fn, every, due = w
            if now >= due:
                w[2] = now + every
                msg = fn(self)
                if msg:
                    return msg
        return None

    def _exit_status(self):
        try:
            return self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def exit_words(self, status):
        """How a process's exit status reads in a sentence."""
        if status is None:
            return "%s stopped printing but did not exit" % self.name
        if status < 0:
            return "%s was killed (signal %d)" % (self.name, -status)
        if self.name.lower().startswith("qemu") and status == DEBUG_EXIT_PASS:
            return "QEMU exited (status %d: the host powered off, passing)" % status
        if self.name.lower().startswith("qemu") and status == DEBUG_EXIT_FAIL:
            return "QEMU exited (status %d: the host reported a failure)" % status
        return "%s exited (status %d)" % (self.name, status)

    def _wait_for(self, pred, timeout, what):
        want = self.t.time_left(timeout)
        deadline = time.monotonic() + want
        with self._cond:
            while True:
                r = pred()
                if r is not None:
                    return r
                known = self._known_failure()
                if known is None and self._watches:
                    self._cond.release()
                    try:
                        known = self._run_watches()
                    finally:
                        self._cond.acquire()
                    if known is None:
                        r = pred()      # it may have come while the watch ran
                        if r is not None:
                            return r
                if known:
                    raise Failure("expected %s, but %s" % (what, known))
                if self._eof:
                    self._cond.release()
                    try:
                        status = self._exit_status()
                    finally:
                        self._cond.acquire()
                    raise Failure("expected %s, but %s first" % (what, self.exit_words(status)))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout("expected %s, but it had not come after %.0f s%s"
                                  % (what, want, self._last_line()))
                self._cond.wait(min(left, 0.25))

    def _last_line(self):
        lines = [l for l in self._text.splitlines() if l.strip()]
        return "; the last line was: %s" % lines[-1].strip() if lines else \
            "; nothing was printed"

    def expect(self, regex, timeout=None, what=None):
        """Wait for regex in the output after the last match; return the match.
        what: what is awaited, in words ("VM 2 to say it booted"), for the
        verdict; without it the verdict shows the pattern.
        Output arrives in pieces: a pattern that ends in a variable-length part
        (\\d+, .*) can match a prefix of what is still coming, so end such a
        pattern with a fixed delimiter."""
        rx = re.compile(regex)

        def find():
            m = rx.search(self._text, self._cursor)
            if m:
                self._cursor = m.end()
            return m
        return self._wait_for(find, timeout, what or "output matching /%s/" % regex)

    def send(self, text):
        try:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Failure("could not send %r: %s has exited" % (text, self.name))

    def poll(self):
        return self.p.poll()

    def wait_exit(self, timeout=None):
        """Wait for the process to exit; return its status."""
        want = self.t.time_left(timeout)
        try:
            status = self.p.wait(timeout=want)
        except subprocess.TimeoutExpired:
            raise Timeout("expected %s to exit, but it was still running after %.0f s%s"
                          % (self.name, want, self._last_line()))
        self._reader.join(timeout=5)
        return status

    def kill(self):
        _kill_tree(self.p.pid, self.pgid)
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


class HostProbe:
    """Reads the host's variables while it runs, through QEMU's QMP socket
    (physical memory, by symbol from out/vmos.sym), so that a test can tell
    from the host's own counters that nothing is happening. Nothing in the
    guest notices."""

    KERNBASE = 0xC0000000

    def __init__(self, sock, symfile):
        self.sock_path = sock
        self.symfile = symfile
        self._syms = None
        self._s = None
        self._buf = b""

    def _symbols(self):
        if self._syms is None:
            self._syms = {}
            with open(self.symfile) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3:
                        self._syms[parts[2]] = int(parts[0], 16)
        return self._syms

    def _line(self):
        while b"\n" not in self._buf:
            data = self._s.recv(4096)
            if not data:
                raise OSError("QMP closed")
            self._buf += data
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def _command(self, cmd, **args):
        self._s.sendall(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
        while True:
            r = self._line()
            if "return" in r or "error" in r:
                return r

    def _connect(self):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(self.sock_path)
        self._s, self._buf = s, b""
        self._line()                                  # the greeting
        self._command("qmp_capabilities")

    def read(self, symbol, n=1):
        """n 32-bit words of the host's memory at symbol; None if QEMU is not
        (or no longer) there to ask."""
        try:
            if self._s is None:
                self._connect()
            addr = self._symbols()[symbol] - self.KERNBASE
            r = self._command("human-monitor-command",
                              **{"command-line": "xp /%dwx 0x%x" % (n, addr)})
            words = re.findall(r"0x([0-9a-f]+)", r.get("return", "").split(":", 1)[-1])
            return [int(w, 16) for w in words[:n]] if len(words) >= n else None
        except (OSError, ValueError):
            self.close()
            return None

    def close(self):
        if self._s:
            self._s.close()
        self._s = None


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
        self._tmpdirs = []
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

    def spawn(self, argv, cwd=REPO_ROOT, env=None, name=None):
        return Proc(self, list(argv), cwd, env, name)

    def qemu(self, append="", mem=128, extra=(), gdb=True, kernel="out/vmos",
             snapshot=True, probe=False, cwd=REPO_ROOT):
        """QEMU on kernel with the boot line append. probe: the returned
        process has .host, a HostProbe on the host's variables."""
        argv = ["qemu-system-i386", "-kernel", kernel, "-append", append, "-m", str(mem),
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
                "-smp", "1", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if snapshot:
            argv.append("-snapshot")
        port = None
        if gdb:
            port = free_port()
            argv += ["-gdb", "tcp:127.0.0.1:%d" % port]
        sock = None
        if probe:
            # A short path: a socket's name is limited to about 100 bytes.
            d = tempfile.mkdtemp(prefix="vmos-grade-")
            self._tmpdirs.append(d)
            sock = os.path.join(d, "qmp")
            argv += ["-qmp", "unix:%s,server=on,wait=off" % sock]
        argv += list(extra)
        p = self.spawn(argv, cwd=cwd, name="QEMU")
        p.gdb_port = port
        p.host = HostProbe(sock, os.path.join(cwd, kernel) + ".sym") if probe else None
        return p

    def check(self, cond, msg):
        if not cond:
            raise Failure(msg)

    def fail(self, msg):
        raise Failure(msg)

    def cleanup(self):
        for p in self._procs:
            p.kill()
            if getattr(p, "host", None):
                p.host.close()
        for d in self._tmpdirs:
            shutil.rmtree(d, ignore_errors=True)
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


# A test's own waits end at its deadline with a sentence saying what they
# waited for; the hard deadline, a little later, is for a test stuck in its own
# Python code. Its processes are killed only after its verdict is fixed, so the
# kill cannot turn a TIMEOUT into "the process exited".
HARD_DEADLINE_GRACE = 2.0


def grader_error(e):
    """A sentence for an exception in a test's own code (a bug of the grader,
    or a case it did not foresee); the traceback goes to the log."""
    tb = traceback.extract_tb(e.__traceback__)
    where = ""
    if tb:
        f = tb[-1]
        where = " (%s line %d, in %s)" % (os.path.basename(f.filename), f.lineno, f.name)
    return ("the test itself failed: %s: %s%s; the traceback is in the log"
            % (type(e).__name__, e, where))


def _run_one(tst, log_dir):
    os.makedirs(os.path.join(log_dir, tst.suite), exist_ok=True)
    tst.log_path = os.path.join(log_dir, tst.suite, _slug(tst.name) + ".log")
    t = T(tst, tst.log_path)
    verdict = []                 # the first verdict given is the one that counts
    lock = threading.Lock()

    def give(v, msg):
        with lock:
            if not verdict:
                verdict.append((v, msg))

    def body():
        try:
            tst.fn(t)
            give("OK", "")
        except Failure as e:
            give("FAIL", str(e))
        except Timeout as e:
            give("TIMEOUT", str(e))
        except Exception as e:
            t.log("\n" + traceback.format_exc())
            give("FAIL", grader_error(e))

    start = time.monotonic()
    worker = threading.Thread(target=body, daemon=True)
    worker.start()
    worker.join(tst.timeout + HARD_DEADLINE_GRACE)
    if worker.is_alive():
        give("TIMEOUT", "the test ran past its %ds deadline" % tst.timeout)
        for p in t._procs:       # whatever it was waiting on ends
            p.kill()
        worker.join(1)           # a test stuck in its own Python code is abandoned
    tst.elapsed = time.monotonic() - start
    tst.verdict, tst.message = verdict[0]
    tst.tail = t.last_lines()
    t.cleanup()


def run_suites(modules, jobs=1, filter=None, log_dir=None, results_json=None,
               verbose=False, out=sys.stdout, max_timeout=None):
    """Run the tests of the given suite modules (those whose name contains one
    of the words in filter, if given); print verdicts in definition order, the
    score and `N passed, N failed`. Returns the number failed."""
    become_subreaper()
    log_dir = log_dir or os.path.join(REPO_ROOT, "grade", "logs")
    words = [filter] if isinstance(filter, str) else (filter or [])
    todo = [t for m in modules for t in tests_of(m.__name__)
            if not words or any(w in t.full_name for w in words)]
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
            for line in report(tst).splitlines():
                print("    " + line, file=out)
        out.flush()
    if results_json:
        with open(results_json, "w") as f:
            json.dump({"score": score, "tests": [
                {"name": t.full_name, "score": t.points if t.verdict == "OK" else 0,
                 "max_score": t.points,
                 "status": "passed" if t.verdict == "OK" else "failed",
                 "output": "" if t.verdict == "OK" else t.verdict + ": " + report(t)}
                for t in todo]}, f, indent=1)
    print("Score: %d/%d" % (score, total), file=out)
    print("%d passed, %d failed" % (passed, failed), file=out)
    return failed


def report(tst):
    """What a failed test shows: its verdict's sentence, the last lines of
    output and where the whole log is."""
    lines = tst.message.rstrip().splitlines()
    lines.append("last lines of output:")
    lines += ["| " + l for l in tst.tail]
    lines.append("full log: " + os.path.relpath(tst.log_path, os.getcwd()))
    return "\n".join(lines)


def parse_verdicts(out):
    """{test name: (verdict, its sentence)} from what run_suites printed (for
    the tests of the harness and of the graders, which run grade.py)."""
    r = {}
    for m in re.finditer(r"^== \w+: (.*) == (OK|FAIL|TIMEOUT) \([\d.]+s\)\n((?:    .*\n)*)",
                         out, re.M):
        body = m.group(3).split("    last lines of output:")[0]
        r[m.group(1)] = (m.group(2), " ".join(l.strip() for l in body.splitlines()))
    return r
