#!/usr/bin/env python3
# bench_irq.py: the interrupt half of `make bench` (lab 2: route, swap and
# defer modes; design.md section 7). The test guest irqtest (guests/irqtest)
# owns an IDE channel and COM2 in pass mode and serves them by interrupts, with
# 1, 3 or 7 CPU-bound minis beside it, all VMs in one interrupt mode:
#   own     20 disk reads while it spins: its own interrupts, while it runs;
#   away    40 disk reads while it idles: its interrupts come while a mini runs
#           (the drive is throttled, so that a read takes 5 ms: it is away);
#   serial  bytes typed on COM2 while it idles (this script waits, through the
#           monitor's `list`, until it is blocked before each byte); it echoes.
# The host records its timeline (boot option trace, vmos/trace.c: world
# switches, host entries by cause, hand-backs, EOIs, virtual interrupts, with
# the TSC), and irqtest prints the TSC of each read's command and of its
# handler, and in `own` the last TSC it read while spinning before the
# interrupt took the CPU from it. Lined up, they give per interrupt, in the
# three measures of design.md section 12:
#   events        host entries (by the device's interrupt, hand-backs, EOIs)
#                 and world switches in the interrupt's cycle (command to next
#                 command; for a byte, irqtest's HC_IDLE to its handler), from
#                 the trace;
#   instructions  from the device's interrupt to the owner's handler, one run
#                 under -icount shift=0 (where the TSC counts instructions),
#                 less the guest code of other VMs it waited behind;
#   latency       the same span in host ticks and TSC cycles, median of --runs
#                 runs without icount.
# The device's interrupt is, in `own`, irqtest's last TSC read before it; in
# `away` and `serial`, the host's first record of it: the host entry it caused
# (route) or the hand-back's host entry (swap, defer: the mini's instructions
# from its gate to its hypercall are not in it, nor in route the CPU's way
# into the host). The trace's own cost (trace.c's cost= per record) is taken
# off each span. Wall figures include QEMU's own delivery of an interrupt (its
# device thread, its lock): the floor of swap's own one.
# Then disk throughput (irqtest's reads per second in each round; xv6a's, with
# a file-system workload, is bench_disk.py's) and serial echo latency (byte sent
# to echo received, by this script's clock). It prints, it does not judge: the
# expected shape is printed beside the figures, with whether it held.
import os
import re
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import timeline
from gradelib import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE = os.path.join(ROOT, "out", "vmos")
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
MODES = ("route", "swap", "defer")
MINIS = (1, 3, 7)
OWNER = 1                  # irqtest is VM 1
DISK_IRQ, COM2_IRQ = 14, 3
# A slice of 2 host ticks (20 ms), not the default 10: in defer mode the owner
# waits for its turn behind every mini, and 40 reads behind 7 minis at 10
# ticks each would take half a minute a run. Defer's waits scale with it.
QUANTUM = 2
# 200 requests a second; QEMU lets a burst of a tenth of that (20) through at
# once, so `own`'s 20 reads are quick and `away`'s (after a few the leak let
# through) take 5 ms each.
THROTTLE = "throttling.iops-total=200"
TYPED = "abcdefg."         # the serial round's bytes ('.' ends it)
TRACE_EVENTS = 262144
BUDGET = 12000             # host ticks: a run that cannot finish ends by itself
TIMEOUT = 180              # seconds a run may take


class BenchFailed(Exception):
    pass


