#!/usr/bin/env python3
# timeline.py: the host's scheduling timeline (lab 2, issue 9), from the trace
# the host writes to QEMU's debug console (boot option `trace`, vmos/trace.c,
# whose head comment gives the format). Python standard library only; it sits
# in grade/ beside bench.py because, like it, it boots QEMU for a measurement,
# and suite `trace` (grade/trace.py) tests it. `make trace` runs it.
#
#   timeline.py json DUMP [-o FILE]        Chrome trace-event JSON (Perfetto,
#                                          chrome://tracing): one track per VM, one for the host
#   timeline.py svg DUMP [-o FILE] [--window START LEN]     a standalone SVG timeline
#   timeline.py compare DUMP... [-o FILE] [--window START LEN]
#                                          the same window of several runs, one above the other
#   timeline.py run [--out DIR] [--labs FILE]
#                                          the fixed scenario in route, swap and defer
#                                          (make trace; make trace-lab2 writes --labs)
# Times are in milliseconds from the start of the trace (the host's trace_init):
# --window 40 100 is 40 ms to 140 ms. A DUMP file may hold several dumps (the
# monitor's `trace`, then stopafter's): their events make one timeline.
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from xml.sax.saxutils import escape, quoteattr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVENTS = ("run", "exit", "virq", "raise", "invoke", "eoi", "swallow", "idle", "wake",
          "pause", "resume")     # the last two: the monitor's trace off and trace on
MARKS = ("virq", "raise", "invoke", "eoi", "swallow")     # instants, on a VM's track
PAUSED = "not recorded: paused (the monitor's trace off, until trace on)"
TSC_BITS = 48                    # vmos/trace.c keeps 48 bits of the TSC
VIRQ_NAMES = {0: "timer", 1: "console", 3: "COM2", 14: "disk", 15: "disk"}
IRQ_NAMES = {0: "timer", 1: "keyboard", 2: "cascade", 3: "COM2", 4: "COM1",
             14: "IDE0", 15: "IDE1"}
EXC_NAMES = {0: "#DE", 1: "#DB", 3: "#BP", 6: "#UD", 7: "#NM", 8: "#DF", 13: "#GP",
             14: "#PF", 16: "#MF"}


class TraceError(Exception):
    pass


# ---- parsing ----

class Dump:
    """One dump: its header (key: value), VMs {id: (name, mode)}, per-event
    counts (lost ones included), the events [(tsc, tick, event, vm, arg)],
    and whether its end line came with the right number of lines."""

    def __init__(self, header):
        self.header = header
        self.vms = {}
        self.counts = {}
        self.events = []
        self.complete = False
        self.bad = 0             # lines of it that did not parse

    def num(self, key):
        return int(self.header[key])

    def point(self, key):
        """(tick, tsc) of the header's from= or to=."""
        tick, tsc = self.header[key].split(":")
        return int(tick), int(tsc, 16)


def parse(text):
    """The dumps in text, in order. A line that does not parse spoils only
    itself (counted in Dump.bad); a dump without its end line is incomplete."""
    dumps, d = [], None
    for line in text.splitlines():
        w = line.split()
        if not w:
            continue
        try:
            if w[0] == "trace" and w[1:3] == ["vmos", "1"]:
                d = Dump(dict(kv.split("=", 1) for kv in w[3:]))
                dumps.append(d)
            elif d is None or d.complete:
                continue
            elif w[0] == "vm" and len(w) == 4:
                d.vms[int(w[1])] = (w[2], w[3])
            elif w[0] == "count" and len(w) == 3:
                d.counts[w[1]] = int(w[2])
            elif w[0] == "ev" and len(w) == 6 and w[3] in EVENTS:
                d.events.append((int(w[1], 16), int(w[2]), w[3], int(w[4]), int(w[5], 16)))
            elif w[0] == "end":
                kv = dict(x.split("=", 1) for x in w[1:])
                d.complete = (kv.get("dump") == d.header.get("dump") and
                              int(kv.get("lines", -1)) == len(d.events) == d.num("kept"))
            else:
                d.bad += 1
        except (ValueError, IndexError, KeyError):
            if d is not None:
                d.bad += 1
    return dumps


