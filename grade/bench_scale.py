# bench_scale.py: `make bench`'s scale part (grade/bench.py --only scale; issue
# 11 item 6). The aggregate progress of a CPU-bound task across 1,024 minis
# against one mini alone, over the same window of host ticks: each mini-scale
# (user/mini/work.c) counts the units of work it finishes between host ticks
# WORK_START and WORK_END and says so; the bench adds them up. Beside it the
# host's events in that run, from its stopafter counters: host entries, world
# switches, the round robin's turns and the VMs its scans looked at. Under
# -icount (shift=ICOUNT_SHIFT: a host tick is a fixed number of instructions)
# the two runs are deterministic and the ratio counts instructions, the host's
# included; without it, the same in wall time (noisy on a shared machine).
# No thresholds: it prints, it does not judge.
import os
import re
import subprocess
import sys

IMAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "out", "vmos")

MINI = "mini-scale"
N = 1024
WORK_START, WORK_END = 1500, 2500   # user/mini/work.c
STOPAFTER = WORK_END + 1200         # every VM's turn after the window comes (quantum=1)
ICOUNT_SHIFT = 2                    # 4 ns an instruction: 2.5 million a host tick


class BenchFailed(Exception):
    pass


def run(n, icount):
    """One boot of n minis; (units in the window, per-VM counts, host counters)."""
    cmd = ["qemu-system-i386", "-kernel", IMAGE, "-append",
           "vms=%s:256K*%d quantum=1 stopafter=%d" % (MINI, n, STOPAFTER),
           "-m", "400", "-smp", "1", "-display", "none", "-serial", "stdio",
           "-monitor", "none", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if icount:
        cmd += ["-icount", "shift=%d,align=off,sleep=off" % ICOUNT_SHIFT]
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=900).stdout
    except subprocess.TimeoutExpired:
        raise BenchFailed("%d minis%s did not finish in 900 s" % (
            n, " under icount" if icount else ""))
    units = dict((int(m.group(1)), int(m.group(2))) for m in re.finditer(
        r"\[%s\.(\d+)\] work: (\d+) units in host ticks %d-%d" % (MINI, WORK_START, WORK_END),
        out))
    if len(units) != n or "stopafter=%d reached" % STOPAFTER not in out:
        raise BenchFailed("%d minis%s: %d reported their window's work; QEMU's output ends:\n%s"
                          % (n, " under icount" if icount else "", len(units),
                             "\n".join(out.splitlines()[-15:])))
    host = {}
    m = re.search(r"host: ticks (\d+), world switches (\d+), cr3 loads (\d+), idle ticks (\d+)",
                  out)
    if m:
        host.update(zip(("ticks", "switches", "cr3", "idle"), (int(x) for x in m.groups())))
    m = re.search(r"host: round robin: (\d+) turns, (\d+) VMs looked at", out)
    if m:
        host.update(zip(("turns", "looked"), (int(x) for x in m.groups())))
    exits = [int(x) for x in re.findall(r"^VM \d+ \([^)]*\): exits (\d+):", out, re.M)]
    timer = [int(x) for x in re.findall(r"^VM \d+ \([^)]*\): exits \d+: timer (\d+)", out,
                                        re.M)]
    host["exits"], host["timer_exits"] = sum(exits), sum(timer)
    return sum(units.values()), units, host


def main(runs=1):
    print("vmos scale bench: a CPU-bound task (mini-scale, 256 KiB) in 1 mini and in %d "
          "at once, quantum=1; units of work done in host ticks %d-%d" % (N, WORK_START,
                                                                        WORK_END))
    print("%-26s %10s %10s %8s %10s %10s %8s %8s %12s" % (
        "run", "units", "of alone", "min/VM", "max/VM", "entries", "switches", "turns",
        "looked/turn"))
    for icount in (True, False):
        label = "icount shift=%d" % ICOUNT_SHIFT if icount else "wall (no icount)"
        alone, _, h1 = run(1, icount)
        allu, per, hn = run(N, icount)
        for name, u, units, h in (("1 mini, " + label, alone, None, h1),
                                  ("%d minis, %s" % (N, label), allu, per, hn)):
            looked = "%.2f" % (h["looked"] / h["turns"]) if h.get("turns") else "-"
            print("%-26s %10d %9.1f%% %8s %10s %10d %8d %8d %12s" % (
                name, u, 100.0 * u / alone if alone else 0,
                min(units.values()) if units else "-", max(units.values()) if units else "-",
                h["exits"], h.get("switches", 0), h.get("turns", 0), looked))
        print("  %s: %d minis did %.1f%% of one mini's work in the same %d host ticks; "
              "host entries %d (timer %d) against %d alone" % (
                  label, N, 100.0 * allu / alone if alone else 0, WORK_END - WORK_START,
                  hn["exits"], hn["timer_exits"], h1["exits"]))
        sys.stdout.flush()
