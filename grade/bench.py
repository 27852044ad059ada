#!/usr/bin/env python3
# bench.py: `make bench`. The host half is here, the xv6a half (xv6a bare
# against xv6a as a guest) in bench_xv6a.py, the interrupt half (lab 2's
# route, swap and defer modes) in bench_irq.py and, for xv6a's disk
# throughput beside busy minis in those modes, bench_disk.py; lab 3's disk in
# trap, pass and pv (request ring) mode, bench_blk.py; lab 3's idle part (a busy
# guest's CPU share beside 7 idle ones, with HC_IDLE and with idle=spin),
# bench_idle.py; --only picks one. The host half
# boots two bench guests (guests/bench) and reports, per operation in route
# mode: instructions (under -icount shift=0, where the guest's rdtsc deltas
# count retired instructions, the host's included), host events (from the
# host's HC_MARK lines: host entries, hypercalls, world switches, CR3 loads),
# and the median of repeated runs without icount (rdtsc cycles: wall time, in
# which an int, an iret or a CR3 load costs what it really costs under QEMU).
# No thresholds: it prints, it does not judge.
import argparse
import os
import re
import statistics
import subprocess
import sys

import bench_blk
import bench_disk
import bench_idle
import bench_irq
import bench_mmu
import bench_xv6a

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE = os.path.join(ROOT, "out", "vmos")
OPS = 7000                       # N x BATCHES in guests/bench/bench.c
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]


# A run that cannot finish ends by itself: the host powers off after this many
# ticks (10 s; a run takes about 100), so a broken host fails in seconds.
STOPAFTER = 1000


class BenchFailed(Exception):
    pass


def boot(icount):
    """One run of the two bench guests; their output once both are done.
    QEMU stays in our process group (no new session), so whoever stops us
    (the grader's kill of a test, Ctrl-C) stops it too."""
    cmd = ["qemu-system-i386", "-kernel", IMAGE, "-append",
           "vms=bench,bench stopafter=%d" % STOPAFTER, "-m", "128",
           "-smp", "1", "-display", "none", "-serial", "stdio", "-monitor", "none",
           "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if icount:
        cmd += ICOUNT
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    out, done, why = [], 0, None
    try:
        for line in p.stdout:
            out.append(line)
            if re.search(r"vmos: stopped VM \d \(bench\.\d\): guest exit 0: bench done", line):
                done += 1
                if done == 2:
                    break
            elif re.search(r"vmos: stopped VM|stopafter=\d+ reached|panic", line):
                why = line.strip()
                break
        else:
            why = "QEMU exited"
    finally:
        p.kill()
        p.wait()
    if done < 2:
        raise BenchFailed("the bench guests did not finish%s: %s\nQEMU's output ends:\n%s" % (
            " under icount" if icount else "", why, "".join(out[-15:])))
    return "".join(out)


def results(text):
    """{(vm, name): per-op} from 'bench: NAME per-op X' lines."""
    r = {}
    for m in re.finditer(r"\[bench\.(\d)\] bench: (\S+) per-op ([\d.]+)", text):
        r[(int(m.group(1)), m.group(2))] = float(m.group(3))
    return r


def marks(text):
    """{(vm, label): {counter: value}} from the host's mark lines."""
    r = {}
    for m in re.finditer(r"vmos: mark (\d+) (\S+): (.*)", text):
        vals = dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", m.group(3)))
        r[(int(m.group(1)), m.group(2))] = vals
    return r


def delta(mk, vm, what, counter):
    return mk[(vm, what + "-end")][counter] - mk[(vm, what + "-begin")][counter]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5, help="runs without icount (median)")
    ap.add_argument("--only", choices=["host", "xv6a", "irq", "disk", "blk", "idle", "mmu"],
                    help="one part of the bench")
    ap.add_argument("--minis", type=int, nargs="+", help="disk part: with so many minis "
                    "beside (default 1 3 7)")
    args = ap.parse_args()
    if args.minis and any(m < 1 or m > 7 for m in args.minis):
        sys.exit("bench: --minis takes numbers from 1 to 7")
    if not os.path.exists(IMAGE):
        sys.exit("bench: build first (make)")
    try:
        if args.only in (None, "host"):
            host_bench(args)
        if args.only in (None, "xv6a"):
            if args.only is None:
                print()
            bench_xv6a.main(args.runs)
        if args.only in (None, "irq"):
            if args.only is None:
                print()
            bench_irq.main(args.runs)
        if args.only in (None, "disk"):
            if args.only is None:
                print()
            bench_disk.main(args.runs, tuple(args.minis) if args.minis else bench_disk.MINIS)
        if args.only in (None, "blk"):
            if args.only is None:
                print()
            bench_blk.main(args.runs)
        if args.only in (None, "idle"):
            if args.only is None:
                print()
            bench_idle.main(args.runs)
        if args.only in (None, "mmu"):     # xv6a's memory: shadow against direct paging
            if args.only is None:
                print()
            bench_mmu.main(args.runs)
    except (BenchFailed, bench_irq.BenchFailed, bench_disk.BenchFailed,
            bench_blk.BenchFailed, bench_idle.BenchFailed) as e:
        sys.exit("bench: %s" % e)


def host_bench(args):
    text = boot(True)
    ins, mk = results(text), marks(text)
    walls = [results(boot(False)) for _ in range(args.runs)]
    names = [("null-hypercall", "hcall", "null hypercall"),
             ("reflected-syscall", "syscall", "process system call, reflected (route)"),
             ("yield-round-trip", "yield", "yield round trip (2 world switches)")]
    print("vmos bench, route mode, two bench VMs; per operation, VM 1")
    print("%-40s %12s %8s %8s %9s %6s %12s" % ("operation", "instructions", "entries",
          "hcalls", "switches", "cr3", "wall cycles"))
    for key, mark, label in names:
        if (1, key) not in ins:
            print("%-40s (missing: see the log)" % label)
            continue
        wall = statistics.median(w[(1, key)] for w in walls if (1, key) in w)
        print("%-40s %12.1f %8.2f %8.2f %9.2f %6.2f %12.0f" % (
            label, ins[(1, key)], delta(mk, 1, mark, "exits") / OPS,
            delta(mk, 1, mark, "hcalls") / OPS, delta(mk, 1, mark, "switches") / OPS,
            delta(mk, 1, mark, "cr3") / OPS, wall))
    if (1, "yield-round-trip") in ins:
        rt, nul = ins[(1, "yield-round-trip")], ins[(1, "null-hypercall")]
        print("%-40s %12.1f   (half a round trip, less one null hypercall)" % (
            "world switch (derived)", rt / 2 - nul))
    virqs = delta(mk, 1, "timer", "virqs")
    if virqs:
        print("%-40s %12s %8.2f   (%d ticks while idle)" % (
            "virtual timer tick", "", delta(mk, 1, "timer", "exits") / virqs, virqs))
    print("instructions: -icount shift=0 (1 per retired instruction, host included); "
          "wall cycles: median of %d runs without icount" % args.runs)


if __name__ == "__main__":
    main()
