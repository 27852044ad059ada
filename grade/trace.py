# trace.py: the host's scheduling timeline (suite trace; lab 2, issue 9). The
# host records events in a ring buffer (boot option trace / trace=N,
# vmos/trace.c) and writes them through QEMU's debug console (port 0xE9,
# -debugcon file:...) at stopafter and on the monitor's `trace`;
# grade/timeline.py turns them into Chrome trace-event JSON and SVG (make
# trace). Each test boots a short QEMU and compares what the trace says with
# what the host's own counters say.
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from gradelib import test, DEBUG_EXIT_PASS, REPO_ROOT
from lab1 import enter_monitor, monitor, vm_stats
import timeline

SCENE = "disktest:2M:hd0:pass,mini,mini"     # a device interrupt of VM 1's own, two busy minis
IRQ_SCENE = "irqtest:2M:hd0:pass,mini,mini"  # VM 1 reads by interrupts from tick 50 on (lab 2)
DUMP_LINE = re.compile(r"^(trace vmos|ev |count |end dump=|vm \d+ \S+ (route|swap|defer))", re.M)


def disk(t):
    path = os.path.join(t.log_dir, "disk.img")
    with open(path, "wb") as f:
        f.truncate(1 << 20)
    return ["-drive", "file=%s,format=raw,index=0,media=disk" % path]


def traced(t, line, ticks, debugcon=True, name="debugcon.txt", extra=()):
    """Boot with line and stopafter=ticks, the debug console in a file;
    (console output, the debug console's text) once QEMU powered off."""
    path = os.path.join(t.log_dir, name)
    args = list(extra) + (["-debugcon", "file:" + path] if debugcon else [])
    q = t.qemu(append="%s stopafter=%d" % (line, ticks), extra=args)
    q.fail_on(r"vmos: stopped VM (\d+) \(mini[^)]*\): ([^\r\n]*)",
              "the host stopped mini VM {0}: {1}")
    q.expect(r"stopafter=%d reached" % ticks, what="the host to reach stopafter=%d" % ticks)
    status = q.wait_exit()
    t.check(status == DEBUG_EXIT_PASS, "QEMU exited with status %d after stopafter, expected "
            "%d (the host powering off)" % (status, DEBUG_EXIT_PASS))
    text = ""
    if debugcon:
        with open(path, errors="replace") as f:
            text = f.read()
    return q.output, text


def one_dump(t, text, where):
    dumps = timeline.parse(text)
    t.check(len(dumps) == 1, "expected one trace dump on the debug console (%s), found %d%s"
            % (where, len(dumps), "" if dumps else ": nothing was written there"))
    d = dumps[0]
    t.check(d.complete, "the dump on the debug console is not whole: its end line is missing "
            "or counts %s events where %d came (%s)" % (d.header.get("kept"), len(d.events),
                                                        where))
    t.check(d.bad == 0, "%d lines of the dump did not parse (%s)" % (d.bad, where))
    return d


def handbacks(out):
    """{vm: (handed back, EOIs, swallowed)} from the stats' interrupts lines."""
    r, vm = {}, None
    for line in out.splitlines():
        m = re.match(r"VM (\d+) \(", line)
        if m:
            vm = int(m.group(1))
        m = re.match(r"\s+interrupts: \w+ mode, .*; handed back((?: \d+:\d+)*) \(bad \d+\); "
                     r"EOIs (\d+), swallowed (\d+)", line)
        if m and vm:
            r[vm] = (sum(int(x.split(":")[1]) for x in m.group(1).split()), int(m.group(2)),
                     int(m.group(3)))
    return r


@test("trace: a traced boot records as many world switches, host entries, virtual "
      "interrupts and hand-backs as the host's counters count", timeout=30)
def t_counts(t):
    for mode in ("route", "swap", "defer"):
        counts(t, mode)


