# console.py: the system console and the monitor (suite console; issue 8): a
# guest flooding its console costs itself, not the host or the VMs beside it;
# guest text never makes a host line or reaches the terminal as an escape; the
# monitor refuses focus on a stopped VM and keeps what is typed ahead; the line
# being typed on (a shell's, the monitor's) stays whole while other VMs print.
# The hostile guests are mini variants (guests/mini/main.c: mini-flood,
# mini-forge).
import os
import re
import shutil

from gradelib import test, REPO_ROOT
from lab1 import enter_monitor, monitor, table
from xv6a import FSIMG, at, guest, shell

HOTKEY = "\x1d"          # Ctrl-]: the monitor

# What vmos/vm.h allows one VM's console (CONS_RATE a tick, CONS_BURST at once).
CONS_RATE, CONS_BURST = 256, 32768


def segments(text):
    """What a terminal shows at the start of a line: the text split at every
    newline and carriage return."""
    return text.splitlines()


def console_rows(text):
    """The rows of the monitor's `console`: {id: (name, bytes, lines, cut, away, unshown)}."""
    rows = {}
    for m in re.finditer(r"^\s+(\d+) (\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", text, re.M):
        rows[int(m.group(1))] = (m.group(2),) + tuple(int(x) for x in m.groups()[2:])
    return rows


# ---- a flood ----

@test("flood: a guest flooding its console (MiBs a call) keeps only its own share; the "
      "mini beside it prints on and gets half the CPU; what was cut is counted", timeout=90)
def t_flood(t):
    q = t.qemu(append="vms=mini-flood:8M,mini")
    q.expect(r"\[mini-flood\.1\] mini: flooding the console")
    for _ in range(5):                   # the mini beside it keeps printing
        q.expect(r"\[mini\.2\] ticker: uptime \d+\r?\n")
    m = q.expect(r"vmos: VM 1 \(mini-flood\.1\) writes to its console faster than "
                 r"(\d+) bytes/s: (\d+) writes cut short")
    t.check(int(m.group(1)) == CONS_RATE * 100 and int(m.group(2)) > 0,
            "the host said: %r" % m.group(0))
    enter_monitor(q)
    rows = table(monitor(q, "list"))
    t.check(sorted(rows) == [1, 2], "list shows VMs %s" % sorted(rows))
    flood, mini = rows[1][3], rows[2][3]
    share = mini / (flood + mini)
    t.check(abs(share - 0.5) <= 0.1, "the mini beside the flood had %d of %d ticks (%.1f%%), "
            "expected 50%% +- 10" % (mini, flood + mini, 100 * share))
    ticks = int(re.search(r"ticks: (\d+) \(", monitor(q, "ticks")).group(1))
    cons = console_rows(monitor(q, "console"))
    t.check(1 in cons and 2 in cons, "console shows VMs %s" % sorted(cons))
    name, shown, lines, cut, away, unshown = cons[1]
    t.check(cut > 0 and away > 0, "the flooder's writes were not cut short: %s" % (cons[1],))
    limit = CONS_BURST + CONS_RATE * ticks
    t.check(0 < shown <= limit, "the flooder got %d bytes onto the console in %d ticks, "
            "expected at most %d (%d at once and %d a tick)" % (shown, ticks, limit,
                                                               CONS_BURST, CONS_RATE))
    t.check(cons[2][3] == 0, "the mini's writes were cut short: %s" % (cons[2],))


@test("flood: an xv6a process printing past its VM's rate loses nothing: the kernel "
      "writes what was cut short again, giving up its slice meanwhile", timeout=90)
