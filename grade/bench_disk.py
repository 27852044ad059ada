#!/usr/bin/env python3
# bench_disk.py: the disk-throughput part of `make bench`'s interrupt half
# (lab 2, issue 9 item 6). One xv6a owns its disk in pass mode (the real
# controller on hd0, IRQ 14, its driver interrupt-driven: guests/xv6a/ide.c)
# and reads a file larger than its buffer cache, a block at a time (bench
# disk-read, user/xv6a/bench.c: every read a cache miss, so one disk command
# and one disk interrupt each), with 1, 3 or 7 CPU-bound minis beside it, all
# VMs in route, swap or defer mode. Per read, the three measures of design.md
# section 12:
#   events        from the host's mark lines around the workload: host entries
#                 (all causes, and by a device's interrupt), HC_EOIs, virtual
#                 device interrupts and the host ticks they waited, world
#                 switches;
#   instructions  one run under -icount shift=0 (the minis' included: the
#                 reads wait behind them);
#   throughput    reads a second by the host's ticks (10 ms each) between the
#                 marks, and wall cycles per read, medians of --runs runs.
# The quantum is bench_irq's (2 ticks) so that defer's wait for the owner's turn
# stays within a run. It prints, it does not judge.
import statistics
import sys

import bench_xv6a

MODES = ("route", "swap", "defer")
MINIS = (1, 3, 7)
QUANTUM = 2
BUDGET = 12000          # host ticks: a run that cannot finish powers off by itself
# xv6a idle but for the reads (each interrupt comes while another VM runs or
# the host idles), and busy (a process of its own computes meanwhile, so that
# the interrupts also come while it runs)
WORKS = (("disk-read", "reader alone"), ("disk-read-busy", "reader beside a busy process"))


class BenchFailed(Exception):
    pass


def append(mode, minis):
    return "vms=xv6a:32M:hd0:pass:%s,mini:%s*%d quantum=%d stopafter=%d" % (
        mode, mode, minis, QUANTUM, BUDGET)


def run(mode, minis, icount):
    """{workload: (cycles per read, {counter: whole workload}, reads)} of one boot."""
    text, _ = bench_xv6a.boot("%s-%d" % (mode, minis), icount, timeout=300,
                              command="bench " + " ".join(w for w, _ in WORKS),
                              append=append(mode, minis))
    per, ev, r = bench_xv6a.per_op(text), bench_xv6a.counts(text), {}
    for w, _ in WORKS:
        n, d = ev.get(w, (0, {}))
        if w not in per or not n:
            raise BenchFailed("xv6a's %s in %s mode with %d minis%s did not finish (see above)"
                              % (w, mode, minis, " (icount)" if icount else ""))
        r[w] = (per[w], d, n)
    return r


def main(runs=5, minis_list=MINIS):
    runs = max(1, runs)
    res = {}
    for minis in minis_list:
        for mode in MODES:
            ins = run(mode, minis, True)
            walls = [run(mode, minis, False) for _ in range(runs)]
            res[(mode, minis)] = (ins, walls)
    report(res, runs, minis_list)


def fmt(x, digits=2):
    return "-" if x is None else "%.*f" % (digits, x)


def tsc_hz(res):
    """The TSC's rate without icount: all wall runs' cycles over their host ticks
    (10 ms each; a single run's few ticks would be too coarse)."""
    cycles = ticks = 0
    for _, walls in res.values():
        for r in walls:
            for per, d, n in r.values():
                cycles += per * n
                ticks += d.get("ticks", 0)
    return cycles * 100.0 / ticks if ticks else None


def report(res, runs, minis_list):
    hz = tsc_hz(res)
    print("disk throughput (lab 2): one xv6a reading its pass-mode disk through its file "
          "system (bench disk-read: a block a read, every one a buffer-cache miss) beside "
          "1, 3 or 7 busy minis, all VMs in one mode; quantum=%d" % QUANTUM)
    fmt_row = "%-40s %-5s %5s %8s %6s  %7s %6s %6s %6s %7s  %9s %10s"
    print(fmt_row % ("xv6a disk reads", "mode", "minis", "reads/s", "/route", "entries",
                     "eoi", "devirq", "waited", "switch", "instr", "cycles"))
    rates = {}
    for w, label in WORKS:
        for minis in minis_list:
            for mode in MODES:
                ins, walls = res[(mode, minis)]
                n = ins[w][2]
                cyc = statistics.median(r[w][0] for r in walls)
                rate = rates[(w, mode, minis)] = hz / cyc if hz else None
                ref = rates.get((w, "route", minis))
                ev = dict((k, statistics.median(r[w][1][k] / r[w][2] for r in walls))
                          for k in ("exits", "eois", "devvirqs", "devwait", "switches"))
                print(fmt_row % (
                    "%s, %d reads" % (label, n) if mode == "route" and minis == minis_list[0]
                    else "", mode, minis, fmt(rate, 0),
                    fmt(rate / ref if rate and ref else None), fmt(ev["exits"]),
                    fmt(ev["eois"]), fmt(ev["devvirqs"]), fmt(ev["devwait"]),
                    fmt(ev["switches"]), fmt(ins[w][0], 0), fmt(cyc, 0)))
    print("reads/s: the TSC's rate (%s MHz, from the runs' host ticks) over the median wall "
          "cycles per read of %d runs; /route: against route's with as many minis.\n"
          "per read: entries: xv6a's host entries (all causes; a device interrupt that comes "
          "while a mini runs is the mini's entry, or its hand-back); eoi: xv6a's HC_EOIs "
          "(each ends a disk interrupt that reached it directly); devirq: device "
          "interrupts it got as virtual ones instead, waited: the host ticks they waited "
          "for it; switch: world switches (all VMs); instr: instructions under icount (the "
          "minis' too: the reads wait behind them); cycles: wall cycles (median)" % (
              fmt(hz / 1e6 if hz else None, 0), runs))
    print("expected: swap = direct interrupts (eoi) when xv6a runs, the busy reader's; "
          "defer = fewest world switches and lowest throughput (an interrupt that comes "
          "while a mini runs waits for xv6a's turn); route = every interrupt a virtual one")


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5,
             tuple(int(x) for x in sys.argv[2:]) or MINIS)
    except BenchFailed as e:
        sys.exit("bench: %s" % e)