def read_dumps(path):
    with open(path, errors="replace") as f:
        dumps = parse(f.read())
    if not dumps:
        raise TraceError("%s holds no trace dump (was the host booted with `trace` and QEMU "
                         "with -debugcon file:%s?)" % (path, path))
    return dumps


# ---- the timeline: spans and instants ----

def cause(trapno):
    """Why the host was entered, from the trap number of a TR_EXIT."""
    if trapno == 0x20:
        return "timer"
    if 0x21 <= trapno < 0x30:
        irq = trapno - 0x20
        return "irq %d (%s)" % (irq, IRQ_NAMES.get(irq, "?"))
    if trapno == 0x82:
        return "hcall"
    if trapno < 32:
        return EXC_NAMES.get(trapno, "exception %d" % trapno)
    return "int 0x%x" % trapno


def mark_name(ev, arg):
    if ev in ("virq", "raise"):
        return "%s %d (%s)" % (ev, arg, VIRQ_NAMES.get(arg, "?"))
    return "%s IRQ %d" % (ev, arg)


class Timeline:
    """The events of one run's dumps as spans: runs (t0, t1, vm, eip, exit
    trap), host work (t0, t1, vm or 0, what), idle (t0, t1), and instants
    (t, vm, event, arg). Times in ns from the start of the trace."""

    def __init__(self, dumps, tsc_hz=None):
        dumps = [d for d in dumps if d.complete]
        if not dumps:
            raise TraceError("no complete dump (one cut short: QEMU stopped while it was "
                             "written?)")
        self.dumps = dumps
        self.vms = {}
        for d in dumps:
            self.vms.update(d.vms)
        self.modes = sorted(set(m for _, m in self.vms.values()))
        self.hz = dumps[0].num("hz")
        self.lost = sum(d.num("lost") for d in dumps)
        self.counts = {}
        for d in dumps:
            for k, v in d.counts.items():
                self.counts[k] = self.counts.get(k, 0) + v
        # One 64-bit TSC line: unwrap the 48 bits, in order of the events.
        raw = []
        for d in dumps:
            raw.append(("from", d.point("from")[1], d.point("from")[0], d.num("lost") > 0))
            raw += [("ev", e[0], e[1], e) for e in d.events]
            raw.append(("to", d.point("to")[1], d.point("to")[0], None))
        wrap, last, flat = 0, None, []
        for kind, tsc, tick, e in raw:
            if last is not None and tsc + wrap < last - (1 << (TSC_BITS - 1)):
                wrap += 1 << TSC_BITS
            last = tsc + wrap
            flat.append((kind, last, tick, e))
        self.tsc_hz = tsc_hz or self._fit_hz(flat)
        self.tsc0 = flat[0][1]
        self._tsc = dict((id(e), tsc) for kind, tsc, tick, e in flat if kind == "ev")
        self.end = self.ns(flat[-1][1])
        self.runs, self.host, self.idle, self.instants = [], [], [], []
        self.gaps = []               # (t0, t1, why): nothing recorded (lost, or paused)
        self._spans(flat)

    def _fit_hz(self, flat):
        """TSC cycles a second. Each host tick begins with its timer's
        interrupt, so the first event of a tick comes just after the tick
        began: the median of the TSC between the first events of consecutive
        ticks is a tick's worth (a late first event spoils only its own two
        intervals). Else from the dumps' from= and to=."""
        first = {}
        for kind, tsc, tick, e in flat:
            if kind == "ev" and tick not in first:
                first[tick] = tsc
        steps = sorted(first[k + 1] - first[k] for k in first if k + 1 in first)
        if len(steps) >= 5:
            return steps[len(steps) // 2] * self.hz
        (_, t0, k0, _), (_, t1, k1, _) = flat[0], flat[-1]
        if k1 > k0 and t1 > t0:
            return (t1 - t0) * self.hz / (k1 - k0)
        raise TraceError("the trace is too short to tell the TSC's rate (give --tsc-hz)")

    def ns(self, tsc):
        return (tsc - self.tsc0) * 1e9 / self.tsc_hz

    def ns_of(self, e):
        """The time of event e (one of the dumps' tuples), unwrapped."""
        return self.ns(self._tsc[id(e)])

    def _spans(self, flat):
        cur = None                   # ("run", t, vm, eip) | ("host", t, vm, what) | ("idle", t)

        def close(t):
            if cur is None:
                return
            if cur[0] == "run":      # a run whose exit was not recorded: it ends here
                self.runs.append((cur[1], t, cur[2], cur[3], None))
            elif cur[0] == "host":
                self.host.append((cur[1], t, cur[2], cur[3]))
            else:
                self.idle.append((cur[1], t))
        lost_from = None             # a dump lost events: before its first kept one, unknown
        dumped = None                # when the last dump began to be written
        paused = None                # when recording was paused
        for kind, tsc, tick, e in flat:
            t = self.ns(tsc)
            if kind == "from":
                if dumped is not None:
                    self.host.append((dumped, t, 0, "writing the trace out"))
                # Until its first event the host works: at boot it makes the VMs,
                # after a dump it goes back to its loop. Unless events were lost,
                # or recording is paused.
                lost_from = t if e else None
                if paused is not None:
                    self.gaps.append((paused, dumped, PAUSED))
                    cur, paused = None, t
                else:
                    cur = None if e else ("host", t, 0, "making the VMs" if not self.host
                                          and not self.runs else "after the trace dump")
                continue
            if lost_from is not None:
                self.gaps.append((lost_from, t, "events lost here: the ring buffer was full "
                                  "(trace=N keeps the last N)"))
                lost_from = None
            if kind == "to":
                close(t)
                cur, dumped = None, t
                continue
            _, _, ev, vm, arg = e
            if ev == "run":
                close(t)
                cur = ("run", t, vm, arg)
            elif ev == "exit":
                if cur and cur[0] == "run" and cur[2] == vm:
                    self.runs.append((cur[1], t, vm, cur[3], arg))
                else:
                    close(t)
                cur = ("host", t, vm, cause(arg))
            elif ev == "idle":
                close(t)
                cur = ("idle", t)
            elif ev == "wake":
                close(t)
                cur = ("host", t, 0, "interrupt while idle")
            elif ev == "pause":
                close(t)
                cur, paused = None, t
            elif ev == "resume":
                if paused is not None:
                    self.gaps.append((paused, t, PAUSED))
                cur, paused = ("host", t, 0, "the monitor"), None
            else:
                self.instants.append((t, vm, ev, arg))
        if paused is not None:
            self.gaps.append((paused, dumped, PAUSED))

    def world_switches(self):
        """Runs of a VM other than the one that ran last (sched.c's count)."""
        n, last = 0, None
        for d in self.dumps:
            for e in d.events:
                if e[2] == "run":
                    if e[3] != last:
                        n += 1
                    last = e[3]
        return n

    def summary(self, t0, t1):
        """What happened from t0 to t1 (ns), in words: the figures to compare."""
        n, last = {"switch": 0, "exit": 0}, None
        for d in self.dumps:
            for e in d.events:
                t = self.ns_of(e)
                if e[2] == "run":
                    if e[3] != last and t0 <= t <= t1:
                        n["switch"] += 1
                    last = e[3]
                elif t0 <= t <= t1:
                    n[e[2]] = n.get(e[2], 0) + 1
        busy = sum(min(b, t1) - max(a, t0) for a, b in self.idle if b > t0 and a < t1)
        return ("%d world switches, %d host entries, %d virtual interrupts, %d hand-backs, "
                "%d EOIs; host idle %.1f ms" % (n["switch"], n["exit"], n.get("virq", 0),
                                                n.get("invoke", 0), n.get("eoi", 0), busy / 1e6))

    def label(self, vm):
        name, mode = self.vms.get(vm, ("vm%d" % vm, "?"))
        return "VM %d %s (%s)" % (vm, name, mode)


# ---- Chrome trace-event JSON ----

def to_chrome(tl, title="vmos"):
    """The trace-event format's JSON object: process 1 is the machine, thread 0
    the host, thread N VM N (named, in order of ids). Times in microseconds."""
    us = lambda t: round(t / 1000.0, 3)
    ev = [{"ph": "M", "pid": 1, "name": "process_name", "args": {"name": title}},
          {"ph": "M", "pid": 1, "tid": 0, "name": "thread_name", "args": {"name": "host"}},
          {"ph": "M", "pid": 1, "tid": 0, "name": "thread_sort_index", "args": {"sort_index": 0}}]
    for vm in sorted(tl.vms):
        ev.append({"ph": "M", "pid": 1, "tid": vm, "name": "thread_name",
                   "args": {"name": tl.label(vm)}})
        ev.append({"ph": "M", "pid": 1, "tid": vm, "name": "thread_sort_index",
                   "args": {"sort_index": vm}})
    for t0, t1, vm, eip, trap in tl.runs:
        args = {"eip": "0x%x" % eip}
        if trap is not None:
            args["exit"] = cause(trap)
        ev.append({"ph": "X", "pid": 1, "tid": vm, "name": tl.vms.get(vm, ("vm%d" % vm,))[0],
                   "cat": "run", "ts": us(t0), "dur": us(t1 - t0), "args": args})
        if trap is not None:
            ev.append({"ph": "i", "s": "t", "pid": 1, "tid": vm, "name": "exit: " + cause(trap),
                       "cat": "exit", "ts": us(t1), "args": {"trapno": trap}})
    for t0, t1, vm, what in tl.host:
        ev.append({"ph": "X", "pid": 1, "tid": 0, "name": what, "cat": "host",
                   "ts": us(t0), "dur": us(t1 - t0),
                   "args": {"for": tl.label(vm) if vm else "the host"}})
    for t0, t1 in tl.idle:
        ev.append({"ph": "X", "pid": 1, "tid": 0, "name": "idle", "cat": "idle",
                   "ts": us(t0), "dur": us(t1 - t0)})
    for t0, t1, why in tl.gaps:
        ev.append({"ph": "X", "pid": 1, "tid": 0, "name": "not recorded", "cat": "gap",
                   "ts": us(t0), "dur": us(t1 - t0), "args": {"why": why}})
    for t, vm, kind, arg in tl.instants:
        ev.append({"ph": "i", "s": "t", "pid": 1, "tid": vm, "name": mark_name(kind, arg),
                   "cat": kind, "ts": us(t), "args": {"arg": arg}})
    return {"traceEvents": ev, "displayTimeUnit": "ns",
            "otherData": {"source": "vmos trace (vmos/trace.c)", "title": title,
                          "tsc_hz": round(tl.tsc_hz), "lost_events": tl.lost,
                          "modes": ",".join(tl.modes)}}


# ---- SVG ----

VM_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
             "#ff9da7", "#9c755f", "#e15759", "#bab0ac")