class Console:
    """QEMU's system console (COM1 on stdio): what it printed, and waiting on it."""

    def __init__(self, p, what, deadline):
        self.p, self.what, self.deadline = p, what, deadline
        self.text, self.pos = "", 0

    def read(self, timeout):
        ready, _, _ = select.select([self.p.stdout], [], [], timeout)
        if ready:
            data = os.read(self.p.stdout.fileno(), 65536)
            if not data:
                raise BenchFailed("%s: QEMU exited; its output ends:\n%s" % (
                    self.what, self.text[-1500:]))
            self.text += data.decode(errors="replace")

    def expect(self, regex, why, since=None):
        """Wait until regex appears after the last match (or after position
        since); its match."""
        while True:
            m = re.compile(regex, re.M).search(self.text, self.pos if since is None else since)
            if m:
                self.pos = max(self.pos, m.end())
                return m
            bad = re.search(r"(vmos: stopped VM \d+ \((?!irqtest\.1\): guest exit 0)[^)]*\)"
                            r"|panic|vmos: stopafter=\d+ reached)[^\n]*\n", self.text[self.pos:])
            if bad:
                raise BenchFailed("%s: waiting for %s, came: %s\nthe output ends:\n%s" % (
                    self.what, why, bad.group(0).strip(), self.text[-1500:]))
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise BenchFailed("%s: %s never came; the output ends:\n%s" % (
                    self.what, why, self.text[-1500:]))
            self.read(min(left, 1.0))

    def send(self, s):
        self.p.stdin.write(s.encode())
        self.p.stdin.flush()


def type_on_com2(con, port):
    """Type TYPED on COM2 a byte at a time, each once irqtest is blocked (so
    that the interrupt comes while a mini runs); the seconds from each byte
    sent to its echo."""
    deadline = time.monotonic() + 30
    while True:
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise BenchFailed("%s: QEMU's COM2 socket never opened" % con.what)
            time.sleep(0.1)
    c.settimeout(30)
    con.send("\x1d")
    con.expect(r"vmos> ", "the monitor's prompt")
    echo = []
    try:
        for ch in TYPED:
            # A sample of the monitor's list catches irqtest blocked only when
            # no mini's slice is in the way; under load (CI's 2 cores, 7 minis,
            # icount) 500 samples once missed it: the bound is samples, not time.
            for _ in range(2000):
                start = len(con.text)
                con.send("list\r")
                con.expect(r"idle ticks \d+, world switches", "the monitor's list")
                if re.search(r"^\s+%d \S+\s+blocked" % OWNER, con.text[start:], re.M):
                    break
            else:
                raise BenchFailed("%s: irqtest never blocked waiting for COM2" % con.what)
            t0 = time.perf_counter()
            c.sendall(ch.encode())
            got = c.recv(16)
            echo.append(time.perf_counter() - t0)
            if got != ch.encode():
                raise BenchFailed("%s: COM2 echoed %r for %r" % (con.what, got, ch))
    except socket.timeout:
        raise BenchFailed("%s: no echo on COM2: an interrupt was lost" % con.what)
    finally:
        c.close()
    since = len(con.text)
    con.send("cont\r")
    con.expect(r"input goes to VM \d+|cont: no VM is left", "the monitor to answer cont")
    return echo, since