def counts(t, mode):
    out, text = traced(t, "vms=%s irq=%s trace" % (IRQ_SCENE, mode), 130, extra=disk(t),
                       name="%s.txt" % mode)
    t.check("irqtest: own:" in out, "%s mode: irqtest did not finish its first round of "
            "reads by tick 130" % mode)
    d = one_dump(t, text, "%s.txt" % mode)
    t.check(d.num("lost") == 0, "the dump lost %d events although trace keeps 65536" %
            d.num("lost"))
    for ev in timeline.EVENTS:
        n = sum(1 for e in d.events if e[2] == ev)
        t.check(d.counts.get(ev) == n, "the dump's count line says %s %s, but %d %s events "
                "are in it (none were lost)" % (ev, d.counts.get(ev), n, ev))
    tl = timeline.Timeline([d])
    m = re.search(r"host: ticks \d+, world switches (\d+)", out)
    t.check(m, "the host printed no counters at stopafter")
    t.check(tl.world_switches() == int(m.group(1)), "%s mode: the host counted %s world "
            "switches, but the trace has %d runs of a VM other than the one before" %
            (mode, m.group(1), tl.world_switches()))
    stats = vm_stats(out)
    t.check(sorted(stats) == [1, 2, 3], "the host's counters list VMs %s, expected 1, 2, 3"
            % sorted(stats))
    for vm, s in sorted(stats.items()):
        mine = [e for e in d.events if e[3] == vm]
        got = {"exits": sum(1 for e in mine if e[2] == "exit"),
               "timer": sum(1 for e in mine if e[2] == "exit" and e[4] == 0x20),
               "virqs": sum(1 for e in mine if e[2] == "virq")}
        for k, n in got.items():
            t.check(s[k] == n, "%s mode, VM %d: the host counted %s %d, the trace has %d" %
                    (mode, vm, k, s[k], n))
    hb = handbacks(out)
    t.check(1 in hb, "%s mode: the host's counters give no interrupts line for VM 1, which "
            "owns a pass-mode disk" % mode)
    for vm, (inv, eoi, sw) in sorted(hb.items()):
        got = tuple(sum(1 for e in d.events if e[2] == k and e[3] == vm)
                    for k in ("invoke", "eoi", "swallow"))
        t.check(got == (inv, eoi, sw), "%s mode, VM %d: the host counted %d hand-backs, %d "
                "EOIs, %d swallowed; the trace has %d, %d, %d" % ((mode, vm, inv, eoi, sw) + got))
    # irqtest's disk interrupts: raised for it by the host (route), or taken
    # directly and ended with HC_EOI (swap and defer, while it runs).
    kind = "raise" if mode == "route" else "eoi"
    t.check(any(e[2] == kind and e[3] == 1 and e[4] == 14 for e in d.events),
            "%s mode: irqtest's disk interrupts (%s of IRQ 14 for VM 1) are not in the trace"
            % (mode, kind))


@test("trace: the trace goes to the debug console (port 0xE9), never to the system console",
      timeout=30)
def t_console(t):
    out, text = traced(t, "vms=%s trace" % SCENE, 20, extra=disk(t))
    d = one_dump(t, text, "debugcon.txt")
    t.check(d.events, "the dump holds no events")
    m = DUMP_LINE.search(out)
    t.check(m is None, "a line of the trace reached the system console: %r" %
            (out[m.start():out.find("\n", m.start())] if m else ""))
    said = re.findall(r"vmos: trace: [^\r\n]*", out)
    t.check(len(said) == 2 and "dump 1: %d events written to the debug console" %
            len(d.events) in said[1], "expected the host to say twice on the system console "
            "that it traces (at boot, at the dump: %d events), but it said: %s" %
            (len(d.events), said))
    # Without QEMU's debug console the host says it cannot write, and writes nothing here.
    out, _ = traced(t, "vms=mini trace", 10, debugcon=False)
    t.check(re.search(r"vmos: trace: no debug console at port 0xe9 \(QEMU -debugcon "
                      r"file:FILE\); \d+ events kept, not written", out),
            "without -debugcon, expected the host to say there is no debug console; it said: %s"
            % re.findall(r"vmos: trace: [^\r\n]*", out))
    t.check(DUMP_LINE.search(out) is None, "without -debugcon, trace lines reached the "
            "system console")


@test("trace: the Chrome trace JSON parses, with one named track per VM and one for the "
      "host", timeout=30)