HOST_COLOR = "#555555"
IDLE_COLOR = "url(#idle)"          # hatched: see to_svg's <defs>
MARK_STYLE = {                   # shape, colour, what it is (the legend)
    "virq": ("down", "#1f3a93", "virtual interrupt delivered"),
    "raise": ("dot", "#d35400", "device interrupt noted for its owner"),
    "invoke": ("diamond", "#c0392b", "handed back (invoke VM OS)"),
    "eoi": ("bar", "#00838f", "EOI of a direct interrupt (HC_EOI)"),
    "swallow": ("cross", "#000000", "another's interrupt kept"),
}
LABEL_W, PLOT_W, ROW_H, GAP = 190, 1000, 18, 4


def vm_color(vm):
    return VM_COLORS[(vm - 1) % len(VM_COLORS)]


def nice_step(span_ms):
    for s in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50,
              100, 200, 500, 1000, 2000, 5000, 10000):
        if span_ms / s <= 12:
            return s
    return 20000


def _fmt_ms(ns):
    return "%.3f ms" % (ns / 1e6)


class _Rects:
    """Rectangles of one row. Spans closer than half a pixel merge into one,
    drawn as opaque as the share of its extent they cover: a stretch of many
    short runs reads as the fraction of the time they took."""

    def __init__(self, out, y, h, px):
        self.out, self.y, self.h, self.px = out, y, h, px
        self.cur = None                                  # [x0, x1, colour, n, tip, covered]

    def add(self, x0, x1, color, tip):
        c = self.cur
        if c and c[2] == color and x0 - c[1] < 0.5:
            c[5] += max(0.0, x1 - max(x0, c[1]))
            c[1] = max(c[1], x1)
            c[3] += 1
            return
        self.flush()
        self.cur = [x0, x1, color, 1, tip, x1 - x0]

    def flush(self):
        c = self.cur
        if c:
            width = c[1] - c[0]
            share = c[5] / width if c[3] > 1 and width > 0 else 1.0
            tip = c[4] if c[3] == 1 else "%d spans from %s to %s: %.0f%% of the time" % (
                c[3], _fmt_ms(self.px.ns(c[0])), _fmt_ms(self.px.ns(c[1])), 100 * share)
            self.out.append('<rect x="%.2f" y="%.1f" width="%.2f" height="%.1f" fill="%s"%s>'
                            '<title>%s</title></rect>' % (
                                c[0], self.y, max(width, 1.0), self.h, c[2],
                                ' fill-opacity="%.2f"' % max(share, 0.15) if share < 0.95
                                else "", escape(tip)))
        self.cur = None