def t_xv6a_lossless(t):
    readme = open(os.path.join(REPO_ROOT, "README.md")).read()
    size = len(readme.encode())
    q = guest(t)
    shell(q, "[xv6a.1] ")
    q.send("cat README.md; cat README.md; cat README.md; echo cat done\r")
    q.expect(at("[xv6a.1] ") + r"cat done", timeout=80,
             what="xv6a to print README.md three times (%d bytes)" % (3 * size))
    for line in ("## The system console and the monitor", "### xv6 programs on xv6a"):
        n = len(re.findall(r"\[xv6a\.1\] (?:\$ )*%s\r?\n" % re.escape(line), q.output))
        t.check(n == 3, "the line %r came %d times out of 3: output was lost" % (line, n))
    enter_monitor(q)
    cons = console_rows(monitor(q, "console"))
    t.check(cons[1][3] > 0, "xv6a's writes of %d bytes were never cut short by the rate "
            "(%s): the test did not go past it" % (3 * size, cons[1]))


# ---- forged host lines ----

FORGED = ("vmos: stopped VM 2", "vmos: forged", "vmos!x")


def check_unforged(t, out):
    for seg in segments(out):
        for f in FORGED:
            t.check(not seg.startswith(f), "a guest's text made a host line: %r" % seg)
    for ch, what in (("\x1b", "ESC"), ("\x07", "BEL")):
        t.check(ch not in out, "a guest's %s reached the terminal: %r" % (what, out[
            max(0, out.index(ch) - 40):out.index(ch) + 20] if ch in out else ""))


@test("forge: a mark label, an exit reason and console text (\\r, ESC sequences) never "
      "make a host line", timeout=40)
def t_forge(t):
    q = t.qemu(append="vms=mini-forge,mini")
    q.expect(r"(?m)^vmos: stopped VM 1 \(mini-forge\.1\): guest exit 7: ")
    q.expect(r"\[mini\.2\] ticker")             # and the other runs on
    out = q.output
    check_unforged(t, out)
    marks = re.findall(r"(?m)^vmos: mark 1 (\S+): exits (\d+) ", out)
    t.check(len(marks) == 2, "expected the forger's two mark lines, found %s" % marks)
    t.check(all(exits != "999" for _, exits in marks),
            "a mark label added counters of its own: %s" % marks)
    t.check(re.search(r"\[mini-forge\.1\] \?\[2J\?\[H\?\]0;forged title\?", out),
            "the console did not show the escape sequences as '?'")


@test("forge: a VM name from the boot line (a module's file name) with ESC and \\r\\n "
      "is printed filtered", timeout=40)
def t_forge_name(t):
    name = "ev\x1b[2J\r\nvmos!x"                # no ':' or ',': the boot line splits there
    path = os.path.join(t.log_dir, name + ".elf")
    shutil.copy(os.path.join(REPO_ROOT, "out", "guests", "mini.elf"), path)
    q = t.qemu(append="vms=mini,%s,nosuch\x07\x1b]0;t" % name, extra=["-initrd", path])
    q.expect(r"\[ev\?\[2J\?\?vmos!x\.2\] mini: booted as VM 2")
    q.expect(r"\[mini\.1\] ticker")
    t.check(re.search(r"no guest image named 'nosuch\?\?\]0;t'", q.output),
            "the unknown name is not reported with '?' for its control characters")
    check_unforged(t, q.output)


# ---- the monitor ----

@test("monitor: focus on a stopped VM is refused; keys still reach the VM with focus",
      timeout=40)
def t_focus_stopped(t):
    q = t.qemu(append="vms=mini,mini-kdiv")
    q.expect(r"vmos: stopped VM 2 \(mini-kdiv\.2\)")
    q.expect(r"\[mini\.1\] ticker")
    enter_monitor(q)
    out = monitor(q, "focus 2")
    t.check("VM 2 (mini-kdiv.2) is stopped" in out and "input goes to VM 2" not in out,
            "focus 2 on a stopped VM answered: %r" % out)
    q.send(HOTKEY)
    q.expect(r"input goes to VM 1 \(mini\.1\)")
    q.send("still heard\r")
    q.expect(r"\[mini\.1\] mini: got 'still heard'")


@test("monitor: characters typed while a command waits to run are kept, in order",
      timeout=40)