def boot(mode, minis, icount, tmp):
    """One run: irqtest and minis in `mode`; its console text, echo times and
    trace dumps."""
    what = "%s with %d mini%s%s" % (mode, minis, "s" if minis > 1 else "",
                                    " (icount)" if icount else "")
    disk = os.path.join(tmp, "disk.img")
    dump = os.path.join(tmp, "trace.txt")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    if os.path.exists(dump):
        os.unlink(dump)
    port = free_port()
    line = "vms=irqtest:2M:hd0:pass:com2:%s,mini:%s*%d quantum=%d trace=%d stopafter=%d" % (
        mode, mode, minis, QUANTUM, TRACE_EVENTS, BUDGET)
    cmd = ["qemu-system-i386", "-kernel", IMAGE, "-append", line, "-m", "128", "-smp", "1",
           "-display", "none", "-serial", "stdio",
           "-serial", "tcp:127.0.0.1:%d,server=on,wait=off" % port,
           "-monitor", "none", "-no-reboot", "-snapshot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-drive", "file=%s,format=raw,index=0,%s" % (disk, THROTTLE),
           "-debugcon", "file:" + dump] + (ICOUNT if icount else [])
    # QEMU stays in our process group (no new session): whoever stops us (the
    # grader's kill of a test, Ctrl-C) stops it too.
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    con = Console(p, what, time.monotonic() + TIMEOUT)
    try:
        con.expect(r"irqtest: serial: type on COM2", "irqtest's serial round")
        echo, since = type_on_com2(con, port)
        # (It may have finished while the monitor held its lines, before cont.)
        con.expect(r"vmos: stopped VM 1 \(irqtest\.1\): guest exit 0", "irqtest to finish",
                   since)
        con.send("\x1d")
        con.expect(r"vmos> ", "the monitor's prompt")
        con.send("trace\r")
        m = con.expect(r"vmos: trace: dump \d+: (\d+) events.*?, (none lost|\d+ older)",
                       "the trace dump")
        if m.group(2) != "none lost":
            raise BenchFailed("%s: the trace lost events (%s)" % (what, m.group(2)))
        while True:                  # the file is written before the line is printed
            with open(dump, errors="replace") as f:
                dumps = timeline.parse(f.read())
            if dumps and dumps[-1].complete:
                break
            if time.monotonic() > con.deadline:
                raise BenchFailed("%s: the trace dump in %s is incomplete" % (what, dump))
            con.read(0.2)
    finally:
        p.kill()
        p.wait()
    return Run(what, con.text, echo, dumps)


# ---- lining up the guest's stamps with the host's trace ----

class Run:
    def __init__(self, what, text, echo, dumps):
        self.what, self.text, self.echo = what, text, echo
        d = [x for x in dumps if x.complete][-1]
        self.cost = d.num("cost")
        self.tsc_hz = timeline.Timeline([d]).tsc_hz
        self.rounds = {}
        for name in ("own", "away", "serial"):
            m = re.search(r"irqtest: %s: tsc (\w+) to (\w+)" % name, text)
            if not m:
                raise BenchFailed("%s: no stamps of irqtest's round %s" % (what, name))
            recs = []
            for r in re.finditer(r"irqtest: %s (\d+):(?: cmd (\w+) spin (\S+))? irq (\w+) "
                                 r"(direct|reflected|lost)" % name, text):
                cmd = int(r.group(2), 16) if r.group(2) else None
                spin = int(r.group(3), 16) if r.group(3) and r.group(3) != "-" else None
                recs.append((cmd, spin, int(r.group(4), 16), r.group(5)))
            self.rounds[name] = (int(m.group(1), 16), int(m.group(2), 16), recs)
        # The trace keeps 48 bits of the TSC: unwrap them, then put them in
        # the guest's 64-bit frame (the nearest to its first stamp).
        bits = timeline.TSC_BITS
        wrap, last, ev = 0, None, []
        for e in d.events:
            if last is not None and e[0] + wrap < last - (1 << (bits - 1)):
                wrap += 1 << bits
            last = e[0] + wrap
            ev.append((last,) + e[1:])
        g = self.rounds["own"][0]
        k = (g - ev[0][0] + (1 << (bits - 1))) >> bits << bits
        self.events = [(e[0] + k,) + e[1:] for e in ev]
        self.tsc = [e[0] for e in self.events]


def first_at(run, t):
    """Index of the first trace event at or after TSC t."""
    lo, hi = 0, len(run.tsc)
    while lo < hi:
        mid = (lo + hi) // 2
        if run.tsc[mid] < t:
            lo = mid + 1
        else:
            hi = mid
    return lo


