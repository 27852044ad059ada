#!/usr/bin/env python3
# grade.py: the grader's command line: `make test` runs every suite in
# grade/suites.txt, `make grade LAB=n` runs suite labn. A suite is a module
# grade/NAME.py (or in the directory GRADE_SUITE_PATH names) with @test functions.
#   python3 grade/grade.py [-j N] [-k WORD]... [--results FILE] [--log-dir DIR]
#                          [--timeout SECONDS] [SUITE...]
import argparse
import importlib
import os
import re
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gradelib  # noqa: E402


def available(path):
    """The suites in path: the modules with tests (bench.py, gradelib.py and
    other helpers have none)."""
    def has_tests(f):
        with open(os.path.join(path, f), errors="replace") as src:
            return re.search(r"^from gradelib import .*\btest\b", src.read(), re.M)
    return sorted(f[:-3] for f in os.listdir(path)
                  if f.endswith(".py") and f not in ("gradelib.py", "grade.py") and has_tests(f))


def default_suites():
    names = []
    with open(os.path.join(HERE, "suites.txt")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                names.append(line)
    return names


def on_signal(signum, frame):
    gradelib.kill_all_groups()
    print("\ninterrupted: stopped every process the tests started", flush=True)
    os._exit(130)


def main():
    ap = argparse.ArgumentParser(description="run vmos's test suites")
    ap.add_argument("suites", nargs="*", help="suite names (default: grade/suites.txt)")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1, help="tests in parallel")
    ap.add_argument("-k", action="append", metavar="WORD",
                    help="only tests whose name contains WORD (repeat: any of them)")
    ap.add_argument("-v", action="store_true", help="verbose")
    ap.add_argument("--results", help="write Gradescope results.json here")
    ap.add_argument("--log-dir", help="where the logs go (default grade/logs)")
    ap.add_argument("--timeout", type=float, help="cap every test's deadline (seconds)")
    args = ap.parse_args()

    path = os.environ.get("GRADE_SUITE_PATH", HERE)
    if path != HERE:
        sys.path.insert(0, path)
    names = args.suites or default_suites()
    unknown = [n for n in names if n not in available(path)]
    if unknown:
        print("grade.py: no suite %s; the suites are: %s"
              % (", ".join(unknown), " ".join(available(path))), file=sys.stderr)
        sys.exit(2)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    modules = [importlib.import_module(n) for n in names]
    failed = gradelib.run_suites(modules, jobs=args.j, filter=args.k, log_dir=args.log_dir,
                                 results_json=args.results, verbose=args.v,
                                 max_timeout=args.timeout)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
