#!/usr/bin/env python3
# bench_mmu.py: the memory half of `make bench` (bench.py --only mmu; issue 11
# item 3): xv6a's process and memory workloads (user/xv6a/bench.c) three ways:
# bare QEMU, a guest on the host's shadow page tables (mmu=shadow, the
# default; and with shadowcache=1, the shadow without lab 4's cache) and a
# guest on its own pinned tables (mmu=direct, vmos/direct.c).
# One run each under -icount shift=0 (instructions: xv6a's and, in a guest,
# the host's), and the host's events from its mark lines around each workload:
# host entries by cause per operation. The runs, the parsing and the formats
# are bench_xv6a.py's. No thresholds: it prints, it does not judge.
import os
import sys

from bench_xv6a import OUT, boot, counts, fmt, per_op, ratio

WORKLOADS = [("fork-exit-wait", "fork + exit + wait"),
             ("fork-exec-exit", "fork + exec + exit + wait"),
             ("context-switch", "process context switch (pipe ping-pong)"),
             ("page-fault", "page fault (lazy sbrk, first touch)"),
             ("usertests", "usertests, whole")]
MODES = [("bare", None), ("nocache", "vms=xv6a:32M:hd0 shadowcache=1"),
         ("shadow", "vms=xv6a:32M:hd0"), ("direct", "vms=xv6a:32M:hd0:direct")]
GUESTS = ("nocache", "shadow", "direct")

# Host entries by cause: (column, mark counters summed). "other" is the rest:
# the host's timer ticks, first FPU uses.
CAUSES = [("entries", ("exits",)), ("hcalls", ("hcalls",)), ("pgdirs", ("pgdirs",)),
          ("mmu_upd", ("mmu_batches",)), ("pins", ("mmu_pins", "mmu_unpins")),
          ("fault", ("faults",)), ("hidden", ("hidden",)), ("syscall", ("syscalls",)),
          ("irq", ("irqs",)), ("emulate", ("emulate_exits",)), ("timer", ("ticks",))]


def run_all():
    command = "bench " + " ".join(w for w, _ in WORKLOADS)
    ins, ev = {}, {}
    for mode, append in MODES:
        text = boot("bare" if mode == "bare" else "vmos", True, command=command,
                    append=append)[0]
        ins[mode], ev[mode] = per_op(text), counts(text)
    return ins, ev


def main(runs=None):
    for f in ("vmos", "xv6a/xv6a-bare.elf", "xv6a/fs.img"):
        if not os.path.exists(os.path.join(OUT, f)):
            sys.exit("bench: build first (make)")
    ins, ev = run_all()
    print("xv6a's memory: bare, on the host's shadow tables without and with the cache "
          "(shadowcache=1; the default), on its own pinned tables (direct); instructions "
          "per operation under icount, host entries per operation")
    print("%-42s %10s %10s %10s %10s %7s %7s %8s %8s %8s" % (
        "workload", "bare", "nocache", "shadow", "direct", "sh/bare", "di/bare", "nc-entr",
        "sh-entr", "di-entr"))
    for w, label in WORKLOADS:
        b, nc, s, d = (ins[m].get(w) for m, _ in MODES)
        if w == "usertests":
            b = None                 # bare, it polls a real disk while icount counts on
        es = [(ev[m].get(w, (0, {}))) for m in GUESTS]
        ent = ["%.2f" % (dd.get("exits", 0) / n) if n else "-" for n, dd in es]
        print("%-42s %10s %10s %10s %10s %7s %7s %8s %8s %8s" % (
            label, fmt(b), fmt(nc), fmt(s), fmt(d), ratio(s, b), ratio(d, b), *ent))
    print()
    print("host entries by cause, per operation (pgdirs, mmu_upd: hypercalls among them; "
          "pins: pages pinned and unpinned in those batches; emulate: the trap-mode disk's "
          "port I/O; timer: the host's ticks in the window)")
    print("%-15s %-7s" % ("workload", "") + "".join(" %8s" % c for c, _ in CAUSES) +
          " %8s" % "other")
    for w, _ in WORKLOADS:
        for mode in GUESTS:
            n, d = ev[mode].get(w, (0, {}))
            if not n:
                print("%-15s %-7s (no marks: see its log)" % (w, mode))
                continue
            vals = [sum(d.get(k, 0) for k in keys) for _, keys in CAUSES]
            known = sum(vals[i] for i, (c, _) in enumerate(CAUSES)
                        if c in ("hcalls", "fault", "hidden", "syscall", "irq", "emulate",
                                 "timer"))
            cells = ["%.2f" % (v / n) for v in vals] + ["%.2f" % ((vals[0] - known) / n)]
            print("%-15s %-7s" % (w, mode) + "".join(" %8s" % c for c in cells))


if __name__ == "__main__":
    main()