def interrupts(run, name, irq):
    """Per interrupt of round `name`: a dict of its counted events, whether it
    came while the owner ran, and its span from device to handler."""
    start, end, recs = run.rounds[name]
    ev = run.events
    out = []
    for i, (cmd, spin, h, how) in enumerate(recs):
        if how == "lost":
            continue
        if cmd is not None:          # a read: from its command to the next
            w0, w1 = cmd, recs[i + 1][0] if i + 1 < len(recs) else end
        else:
            # A byte: from irqtest's last hypercall (its HC_IDLE) before the
            # byte's interrupt to its handler. (Not from the last echo: the
            # monitor's `list`, typed until irqtest blocks, and its output
            # interrupt irqtest on its way there.)
            w0, w1 = recs[i - 1][2] if i else start, h + 1
            k = first_at(run, w1)
            while k > 0 and ev[k - 1][0] >= w0 and not (
                    (ev[k - 1][2] == "exit" and ev[k - 1][4] == 0x20 + irq) or
                    (ev[k - 1][2] == "invoke" and ev[k - 1][4] == irq) or
                    (ev[k - 1][2] == "raise" and ev[k - 1][3] == OWNER and ev[k - 1][4] == irq)):
                k -= 1
            while k > 0 and ev[k - 1][0] >= w0 and not (
                    ev[k - 1][2] == "exit" and ev[k - 1][3] == OWNER and ev[k - 1][4] == 0x82):
                k -= 1
            if k > 0 and ev[k - 1][0] >= w0:
                w0 = ev[k - 1][0]
        a, b = first_at(run, w0), first_at(run, w1)
        # Who ran last before the window, and whether the host idled.
        last_run, idle = None, False
        for e in reversed(ev[:a]):
            if e[2] == "run":
                last_run = e[3]
                break
        n = dict(dev=0, handback=0, eoi=0, switches=0, out_of_turn=0)
        dev_at, ran, raised = None, None, False
        for j in range(a, b):
            tsc, tick, kind, vm, arg = ev[j]
            before_handler = tsc < h
            if kind == "run":
                if vm != last_run:
                    n["switches"] += 1
                    if vm == OWNER and raised:
                        n["out_of_turn"] += 1
                last_run, raised = vm, False
            elif kind == "exit" and arg == 0x20 + irq:
                n["dev"] += 1
                if dev_at is None and before_handler:
                    dev_at, ran = j, vm
            elif kind == "invoke" and arg == irq:
                n["handback"] += 1
                if dev_at is None and before_handler:
                    k = j                # its hypercall's host entry
                    while k > a and not (ev[k][2] == "exit" and ev[k][3] == vm):
                        k -= 1
                    dev_at, ran = k, vm
            elif kind == "eoi" and arg == irq:
                n["eoi"] += 1
            elif kind == "raise" and vm == OWNER and arg == irq:
                raised = True
                if idle:
                    n["dev"] += 1        # the idle host's own entry
                    if dev_at is None and before_handler:
                        dev_at, ran = j, 0
            elif kind == "idle":
                idle = True
            elif kind == "wake":
                idle = False
        if how == "direct":
            ran = OWNER              # straight from the CPU: the owner ran
        r = dict(n, ran=ran, how=how)
        if spin is not None:
            d = spin                 # own: when the interrupt took the CPU from irqtest
        elif dev_at is not None:
            d = ev[dev_at][0]
        else:
            d = None                 # direct in an idle round, or passed on by the host
        if d is not None and d <= h:
            lo, hi = first_at(run, d), first_at(run, h)
            r["span"] = max(0, h - d - (hi - lo) * run.cost)
            r["work"] = path_work(run, d, h, lo, hi)
            if ev[lo:hi] and ev[lo][2] == "exit" and spin is not None:
                r["entry"] = ev[lo][0] - d      # own, through the host: the way in
            t0 = ev[lo - 1][1] if lo > 0 else ev[0][1]
            t1 = ev[hi - 1][1] if hi > 0 else t0
            r["ticks"] = t1 - t0
        out.append(r)
    return out, (end - start)