class _Scale:
    def __init__(self, t0, t1):
        self.t0, self.t1 = t0, t1
        self.k = PLOT_W / float(t1 - t0)

    def x(self, t):
        return LABEL_W + (t - self.t0) * self.k

    def ns(self, x):
        return self.t0 + (x - LABEL_W) / self.k


def _panel(out, tl, title, y, t0, t1):
    """One run's rows (the host, then each VM) from y; returns the y after it."""
    sc = _Scale(t0, t1)
    out.append('<g class="panel" data-title=%s data-window="%.3f %.3f">'
               % (quoteattr(title), t0 / 1e6, t1 / 1e6))
    out.append('<text x="4" y="%d" class="title">%s</text>' % (y + 13, escape(title)))
    out.append('<text x="%d" y="%d" class="summary">%s</text>' % (
        LABEL_W + PLOT_W, y + 13, escape(tl.summary(t0, t1))))
    y += 20
    rows = [(0, "host")] + [(vm, tl.label(vm)) for vm in sorted(tl.vms)]
    rowy = {}
    for vm, name in rows:
        rowy[vm] = y
        out.append('<g class="row" data-vm="%d" data-name=%s>' % (vm, quoteattr(name)))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#ddd"/>'
                   % (LABEL_W, y, PLOT_W, ROW_H))
        out.append('<text x="%d" y="%d" class="label">%s</text>' % (LABEL_W - 6, y + 13,
                                                                  escape(name)))
        out.append('</g>')
        y += ROW_H + GAP
    clip = lambda a, b: (max(a, t0), min(b, t1))
    for a, b, why in tl.gaps:
        if b >= t0 and a <= t1:
            a, b = clip(a, b)
            out.append('<rect class="gap" x="%.2f" y="%d" width="%.2f" height="%d" '
                       'fill="#f6d5d5"><title>%s</title></rect>'
                       % (sc.x(a), rowy[0], max(sc.x(b) - sc.x(a), 0.4), y - GAP - rowy[0],
                          escape(why)))
    # the host: its idle time, then its work (coloured by the VM it worked for)
    r = _Rects(out, rowy[0] + 1, ROW_H - 2, sc)
    spans = sorted([(a, b, IDLE_COLOR, "idle %s" % _fmt_ms(b - a)) for a, b in tl.idle] +
                   [(a, b, HOST_COLOR, "host: %s for %s, %s" % (w, tl.label(v) if v else
                                                               "itself", _fmt_ms(b - a)))
                    for a, b, v, w in tl.host])
    for a, b, col, tip in spans:
        if b >= t0 and a <= t1:
            a, b = clip(a, b)
            r.add(sc.x(a), sc.x(b), col, tip)
    r.flush()
    for vm in sorted(tl.vms):
        r = _Rects(out, rowy[vm] + 1, ROW_H - 2, sc)
        for a, b, v, eip, trap in tl.runs:
            if v == vm and b >= t0 and a <= t1:
                tip = "%s ran %s from %s, eip 0x%x%s" % (
                    tl.label(vm), _fmt_ms(b - a), _fmt_ms(a), eip,
                    ", left for %s" % cause(trap) if trap is not None else "")
                a, b = clip(a, b)
                r.add(sc.x(a), sc.x(b), vm_color(vm), tip)
        r.flush()
    for t, vm, kind, arg in tl.instants:
        if t0 <= t <= t1 and vm in rowy:
            _mark(out, sc.x(t), rowy[vm], kind, "%s: %s at %s" % (
                tl.label(vm), mark_name(kind, arg), _fmt_ms(t)))
    # the time axis
    step = nice_step((t1 - t0) / 1e6) * 1e6
    k = int(t0 // step) + (1 if t0 % step else 0)
    while k * step <= t1:
        x = sc.x(k * step)
        out.append('<line x1="%.2f" y1="%d" x2="%.2f" y2="%d" stroke="#bbb" stroke-width="0.5"/>'
                   % (x, rowy[0], x, y - GAP + 4))
        out.append('<text x="%.2f" y="%d" class="tick">%g ms</text>' % (x, y + 9,
                                                                      k * step / 1e6))
        k += 1
    out.append('</g>')
    return y + 16


def _mark(out, x, y, kind, tip):
    shape, col, _ = MARK_STYLE[kind]
    t = "<title>%s</title>" % escape(tip)
    if shape == "down":
        out.append('<path d="M%.2f %d l-3 -5 h6 z" fill="%s">%s</path>' % (x, y + 6, col, t))
    elif shape == "dot":
        out.append('<circle cx="%.2f" cy="%d" r="2.5" fill="%s">%s</circle>' % (x, y + 9, col, t))
    elif shape == "diamond":
        out.append('<path d="M%.2f %d l3 4 l-3 4 l-3 -4 z" fill="%s">%s</path>'
                   % (x, y + 9, col, t))
    elif shape == "bar":
        out.append('<rect x="%.2f" y="%d" width="1.5" height="%d" fill="%s">%s</rect>'
                   % (x - 0.75, y + 1, ROW_H - 2, col, t))
    else:
        out.append('<path d="M%.2f %d l6 6 m0 -6 l-6 6" stroke="%s" stroke-width="1.5">%s</path>'
                   % (x - 3, y + 6, col, t))


def to_svg(panels, window=None, title=None):
    """A standalone SVG: for each (title, Timeline) in panels, a host row and
    a row per VM, over window (t0, t1) in ns (default: the whole of the
    longest run)."""
    t0, t1 = window or (0, max(tl.end for _, tl in panels))
    if t1 <= t0:
        raise TraceError("an empty window: %s to %s" % (_fmt_ms(t0), _fmt_ms(t1)))
    body, y = [], 8
    if title:
        body.append('<text x="4" y="%d" class="head">%s</text>' % (y + 14, escape(title)))
        y += 26
    for name, tl in panels:
        y = _panel(body, tl, name, y, t0, t1)
    # the legend
    x = LABEL_W
    legend = [("rect", HOST_COLOR, "host at work"), ("rect", IDLE_COLOR, "host idle"),
              ("rect", VM_COLORS[0], "a VM runs (colour per VM)"),
              ("rect", "#f6d5d5", "not recorded (lost, paused)")]
    for kind in MARKS:
        legend.append((kind, MARK_STYLE[kind][1], MARK_STYLE[kind][2]))
    for shape, col, what in legend:
        if shape == "rect":
            body.append('<rect x="%d" y="%d" width="12" height="10" fill="%s" stroke="#999" '
                        'stroke-width="0.5"/>' % (x, y, col))
        else:
            _mark(body, x + 6, y - 4, shape, what)
        body.append('<text x="%d" y="%d" class="legend">%s</text>' % (x + 16, y + 9,
                                                                      escape(what)))
        x += 16 + 6 * len(what) + 14
        if x > LABEL_W + PLOT_W - 150:
            x, y = LABEL_W, y + 16
    height = y + 24
    width = LABEL_W + PLOT_W + 20
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'viewBox="0 0 %d %d" font-family="sans-serif">\n'
            '<style>.title{font-size:13px;font-weight:bold}.head{font-size:15px;'
            'font-weight:bold}.label{font-size:11px;text-anchor:end}.tick{font-size:9px;'
            'text-anchor:middle;fill:#555}.legend{font-size:10px}.summary{font-size:11px;'
            'fill:#333;text-anchor:end}</style>\n'
            '<defs><pattern id="idle" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f4f4"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#b8c4d0" stroke-width="2"/></pattern>'
            '</defs>\n'
            '<rect width="100%%" height="100%%" fill="white"/>\n' % (width, height, width, height))
    return head + "\n".join(body) + "\n</svg>\n"