def t_json(t):
    _, text = traced(t, "vms=%s trace" % SCENE, 20, extra=disk(t))
    d = one_dump(t, text, "debugcon.txt")
    path = os.path.join(t.log_dir, "trace.json")
    r = subprocess.run([sys.executable, os.path.join(REPO_ROOT, "grade", "timeline.py"),
                        "json", os.path.join(t.log_dir, "debugcon.txt"), "-o", path],
                       capture_output=True, text=True)
    t.check(r.returncode == 0, "timeline.py json failed: %s" % (r.stderr or r.stdout).strip())
    with open(path) as f:
        j = json.load(f)
    ev = j["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in ev if e.get("name") == "thread_name"}
    want = {0: "host", 1: "VM 1 disktest.1 (route)", 2: "VM 2 mini.2 (route)",
            3: "VM 3 mini.3 (route)"}
    t.check(names == want, "the tracks are named %s, expected %s" % (names, want))
    for vm in (1, 2, 3):
        runs = sum(1 for e in d.events if e[2] == "run" and e[3] == vm)
        slices = [e for e in ev if e.get("ph") == "X" and e["tid"] == vm]
        t.check(len(slices) == runs and all(e["dur"] >= 0 for e in slices),
                "VM %d's track has %d slices, expected one per run (%d)" % (vm, len(slices),
                                                                           runs))
        virqs = sum(1 for e in d.events if e[2] == "virq" and e[3] == vm)
        got = sum(1 for e in ev if e.get("ph") == "i" and e["tid"] == vm and e["cat"] == "virq")
        t.check(got == virqs, "VM %d's track has %d virtual interrupts, the trace %d" %
                (vm, got, virqs))
    exits = sum(1 for e in ev if e.get("ph") == "i" and e.get("cat") == "exit")
    t.check(exits == d.counts["exit"], "the tracks show %d host entries, the trace has %d" %
            (exits, d.counts["exit"]))
    host = [e for e in ev if e.get("ph") == "X" and e["tid"] == 0 and e["cat"] == "host"]
    t.check(host and any(e["name"] == "timer" for e in host),
            "the host's track has no work for the timer")


@test("trace: the SVG timeline is well-formed XML with one row per VM and one for the host",
      timeout=30)
def t_svg(t):
    _, text = traced(t, "vms=%s trace" % SCENE, 20, extra=disk(t))
    one_dump(t, text, "debugcon.txt")
    tl = timeline.Timeline(timeline.parse(text))
    for panels in (1, 3):
        svg = timeline.to_svg([("run %d" % i, tl) for i in range(panels)], (0, 100e6))
        try:
            root = ET.fromstring(svg)
        except ET.ParseError as e:
            t.fail("the SVG is not well-formed XML: %s" % e)
        ns = "{http://www.w3.org/2000/svg}"
        t.check(root.tag == ns + "svg", "the document is a <%s>, not an SVG" % root.tag)
        got = [g for g in root.iter(ns + "g") if g.get("class") == "panel"]
        t.check(len(got) == panels, "%d panels drawn, expected %d" % (len(got), panels))
        for p in got:
            rows = [(g.get("data-vm"), g.get("data-name")) for g in p.iter(ns + "g")
                    if g.get("class") == "row"]
            want = [("0", "host"), ("1", "VM 1 disktest.1 (route)"),
                    ("2", "VM 2 mini.2 (route)"), ("3", "VM 3 mini.3 (route)")]
            t.check(rows == want, "the rows are %s, expected %s" % (rows, want))
        rects = sum(1 for _ in root.iter(ns + "rect"))
        t.check(rects > 20, "only %d rectangles drawn: the runs are missing" % rects)


@test("trace: a full buffer wraps: it keeps the latest events and says how many were lost",
      timeout=30)
def t_wrap(t):
    out, text = traced(t, "vms=mini,mini trace=64", 40)
    d = one_dump(t, text, "debugcon.txt")
    total = sum(d.counts.values())
    t.check(d.num("cap") == 64 and d.num("kept") == 64 and len(d.events) == 64,
            "trace=64: expected 64 events kept, the dump says cap %s kept %s with %d events"
            % (d.header.get("cap"), d.header.get("kept"), len(d.events)))
    t.check(total > 64 and d.num("lost") == total - 64, "the dump counts %d events in all and "
            "says %s lost, expected %d lost" % (total, d.header.get("lost"), total - 64))
    t.check(re.search(r"dump 1: 64 events written to the debug console \(port 0xe9\), %d older "
                      r"ones lost" % (total - 64), out),
            "the host did not say on its console that %d events were lost" % (total - 64))
    exits = sum(s["exits"] for s in vm_stats(out).values())
    t.check(d.counts["exit"] == exits, "the dump counts %d host entries, the host %d: every "
            "event must be counted, kept or lost" % (d.counts["exit"], exits))
    tscs = [e[0] for e in d.events]
    t.check(tscs == sorted(tscs), "the events kept are not in the order they happened: the "
            "ring is read from somewhere else than its oldest event")
    # The host entry that ends the last run is recorded before the host's
    # timer handler counts the tick that brought it: one tick before the dump.
    stop = d.point("to")[0]
    t.check(d.events[-1][1] >= stop - 1, "the last event kept is from tick %d, but the dump "
            "was written at tick %d: the latest are not kept" % (d.events[-1][1], stop))
    t.check(d.events[0][1] > 0, "the events kept begin at tick 0, the boot's: the oldest "
            "were kept, not the latest")


@test("trace: without the boot option nothing is recorded and nothing written", timeout=30)
def t_off(t):
    path = os.path.join(t.log_dir, "debugcon.txt")
    q = t.qemu(append="vms=mini,mini stopafter=150", extra=["-debugcon", "file:" + path],
               probe=True)
    q.expect(r"\[mini\.2\] spin: round 2", what="VM 2 to run")
    enter_monitor(q)
    said = monitor(q, "trace")
    t.check("trace: not recording (boot with trace or trace=N)" in said,
            "the monitor's trace, without the boot option, said: %r" % said.strip())
    for sym in ("trace_on", "nrec"):
        t.check(sym in q.host._symbols(), "the host has no variable %s (vmos/trace.c)" % sym)
    on, nrec = q.host.read("trace_on"), q.host.read("nrec", 2)
    t.check(on == [0] and nrec == [0, 0], "without trace on the boot line, the host records: "
            "trace_on %s, %s events recorded" % (on, nrec))
    q.expect(r"stopafter=150 reached")
    t.check(q.wait_exit() == DEBUG_EXIT_PASS, "QEMU did not power off after stopafter")
    with open(path, "rb") as f:
        data = f.read()
    t.check(data == b"", "without trace, %d bytes were written to the debug console: %r"
            % (len(data), data[:80]))
    t.check("vmos: trace:" not in q.output, "without trace, the host spoke of a trace: %s" %
            re.findall(r"vmos: trace: [^\r\n]*", q.output))


@test("trace: a bad trace=N is refused with its range, and the host traces with the default",
      timeout=30)
def t_bootline(t):
    for word, why in (("trace=0", "is out of range (64 to 1048576)"),
                      ("trace=2000000", "is out of range (64 to 1048576)"),
                      ("trace=lots", "is not a number")):
        q = t.qemu(append="vms=mini %s stopafter=5" % word)
        q.expect(r"boot line: %s %s, using 65536" % (re.escape(word), re.escape(why)),
                 what="the host to refuse %s, saying it %s" % (word, why))
        q.expect(r"vmos: trace: recording the last 65536 events",
                 what="the host to trace with the default 65536 events after refusing %s"
                 % word)
        q.expect(r"\[mini\.1\] mini: booted", what="the mini to boot")
        q.kill()
    # 16 MiB of records on an 18 MiB machine: refused for want of memory, all of it given
    # back, and the VM boots.
    q = t.qemu(append="vms=mini trace=1048576 stopafter=5", mem=18)
    q.expect(r"vmos: trace: no memory for 1048576 events \(16384 KiB\); not recording",
             what="the host to say it has no memory for 1048576 events")
    q.expect(r"\[mini\.1\] mini: booted", what="the mini to boot beside a refused trace")
    q.kill()


@test("trace: the monitor's trace writes what is kept and empties it; trace off pauses, "
      "trace on resumes", timeout=30)
def t_monitor(t):
    path = os.path.join(t.log_dir, "debugcon.txt")
    q = t.qemu(append="vms=mini,mini trace stopafter=1500", extra=["-debugcon", "file:" + path])
    q.fail_on(r"stopafter=1500 reached", "the host used up the test's budget of 1500 ticks")
    q.expect(r"\[mini\.2\] spin: round 2", what="VM 2 to run")
    enter_monitor(q)
    t.check(re.search(r"^\s+trace\s+trace: write the timeline", monitor(q, "help"), re.M),
            "the monitor's help does not list trace")
    said = []
    for cmd in ("trace", "trace off", "trace", "trace", "trace on", "trace"):
        said.append(monitor(q, cmd))
    kept = []
    for i, s in zip((0, 2, 3, 5), range(1, 5)):
        m = re.search(r"vmos: trace: dump %d: (\d+) events written" % s, said[i])
        t.check(m, "the monitor's trace (dump %d) said: %r" % (s, said[i].strip()))
        kept.append(int(m.group(1)))
    t.check("recording paused" in said[1] and "recording resumed" in said[4],
            "trace off / trace on said: %r / %r" % (said[1].strip(), said[4].strip()))
    t.check(kept[0] > 0 and kept[1] > 0, "dumps 1 and 2 (before trace off) hold %d and %d "
            "events: the VMs ran in between" % (kept[0], kept[1]))
    t.check(kept[2] == 0, "while paused, %d events were recorded (dump 3)" % kept[2])
    t.check(kept[3] > 0, "after trace on, dump 4 holds no events: recording did not resume")
    usage = monitor(q, "trace sideways")
    t.check("usage: trace [on|off]" in usage, "trace sideways said: %r" % usage.strip())
    q.kill()
    with open(path, errors="replace") as f:
        dumps = timeline.parse(f.read())
    t.check([len(d.events) for d in dumps if d.complete] == kept,
            "the debug console holds dumps of %s events, the monitor said %s" %
            ([len(d.events) for d in dumps if d.complete], kept))
    t.check(dumps[1].events[-1][2] == "pause" and dumps[3].events[0][2] == "resume",
            "trace off and trace on are not in the trace as pause and resume (dump 2 ends "
            "with %s, dump 4 begins with %s)" % (dumps[1].events[-1][2],
                                                 dumps[3].events[0][2]))
    t.check([d.header.get("why") for d in dumps] == ["monitor"] * 4,
            "the dumps say they were asked for by %s" % [d.header.get("why") for d in dumps])
    for a, b in zip(dumps, dumps[1:]):
        t.check(b.point("from")[1] >= a.point("to")[1], "dump %s begins before dump %s ended: "
                "a dump must empty the buffer" % (b.header["dump"], a.header["dump"]))


@test("trace: make trace's tool writes each mode's JSON and SVG and the three side by side",
      timeout=60)
def t_make_trace(t):
    out = os.path.join(t.log_dir, "trace")
    p = t.spawn([sys.executable, os.path.join(REPO_ROOT, "grade", "timeline.py"), "run",
                 "--out", out], name="timeline.py")
    status = p.wait_exit()
    t.check(status == 0, "timeline.py run failed (status %d): %s" % (status, p.output[-600:]))
    ns = "{http://www.w3.org/2000/svg}"
    for mode in timeline.MODES:
        with open(os.path.join(out, mode + ".json")) as f:
            j = json.load(f)
        names = sorted(e["args"]["name"] for e in j["traceEvents"] if e.get("name") ==
                       "thread_name")
        want = sorted(["host", "VM 1 irqtest.1 (%s)" % mode, "VM 2 mini.2 (%s)" % mode,
                       "VM 3 mini.3 (%s)" % mode])
        t.check(names == want, "%s.json's tracks are %s, expected %s" % (mode, names, want))
        ET.parse(os.path.join(out, mode + ".svg"))
    root = ET.parse(os.path.join(out, "modes.svg")).getroot()
    panels = [g.get("data-title") for g in root.iter(ns + "g") if g.get("class") == "panel"]
    t.check(panels == list(timeline.MODES), "modes.svg shows %s, expected route, swap, "
            "defer" % panels)
    windows = [g.get("data-window") for g in root.iter(ns + "g") if g.get("class") == "panel"]
    spans = set(round(float(b) - float(a), 3) for a, b in (w.split() for w in windows))
    t.check(len(set(windows)) == 1 and spans == {100.0}, "modes.svg's panels show the windows "
            "%s (ms), expected the same 100 ms in each" % windows)
    zoom = ET.parse(os.path.join(out, "modes-zoom.svg")).getroot()
    zw = [g.get("data-window") for g in zoom.iter(ns + "g") if g.get("class") == "panel"]
    a, b = (float(x) for x in windows[0].split())
    t.check(len(zw) == 3 and len(set(zw)) == 1 and
            all(a <= float(x) <= b for x in zw[0].split()),
            "modes-zoom.svg shows the windows %s (ms), expected one within modes.svg's %s, "
            "three times" % (zw, windows[0]))