def path_work(run, d, h, lo, hi):
    """The instructions (under icount) of an interrupt's own path from d to
    the handler at h: up to the host's first record, the host's work that took
    it in (the first host span: from an exit to the next run), the host's work
    that ran its owner (the span ending in the owner's last run before h) and
    the owner's way from there to its handler. Not counted: other VMs' guest
    code it waited behind, and in defer mode the host's ticks meanwhile (they
    come whether or not an interrupt waits). Each counted record's cost off."""
    ev = run.events[lo:hi]
    if not ev:
        return h - d
    spans, start = [], None          # host spans: (from, to), to = the run after
    for i, (tsc, tick, kind, vm, arg) in enumerate(ev):
        if kind == "run":
            if start is not None:
                spans.append((start, tsc, vm, i))
            start = None
        elif start is None:
            start = tsc
    last_owner = max([i for i, e in enumerate(ev) if e[2] == "run" and e[3] == OWNER],
                     default=None)
    counted = [(d, ev[0][0])]
    if spans:
        counted.append(spans[0][:2])
        for a, b, vm, i in spans[1:]:
            if i == last_owner:
                counted.append((a, b))
    if last_owner is not None:
        counted.append((ev[last_owner][0], h))
    elif start is not None:          # still in the host at h (cannot be: h is the guest's)
        counted.append((start, h))
    work = sum(b - a for a, b in counted)
    records = sum(1 for e in ev if any(a <= e[0] < b for a, b in counted))
    return max(0, work - records * run.cost)


# ---- the bench ----

KINDS = [("own", DISK_IRQ, "own disk interrupt, irqtest running (round own)"),
         ("away", DISK_IRQ, "foreign: disk interrupt while a mini runs (away)"),
         ("serial", COM2_IRQ, "foreign: COM2 byte while a mini runs (serial)")]


def wanted(kind, r):
    """Is interrupt r of the kind its round is for? own: it came while the
    owner ran; away, serial: while another VM (or the host) did."""
    return (r["ran"] == OWNER) == (kind == "own")


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, digits=2):
    if x is None:
        return "-"
    if digits == 0 or abs(x) >= 1000:
        return "%.0f" % x
    return "%.*f" % (digits, x)


def main(runs=5):
    if not os.path.exists(IMAGE):
        sys.exit("bench: build first (make)")
    runs = max(1, runs)
    res = {}
    with tempfile.TemporaryDirectory(prefix="bench_irq.") as tmp:
        for minis in MINIS:
            for mode in MODES:
                ic = boot(mode, minis, True, tmp)
                walls = [boot(mode, minis, False, tmp) for _ in range(runs)]
                res[(mode, minis)] = (ic, walls)
    report(res, runs)


def rows_of(res, kind, irq, mode, minis):
    """The table's figures for one kind of interrupt in one configuration."""
    ic, walls = res[(mode, minis)]
    rows, n_all, rates = [], 0, []
    for w in walls:
        got, span = interrupts(w, kind, irq)
        n_all += len(got)
        mine = [r for r in got if wanted(kind, r)]
        rows += mine
        rates.append(sum(r["switches"] for r in got) * w.tsc_hz / span)
    got_ic, _ = interrupts(ic, kind, irq)
    row = dict(n=len(rows), of=n_all,
               instr=median([r["work"] for r in got_ic if wanted(kind, r) and "work" in r]),
               way_in=median([r["entry"] for r in got_ic if wanted(kind, r) and "entry" in r]),
               ticks=mean([r["ticks"] for r in rows if "ticks" in r]),
               cycles=median([r["span"] for r in rows if "span" in r]),
               switch_rate=median(rates))
    for k in ("dev", "handback", "eoi", "switches", "out_of_turn"):
        row[k] = mean([r[k] for r in rows])
    row["entries"] = None if row["dev"] is None else row["dev"] + row["handback"] + row["eoi"]
    hz = median([w.tsc_hz for w in walls])
    row["us"] = row["cycles"] * 1e6 / hz if row["cycles"] is not None else None
    return row