# ---- the scenario of `make trace` ----

MODES = ("route", "swap", "defer")
# irqtest (guests/irqtest) reads its pass-mode disk by interrupts, 20 times
# while it spins (its own interrupts: straight to it in swap and defer), then,
# from host tick 100, 40 times while it idles and two CPU-bound minis beside it
# run (others' interrupts to them: routed, handed back at once, or deferred).
# Each round begins after a yield, so at about the same host tick in every
# mode. The drive is throttled, so that a read takes long enough for irqtest to
# be away when its interrupt comes. 1.3 s of QEMU's clock (no -icount: the TSC is
# the machine's, its rate found from the host's ticks).
SCENARIO = {
    "vms": "irqtest:2M:hd0:pass,mini,mini",
    "stopafter": 130,
    "trace": 65536,
    "disk_mb": 1,
    "drive": "throttling.iops-total=400",  # a read takes 2.5 ms: "away" is away
    "done": r"irqtest: away: ",  # the line that says the scenario ran to its end
    "qemu": [],                  # e.g. ["-icount", "shift=0,align=off,sleep=off"]
    "window_tick": 100,          # the pictures begin at the first device interrupt from
}                                # here on: irqtest's second round (others' interrupts)
WINDOW_MS = 100


def boot_traced(mode, outdir, scenario=SCENARIO, timeout=120):
    """One run of the scenario in interrupt mode `mode`; its dump file."""
    os.makedirs(outdir, exist_ok=True)
    dump = os.path.join(outdir, mode + ".trace")
    disk = os.path.join(outdir, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(scenario["disk_mb"] << 20)
    if os.path.exists(dump):
        os.unlink(dump)
    line = "vms=%s irq=%s trace=%d stopafter=%d" % (scenario["vms"], mode, scenario["trace"],
                                                   scenario["stopafter"])
    cmd = ["qemu-system-i386", "-kernel", os.path.join(ROOT, "out", "vmos"), "-append", line,
           "-m", "128", "-smp", "1", "-display", "none", "-serial", "stdio",
           "-monitor", "none", "-no-reboot", "-snapshot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-drive", "file=%s,format=raw,index=0,%s" % (disk, scenario["drive"]),
           "-debugcon", "file:" + dump] + scenario["qemu"]
    # QEMU stays in our process group: whoever stops us stops it too.
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    try:
        out = p.communicate()[0].decode(errors="replace")
    finally:
        timer.cancel()
        p.kill()
        p.wait()
    with open(os.path.join(outdir, mode + ".console"), "w") as f:
        f.write(out)
    if p.returncode != 33 or not re.search(r"vmos: trace: dump \d+:", out):
        raise TraceError("the %s run did not end with its trace written (QEMU status %s); "
                         "its console is in %s" % (mode, p.returncode,
                                                   os.path.join(outdir, mode + ".console")))
    return dump, re.search(scenario["done"], out) is not None


def default_window(tl, from_tick=0):
    """WINDOW_MS from 1 ms before the first device interrupt (not the timer's
    nor the console's: noted for its owner, handed back, swallowed or ended
    with HC_EOI) at or after host tick from_tick, else from the start."""
    first = None
    for d in tl.dumps:
        for e in d.events:
            if e[1] >= from_tick and e[2] in ("raise", "invoke", "swallow", "eoi") and \
                    not (e[2] == "raise" and e[4] in (0, 1)):
                first = tl.ns_of(e)
                break
        if first is not None:
            break
    start = max(0.0, first - 1e6) if first is not None else 0.0
    start = min(start, max(0.0, tl.end - WINDOW_MS * 1e6))
    return (start, start + WINDOW_MS * 1e6)


def zoom_window(tls, w):
    """The part of window w where the device interrupts of the runs are: from
    the first to the last of them, with a tenth of that (at least 10 us) on
    each side; w itself if there are none."""
    ts = [t for tl in tls for t, vm, kind, arg in tl.instants
          if w[0] <= t <= w[1] and not (kind in ("virq", "raise") and arg in (0, 1))]
    if not ts:
        return w
    pad = max((max(ts) - min(ts)) / 10, 10e3)
    return (max(w[0], min(ts) - pad), min(w[1], max(ts) + pad))


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    print("timeline: wrote %s" % os.path.relpath(path))


def run(outdir, labs=None):
    tls = {}
    for mode in MODES:
        # How fast QEMU's disk answers, in guest time, depends on how busy the
        # machine running QEMU is: a run may not get to its end by stopafter.
        # It is drawn as it is: the window shows where it was.
        dump, done = boot_traced(mode, outdir)
        if not done:
            print("timeline: %s: the guests had not done their work by stopafter=%d (no "
                  "/%s/ on the console, %s)" % (mode, SCENARIO["stopafter"], SCENARIO["done"],
                                                os.path.relpath(dump[:-6] + ".console")))
        tl = Timeline(read_dumps(dump))
        tls[mode] = tl
        title = "vmos %s: %s" % (mode, SCENARIO["vms"])
        write(os.path.join(outdir, mode + ".json"), json.dumps(to_chrome(tl, title)))
        write(os.path.join(outdir, mode + ".svg"), to_svg([(title, tl)]))
    # The same window of each run: the one route mode's device interrupts pick,
    # in time since the trace began (each round begins at the same host tick).
    w = default_window(tls["route"], SCENARIO["window_tick"])
    svg = to_svg([(m, tls[m]) for m in MODES], w,
                 "the same %d ms in route, swap and defer (%s; %g-%g ms after boot)" % (
                     WINDOW_MS, SCENARIO["vms"], w[0] / 1e6, w[1] / 1e6))
    write(os.path.join(outdir, "modes.svg"), svg)
    z = zoom_window(tls.values(), w)
    zsvg = to_svg([(m, tls[m]) for m in MODES], z,
                  "zoomed: %.3f-%.3f ms, where the device interrupts of those 100 ms are"
                  % (z[0] / 1e6, z[1] / 1e6))
    write(os.path.join(outdir, "modes-zoom.svg"), zsvg)
    if labs:
        write(labs, svg)
        base, ext = os.path.splitext(labs)
        write(base + "-zoom" + ext, zsvg)
    for m in MODES:
        tl = tls[m]
        print("timeline: %-5s %6d events, %d world switches, %d lost; TSC %.0f MHz" % (
            m, sum(len(d.events) for d in tl.dumps), tl.world_switches(), tl.lost,
            tl.tsc_hz / 1e6))


def main():
    ap = argparse.ArgumentParser(description="vmos's scheduling timeline: trace dump to "
                                 "Chrome JSON and SVG")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("json", "svg", "compare"):
        s = sub.add_parser(name)
        s.add_argument("dumps", nargs="+" if name == "compare" else 1)
        s.add_argument("-o", "--output", help="output file (default: standard output)")
        s.add_argument("--tsc-hz", type=float, help="the TSC's rate (default: from the ticks)")
        if name != "json":
            s.add_argument("--window", nargs=2, type=float, metavar=("START_MS", "LEN_MS"))
    s = sub.add_parser("run")
    s.add_argument("--out", default=os.path.join(ROOT, "out", "trace"))
    s.add_argument("--labs", help="also write the side-by-side SVG here")
    a = ap.parse_args()
    try:
        if a.cmd == "run":
            if not os.path.exists(os.path.join(ROOT, "out", "vmos")):
                raise TraceError("build first (make)")
            return run(a.out, a.labs)
        tls = [(os.path.basename(p), Timeline(read_dumps(p), a.tsc_hz)) for p in a.dumps]
        if a.cmd == "json":
            text = json.dumps(to_chrome(tls[0][1], tls[0][0]))
        else:
            w = (a.window[0] * 1e6, (a.window[0] + a.window[1]) * 1e6) if a.window else None
            text = to_svg(tls, w)
        if a.output:
            write(a.output, text)
        else:
            sys.stdout.write(text)
    except (TraceError, OSError) as e:
        sys.exit("timeline: %s" % e)


if __name__ == "__main__":
    main()