def t_typeahead(t):
    q = t.qemu(append="vms=mini")
    q.expect(r"\[mini\.1\] mini: booted")
    enter_monitor(q)
    start = len(q.output)
    # One burst: QEMU hands the bytes over one by one, so whether the next ones
    # come before a finished line has run is a race; with 30 lines, some do.
    cmds = ["ticks", "mem"] * 15
    q.send("".join(c + "\r" for c in cmds) + HOTKEY + "typed ahead\r")
    q.expect(r"input goes to VM 1")
    q.expect(r"\[mini\.1\] mini: got 'typed ahead'")
    out = q.output[start:]
    answers = re.findall(r"(ticks: \d+ \(|pages: \d+ total|unknown command '[^']*')", out)
    got = ["ticks" if a.startswith("ticks") else "mem" if a.startswith("pages") else a
           for a in answers]
    t.check(got == cmds, "30 commands typed at once, answered: %s" % got)

@test("monitor: its prompt and its answers are never mixed with guest lines (held, then "
      "printed before the next answer)", timeout=60)
def t_prompt_whole(t):
    q = t.qemu(append="vms=mini,mini")
    q.expect(r"\[mini\.2\] ticker")
    enter_monitor(q)
    start = len(q.output)
    guest_lines = 0
    for _ in range(20000):               # until the minis have printed a few lines
        q.send("list\r")
        q.expect(r"idle ticks \d+, world switches \d+, quantum \d+\r?\n")
        q.expect(r"vmos> ")
        guest_lines = len(re.findall(r"\[mini\.\d\] ", q.output[start:]))
        if guest_lines >= 6:
            break
    t.check(guest_lines >= 6, "the minis printed %d lines in 20000 commands" % guest_lines)
    text = q.output[start:]
    for seg in segments(text):
        t.check(not seg.startswith("vmos>") or seg.rstrip() in ("vmos>", "vmos> list"),
                "a prompt line reads %r" % seg)
    # Every answer is whole: from its header to its last line, no guest line.
    for m in re.finditer(r"  id name.*?idle ticks", text, re.S):
        t.check("[mini." not in m.group(0), "a guest line inside list's answer:\n" + m.group(0))


@test("monitor: log N shows a VM's last lines (its scrollback)", timeout=40)
def t_log(t):
    q = t.qemu(append="vms=mini,mini")
    for _ in range(2):
        q.expect(r"\[mini\.2\] ticker: uptime")
    enter_monitor(q)
    out = monitor(q, "log 2")
    t.check(re.search(r"log of VM 2 \(mini\.2\)", out), "log 2 answered: %r" % out)
    t.check(re.search(r"\n  \| mini: booted as VM 2 \(mini\)", out) and
            len(re.findall(r"\n  \| ticker: uptime \d+", out)) >= 2,
            "log 2 does not show VM 2's lines:\n" + out)
    t.check("usage" in monitor(q, "log"), "log without a VM gave no usage")


# ---- the line being typed on ----

@test("terminal: a focused xv6a shell line stays whole while two minis print", timeout=90)
def t_shell_line_whole(t):
    q = guest(t, "xv6a:32M:hd0,mini,mini", (FSIMG,))
    shell(q, "[xv6a.1] ")
    q.expect(re.escape("[xv6a.1] $ "))
    q.send("echo whole")
    q.expect(r"echo whole")
    for _ in range(2):                   # both minis print while the line is open
        q.expect(r"\[mini\.2\] ticker")
        q.expect(r"\[mini\.3\] ticker")
    q.send(" line\r")
    q.expect(at("[xv6a.1] ") + r"whole line\r?\n")
    segs = segments(q.output)
    t.check("[xv6a.1] $ echo whole line" in segs,
            "the typed line never reads whole; its pieces: %s" %
            [s for s in segs if "whole" in s or "line" in s][-6:])
    for s in segs:
        if "[mini." in s:
            t.check(s.startswith("[mini."), "a mini line glued to another: %r" % s)