def rate(run, kind):
    """Reads a second in round kind: all of own's; away's second half, from its
    command to the round's end (QEMU's throttle lets the first through at once:
    as many as its bucket leaked since own)."""
    start, end, recs = run.rounds[kind]
    if kind == "away":
        recs = recs[len(recs) // 2:]
        start = recs[0][0]
    return len(recs) * run.tsc_hz / (end - start)


def ratio(a, b):
    return "%.2f" % (a / b) if a is not None and b else "-"


def label_of(first, text):
    return text if first else ""


def report(res, runs):
    print("interrupt bench (lab 2): irqtest (its pass-mode disk and COM2) beside 1, 3 or 7 "
          "busy minis, all VMs in one mode; quantum=%d, drive %s" % (QUANTUM, THROTTLE))
    fmt_row = "%-50s %-5s %5s %7s  %5s %5s %5s %5s  %6s %6s  %6s %6s %10s %8s %6s"
    print(fmt_row % ("per interrupt", "mode", "minis", "n", "irq", "hback", "eoi", "entry",
                     "switch", "ooturn", "instr", "ticks", "cycles", "us", "/route"))
    table = {}
    for kind, irq, label in KINDS:
        for minis in MINIS:
            for mode in MODES:
                row = table[(kind, mode, minis)] = rows_of(res, kind, irq, mode, minis)
                ref = table[(kind, "route", minis)]["cycles"]
                print(fmt_row % (
                    label_of(mode == "route" and minis == MINIS[0], label), mode, minis,
                    "%d/%d" % (row["n"], row["of"]), fmt(row["dev"]), fmt(row["handback"]),
                    fmt(row["eoi"]), fmt(row["entries"]), fmt(row["switches"]),
                    fmt(row["out_of_turn"]), fmt(row["instr"], 0), fmt(row["ticks"]),
                    fmt(row["cycles"], 0), fmt(row["us"], 1), ratio(row["cycles"], ref)))
    way_in = median([table[("own", "route", m)]["way_in"] for m in MINIS
                     if table[("own", "route", m)]["way_in"] is not None])
    print("n: the interrupts of the round's kind (own: it came while irqtest ran; foreign: "
          "while another VM did) / all of the round's, in %d runs without icount.\n"
          "irq, hback, eoi: host entries per interrupt by the device's interrupt, by a "
          "hand-back (HC_INVOKE_VMOS), by HC_EOI; entry: their sum. switch: world switches "
          "in its cycle; ooturn: of them, into the owner at once for it.\n"
          "instr: instructions under icount of its path from the device to the owner's "
          "handler (not the guest code of other VMs, nor the host's ticks, it waited "
          "behind).\nticks, cycles, us: device to handler, mean host ticks, median TSC "
          "cycles (QEMU's own delivery included), microseconds; /route: cycles against "
          "route's.\nForeign figures start at the host's first record of the interrupt: "
          "in route's own ones, %s instructions come before it (the CPU's way in), and "
          "in swap and defer the mini's handler up to its hypercall is not counted."
          % (runs, fmt(way_in, 0)))

    print()
    fmt_t = "%-50s %-5s %5s %9s %8s %6s  %9s %8s %6s"
    print(fmt_t % ("disk throughput (irqtest's reads by interrupt)", "mode", "minis",
                   "own r/s", "KiB/s", "/route", "away r/s", "KiB/s", "/route"))
    tput = {}
    for minis in MINIS:
        for mode in MODES:
            walls = res[(mode, minis)][1]
            per = {}
            for kind in ("own", "away"):
                per[kind] = median([rate(w, kind) for w in walls])
            tput[(mode, minis)] = per
            ref = tput[("route", minis)]
            print(fmt_t % (label_of(mode == "route" and minis == MINIS[0],
                                    "20 reads spinning (own), 40 idle (away)"),
                           mode, minis, fmt(per["own"], 0), fmt(per["own"] / 2, 0),
                           ratio(per["own"], ref["own"]), fmt(per["away"], 1),
                           fmt(per["away"] / 2, 1), ratio(per["away"], ref["away"])))
    print("reads of one 512-byte sector a second, median of %d runs: own's 20 whole (QEMU "
          "lets them through at once), away's last 20 (its first ones come in what QEMU "
          "let through meanwhile; then 200 a second). xv6a's own reads through its "
          "file system are the disk part's (bench_disk.py)" % runs)

    print()
    fmt_e = "%-50s %-5s %5s %9s %6s"
    print(fmt_e % ("serial echo on the owned COM2", "mode", "minis", "ms", "/route"))
    echo = {}
    for minis in MINIS:
        for mode in MODES:
            walls = res[(mode, minis)][1]
            echo[(mode, minis)] = median([e for w in walls for e in w.echo]) * 1e3
            print(fmt_e % (label_of(mode == "route" and minis == MINIS[0],
                                    "byte sent to its echo, irqtest idle"), mode, minis,
                           "%.3f" % echo[(mode, minis)],
                           ratio(echo[(mode, minis)], echo[("route", minis)])))
    print("median of %d bytes x %d runs, from this script's send to its receive (QEMU's "
          "socket and serial port included)" % (len(TYPED), runs))
    print()
    shape(table)


def held(ok):
    return "held" if ok else "did not hold"


def by_minis(table, kind, mode, key, digits=2):
    return "/".join(fmt(table[(kind, mode, m)][key], digits) for m in MINIS)


def fewest(table, kind, key):
    """Is defer's figure the lowest (or equal) of the three, with each number of minis?"""
    for m in MINIS:
        vals = [table[(kind, mode, m)][key] for mode in MODES]
        if None in vals or vals[2] > min(vals):
            return False
    return True


def shape(table):
    """The expected shape, the figures it is about, and whether it held."""
    print("expected shape (1/3/7 minis):")
    own = [table[("own", "swap", m)] for m in MINIS]
    print("  swap = 0 entries when the owner runs: own disk interrupts in swap: %s host "
          "entries by the device's interrupt (route %s), %s HC_EOI each (the slave 8259 "
          "cannot end a direct IRQ itself): %s" % (
              by_minis(table, "own", "swap", "dev"), by_minis(table, "own", "route", "dev"),
              by_minis(table, "own", "swap", "eoi"), held(all(r["dev"] == 0 for r in own))))
    for kind in ("away", "serial"):
        print("  defer = fewest world switches (%s): per interrupt %s: %s; into the owner "
              "at once %s: %s%s" % (
                  kind, ", ".join("%s %s" % (x, by_minis(table, kind, x, "switches"))
                                  for x in MODES), held(fewest(table, kind, "switches")),
                  ", ".join("%s %s" % (x, by_minis(table, kind, x, "out_of_turn"))
                            for x in MODES), held(fewest(table, kind, "out_of_turn")),
                  "; per second of the round %s: %s" % (
                      ", ".join("%s %s" % (x, by_minis(table, kind, x, "switch_rate", 0))
                                for x in MODES), held(fewest(table, kind, "switch_rate")))
                  if kind == "away" else ""))
    print("    (the owner still costs two switches per interrupt, in and out; defer only "
          "never takes the CPU for it before the owner's turn, and the minis' own switches "
          "while it waits fall in its cycle)")
    m = MINIS[-1]
    for kind in ("own", "away", "serial"):
        lat = dict((mode, table[(kind, mode, m)]["cycles"]) for mode in MODES)
        ins = dict((mode, table[(kind, mode, m)]["instr"]) for mode in MODES)
        known = [k for k in MODES if lat[k] is not None]
        top = max(known, key=lambda k: lat[k]) if known else None
        print("  route = highest latency under load (%s, %d minis): cycles %s; instructions "
              "%s: %s" % (kind, m, ", ".join("%s %s" % (k, fmt(lat[k], 0)) for k in MODES),
                          ", ".join("%s %s" % (k, fmt(ins[k], 0)) for k in MODES),
                          "held" if top == "route" else "did not hold (%s is highest)" % top))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
