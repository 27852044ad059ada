# vpc.py: the virtual PC (suite vpc; issue 10, item 1): the 8259 pair, PIT
# channel 0, COM1 and port 0xF4 that a trap-mode guest kernel drives with
# plain in/out (vmos/vpc/). The test guest guests/pctest drives only those
# ports (and a trap-mode disk, whose interrupt its 8259s must gate), checks
# what it can see itself and says so on COM1; these tests read its lines,
# the host's lines and the host's counters (the monitor's `stats`), beside a
# mini that must keep running whatever pctest does.
import os
import re

from gradelib import test
from lab1 import enter_monitor, monitor

TYPED = "hello pc"
PIT_HZ = 1193182
HZ = 100


def image(t, text):
    path = os.path.join(t.log_dir, "pc.img")
    with open(path, "wb") as f:
        f.write(text.encode().ljust(512, b"\0") + bytes(512 * 2047))
    return path


def pc_stats(text, name="pctest"):
    """The `pc:` lines of VM 1's stats, as a dict."""
    m = re.search(r"^VM 1 \(%s\.1\): exits.*?\n((?:  .*\n)*)" % re.escape(name), text, re.M)
    body = m.group(1) if m else ""
    s = {}
    io = re.search(r"pc: port I/O pic (\d+) pit (\d+) com1 (\d+) exit (\d+) post (\d+) "
                   r"unknown (\d+)(?: \(last 0x([0-9a-f]+)\))?; bad width (\d+), refused (\d+)",
                   body)
    if io:
        g = io.groups()
        s.update(pic=int(g[0]), pit=int(g[1]), com1=int(g[2]), exit=int(g[3]), post=int(g[4]),
                 unknown=int(g[5]), last_unknown=int(g[6], 16) if g[6] else None,
                 bad_width=int(g[7]), refused=int(g[8]))
    irqs = re.search(r"pc: irqs raised/delivered([ \d:/]*); EOIs (\d+)", body)
    if irqs:
        s["irqs"] = dict((int(n), (int(r), int(d)))
                         for n, r, d in re.findall(r"(\d+):(\d+)/(\d+)", irqs.group(1)))
        s["eois"] = int(irqs.group(2))
    pit = re.search(r"pc: pit: mode (\d) count (\d+), (\w+), (\d+) periods in (\d+) host ticks",
                    body)
    if pit:
        s["pit_state"] = tuple(int(pit.group(i)) for i in (1, 2, 4, 5))
    for chip in ("master", "slave"):
        c = re.search(r"pc: 8259 %s: (\w+), vectors 0x([0-9a-f]+)" % chip, body)
        if c:
            s[chip] = (c.group(1), int(c.group(2), 16))
    return s


def line(t, q, what, regex):
    """pctest's line matching regex, anywhere in the output (run() has waited
    for its end already); a failure says what was awaited."""
    m = re.search(r"\[pctest\.1\] pctest: " + regex, q.output)
    t.check(m, "expected pctest to say %s (/%s/), but it did not" % (what, regex))
    return m


def run(t, disk=False, typed=TYPED):
    """Boot pctest with a PC beside a mini, type a line to it, wait for its
    exit; returns the QEMU process and the stats the monitor printed then."""
    spec = "pctest:2M:hd0:pc" if disk else "pctest:pc"
    extra = ["-drive", "file=%s,format=raw,index=0,media=disk" % image(t, "the pc's disk")] \
        if disk else []
    q = t.qemu(append="vms=%s,mini" % spec, extra=extra)
    q.fail_on(r"panic", "the host panicked")
    q.fail_on(r"stopped VM 2 \(mini\.2\)[^\n]*", "the mini beside pctest was stopped")
    q.fail_on(r"stopped VM 1 \(pctest\.1\): (?!guest exit)([^\n]*)\n",
              "pctest was stopped: {0}")
    q.fail_on(r"pctest: (FAILED: [^\n]*)\n", "pctest said {0}")
    q.expect(r"VM 1: pctest, 2048 KiB, %svirtual PC" % ("disk hd0 .*?, " if disk else ""),
             what="the host to give pctest a virtual PC")
    # Its lines in order, each awaited by name: a hang says where it stuck.
    stages = [("COM1 up", "its first line, through COM1"),
              ("refused 8259: ", "how its refused 8259 went"),
              ("8259s at ", "that it initialized its 8259s and PIT"),
              ("timer: ", "that 50 timer interrupts came"),
              ("masked: ", "how 20 host ticks with IRQ 0 masked went"),
              ("unmasked: ", "that the timer came back once unmasked"),
              ("unended: ", "how 20 host ticks with IRQ 0 unended went"),
              ("after its EOI ", "that the timer came back after its EOI"),
              ("one-shot: ", "how the PIT went in mode 0"),
              ("loopback: ", "what COM1 looped back"),
              ("transmitter-empty interrupts: ", "that COM1's THRE interrupt came")]
    if disk:
        stages += [("disk masked on the slave: ", "how a read with IRQ 14 masked went"),
                   ("disk behind an unended timer: ",
                    "how the disk's interrupt went behind an unended timer interrupt"),
                   ("disk: its interrupt ", "that the disk's interrupt came once unmasked")]
    stages += [("type a line", "that it asks for a line")]
    for text, what in stages:
        q.expect(r"\[pctest\.1\] pctest: " + re.escape(text), what="pctest to say " + what)
    q.expect(r"\r?\n")
    q.send(typed + "\r")
    q.expect(r"vmos: stopped VM 1 \(pctest\.1\): guest exit (\d+) through port 0xF4",
             what="pctest to exit through port 0xF4")
    q.expect(r"input now goes to VM 2", what="the keyboard to move to the mini")
    enter_monitor(q)
    return q, pc_stats(monitor(q, "stats"))


@test("pc: the PIT at 100 Hz interrupts through the 8259 on ICW2's vector; the count converts "
      "to host ticks exactly", timeout=40)
def t_timer(t):
    q, s = run(t)
    m = line(t, q, "where its 8259s and PIT are",
             r"8259s at 0x50 and 0x58, PIT at 100 Hz \(count (\d+), latched (\d+)\)")
    count = int(m.group(1))
    t.check(0 < int(m.group(2)) <= count, "the latched count %s is not within the reload %d"
            % (m.group(2), count))
    m = line(t, q, "its timer's ISR", r"timer: (\d+) interrupts, ISR in the handler 0x([0-9a-f]+), "
             r"after its EOI 0x([0-9a-f]+)\r?\n")
    t.check(m.group(2) == "1" and m.group(3) == "0",
            "expected ISR 0x1 in the timer's handler and 0x0 after its EOI (OCW3 reads), got "
            "0x%s and 0x%s" % (m.group(2), m.group(3)))
    m = line(t, q, "what mode 0 did", r"one-shot: (\d+) interrupts in (\d+) host ticks")
    t.check(m.group(1) == "1", "the PIT in mode 0 gave %s interrupts in %s host ticks, not one"
            % m.groups())
    m = line(t, q, "its total", r"(\d+) timer interrupts in all, \d+ COM1 interrupts, (\d+) "
             r"stray")
    total, stray = int(m.group(1)), int(m.group(2))
    t.check(stray == 0, "%d interrupts came at vectors pctest's ICW2s did not give" % stray)
    t.check("irqs" in s and 0 in s["irqs"], "no IRQ 0 line in the stats: %s" % s)
    raised, delivered = s["irqs"][0]
    t.check(delivered == total, "the host delivered IRQ 0 %d times, pctest counted %d"
            % (delivered, total))
    t.check(raised >= delivered, "IRQ 0 delivered %d times but raised %d" % (delivered, raised))
    mode, reload, periods, since = s["pit_state"]
    t.check(mode == 2 and reload == count, "the PIT is in mode %d with count %d, not mode 2 "
            "with %d" % (mode, reload, count))
    want = since * PIT_HZ // (reload * HZ)
    t.check(periods == want, "the PIT counted %d periods in %d host ticks at count %d; "
            "1.193182 MHz makes that %d" % (periods, since, reload, want))
    t.check(s["eois"] >= total, "%d EOIs for %d interrupts" % (s["eois"], total))
    t.check(s.get("master") == ("ready", 0x50) and s.get("slave") == ("ready", 0x58),
            "the 8259s are %s and %s, not ready at 0x50 and 0x58"
            % (s.get("master"), s.get("slave")))


@test("pc: a masked IRQ waits in IRR; an unended one holds its level off until EOI",
      timeout=40)
def t_mask(t):
    q, s = run(t)
    m = line(t, q, "what masking IRQ 0 did", r"masked: (\d+) interrupts in (\d+) host ticks, "
             r"IRR 0x([0-9a-f]+)\r?\n")
    t.check(m.group(1) == "0", "%s timer interrupts came in %s host ticks with IRQ 0 masked"
            % (m.group(1), m.group(2)))
    t.check(int(m.group(3), 16) & 1, "IRR 0x%s while IRQ 0 was masked: it should wait there"
            % m.group(3))
    line(t, q, "that the timer came back unmasked", r"unmasked: the timer is back")
    m = line(t, q, "what an unended IRQ 0 did", r"unended: (\d+) interrupts in (\d+) host ticks, "
             r"ISR 0x([0-9a-f]+) IRR 0x([0-9a-f]+)\r?\n")
    t.check(m.group(1) == "0", "%s timer interrupts came in %s host ticks while one was in "
            "service without an EOI" % (m.group(1), m.group(2)))
    t.check(int(m.group(3), 16) & 1 and int(m.group(4), 16) & 1,
            "ISR 0x%s IRR 0x%s: expected IR0 in service and requested" % (m.group(3), m.group(4)))
    line(t, q, "that its EOI brought the timer back", r"after its EOI the timer is back")


@test("pc: COM1 carries the guest's console out, tagged, and typed input in by its receive "
      "interrupt", timeout=40)
def t_com1(t):
    q, s = run(t)
    m = line(t, q, "the line typed to it", r"got '([^'\n]*)' by (\d+) receive interrupts")
    t.check(m.group(1) == TYPED, "pctest got %r for %r" % (m.group(1), TYPED))
    t.check(re.search(r"\[pctest\.1\] %s\r?\n" % re.escape(TYPED), q.output),
            "pctest's echo of %r is not on the console" % TYPED)
    t.check(int(m.group(2)) >= 1, "no receive interrupt")
    m = line(t, q, "what COM1 looped back", r"loopback: LSR 0x([0-9a-f]+), got '(.)', MSR "
             r"0x([0-9a-f]+)\r?\n")
    t.check(int(m.group(1), 16) & 1 and m.group(2) == "Z" and m.group(3) == "b0",
            "in loopback: LSR 0x%s, RBR %r, MSR 0x%s (expected DR, 'Z', 0xb0)" % m.groups())
    t.check(not re.search(r"\[pctest\.1\] Z", q.output),
            "a byte COM1 sent in loopback reached the console")
    m = line(t, q, "its THRE interrupts", r"transmitter-empty interrupts: (\d+)")
    t.check(int(m.group(1)) >= 1, "no transmitter-empty interrupt")
    m = line(t, q, "its COM1 total", r"\d+ timer interrupts in all, (\d+) COM1 interrupts")
    n = int(m.group(1))
    t.check(s.get("irqs", {}).get(4, (0, 0))[1] == n,
            "the host delivered IRQ 4 %s times, pctest took %d" % (s.get("irqs", {}).get(4), n))
    said = sum(len(l) + 1 for l in re.findall(r"\[pctest\.1\] ([^\r\n]*)", q.output))
    t.check(s["com1"] >= said, "%d COM1 accesses for %d bytes of output" % (s["com1"], said))


@test("pc: the trap-mode disk's interrupt goes through the slave 8259: masked, cascaded, "
      "ended on both", timeout=40)
def t_disk(t):
    q, s = run(t, disk=True)
    m = line(t, q, "what masking the disk did", r"disk masked on the slave: (\d+) interrupts, "
             r"slave IRR 0x([0-9a-f]+)\r?\n")
    t.check(m.group(1) == "0" and int(m.group(2), 16) & 0x40,
            "with IRQ 14 masked on the slave: %s interrupts, slave IRR 0x%s (expected 0 and "
            "bit 6)" % (m.group(1), m.group(2)))
    m = line(t, q, "what an unended IRQ 0 did to the disk's", r"disk behind an unended timer: "
             r"(\d+) interrupts, master ISR 0x([0-9a-f]+) IRR 0x([0-9a-f]+)\r?\n")
    t.check(m.group(1) == "0" and int(m.group(2), 16) & 1 and int(m.group(3), 16) & 4,
            "with IRQ 0 in service: %s disk interrupts, master ISR 0x%s IRR 0x%s (expected none, "
            "IR0 in service, IR2 requested)" % m.groups())
    m = line(t, q, "its disk interrupt", r"disk: its interrupt at 0x5e, slave ISR 0x([0-9a-f]+), "
             r"master ISR 0x([0-9a-f]+); sector 0 says: ([^\r\n]*)\r?\n")
    t.check(m.group(1) == "40" and int(m.group(2), 16) & 4,
            "in the disk's handler: slave ISR 0x%s, master ISR 0x%s (expected 0x40, and IR2 "
            "on the master)" % (m.group(1), m.group(2)))
    t.check(m.group(3) == "the pc's disk", "sector 0 says %r" % m.group(3))
    t.check(s.get("irqs", {}).get(14, (0, 0))[1] == 1,
            "the host delivered IRQ 14 %s times, not once" % (s.get("irqs", {}).get(14),))


@test("pc: port 0xF4 ends the guest with its status; the mini beside it keeps running",
      timeout=40)
def t_exit(t):
    q, s = run(t)
    m = re.search(r"pctest: (\d+) timer interrupts in all, \d+ COM1 interrupts, (\d+) stray "
                  r"\(last 0x[0-9a-f]+\), (\d+) checks failed", q.output)
    t.check(m, "pctest did not say its totals")
    m2 = re.search(r"stopped VM 1 \(pctest\.1\): guest exit (\d+) through port 0xF4", q.output)
    t.check(int(m2.group(1)) == 100 + int(m.group(3)),
            "pctest wrote %d to port 0xF4 (100 + %s failed checks), the host says %s"
            % (100 + int(m.group(3)), m.group(3), m2.group(1)))
    t.check(s["exit"] == 1, "%d accesses to port 0xF4 counted, not 1" % s["exit"])
    q.send("cont\r")
    q.expect(r"\[mini\.2\] ", what="the mini to go on printing after pctest stopped")


@test("pc: bad input (a port with no device, a width the device does not take, ICWs out of "
      "order) is refused, said once and counted", timeout=40)
def t_bad(t):
    q, s = run(t)
    out = q.output
    said = [
        (r"pc: inb from port 0x2e8: no device there", "the port with no device"),
        (r"pc: inw from port 0x21 \(8259 master\): it takes bytes only; refused",
         "the inw from the 8259"),
        (r"pc: 8259 master: OCW2 0x20 while it waited for ICW2: out of order, refused",
         "the OCW2 in the middle of the ICWs"),
        (r"pc: 8259 master: ICW2 0x8: vectors 0x8-0xf are the CPU's exceptions; refused",
         "the vector base in the CPU's exceptions"),
        (r"pc: 8259 slave: OCW2 0x20 before the chip was initialized", "the EOI too early"),
    ]
    for regex, what in said:
        n = len(re.findall(r"vmos: VM 1 \(pctest\.1\) " + regex, out))
        t.check(n == 1, "the host said %s %d times, not once" % (what, n))
    t.check(len(re.findall(r"pc: \w+ (?:from|to) port 0x[0-9a-f]+: no device there", out)) == 1,
            "an unknown port was said more than once for one VM")
    m = line(t, q, "what the bad ports read", r"unknown port 0x2e8 reads 0x([0-9a-f]+), inw from "
             r"0x21 reads 0x([0-9a-f]+)\r?\n")
    t.check(m.group(1) == "ff" and m.group(2) == "ffff",
            "the port with no device read 0x%s and the refused inw 0x%s (expected 0xff, 0xffff)"
            % m.groups())
    m = line(t, q, "what its refused 8259 did", r"refused 8259: (\d+) interrupts")
    t.check(m.group(1) == "0", "%s interrupts came from an 8259 whose ICW2 was refused"
            % m.group(1))
    t.check(s["unknown"] == 2 and s["last_unknown"] == 0x2E8,
            "stats count %d accesses to no device (last 0x%x), not 2 at 0x2e8"
            % (s["unknown"], s["last_unknown"] or 0))
    t.check(s["bad_width"] == 2, "stats count %d accesses of a bad width, not 2" % s["bad_width"])
    t.check(s["refused"] >= 3, "stats count %d refusals, not 3 or more" % s["refused"])
    t.check(not re.search(r"\[pctest\.1\] AB|\[pctest\.1\] BA", out),
            "a refused outw to COM1 printed something")


@test("pc: without the field pc a guest's in/out is its own #GP; the mini is untouched",
      timeout=40)
def t_nopc(t):
    q = t.qemu(append="vms=pctest,mini")
    q.fail_on(r"panic", "the host panicked")
    q.expect(r"VM 1: pctest, 2048 KiB\r?\n", what="pctest to boot without a PC")
    q.expect(r"stopped VM 1 \(pctest\.1\): general protection[^\n]*no handler registered",
             what="pctest's first in/out to fault into the guest (no handler for #GP)")
    t.check(not re.search(r"\[pctest\.1\]", q.output), "pctest printed without a COM1")
    q.expect(r"\[mini\.2\] ", what="the mini to run on")


@test("pc: a VM with a PC takes its interrupts in route mode, asked for swap or not",
      timeout=40)
def t_route(t):
    q = t.qemu(append="vms=pctest:pc:swap,mini:swap")
    q.fail_on(r"panic", "the host panicked")
    q.expect(r"VM 1 \(pctest\): a virtual PC's 8259s take every interrupt of the VM: route "
             r"mode, not swap", what="the host to say pctest's PC keeps route mode")
    m = q.expect(r"VM 1: pctest, 2048 KiB, virtual PC([^\n]*)\n", what="pctest to boot")
    t.check("swap" not in m.group(1), "pctest booted with%s" % m.group(1))
    q.expect(r"VM 2: mini, 2048 KiB, swap interrupts", what="the mini to keep its swap mode")
    q.expect(r"\[pctest\.1\] pctest: timer: \d+ interrupts",
             what="pctest's timer to work through its 8259s")


@test("pc: 20,000 random accesses to the PC's ports (pctest-fuzz) are each taken or refused; "
      "the devices work after; the mini runs on", timeout=60)
def t_fuzz(t):
    q = t.qemu(append="vms=pctest-fuzz:pc,mini")
    q.fail_on(r"panic", "the host panicked")
    q.fail_on(r"stopped VM 2 \(mini\.2\)[^\n]*", "the mini beside pctest-fuzz was stopped")
    q.fail_on(r"stopped VM 1 \(pctest-fuzz\.1\): (?!guest exit)([^\n]*)\n",
              "pctest-fuzz was stopped: {0}")
    q.expect(r"\[pctest-fuzz\.1\] pctest: fuzz: 20000 random accesses done",
             what="pctest-fuzz to finish its random accesses")
    q.expect(r"\[pctest-fuzz\.1\] pctest: fuzz: the timer works again",
             what="pctest-fuzz's timer to work once it set the devices up again")
    q.expect(r"stopped VM 1 \(pctest-fuzz\.1\): guest exit 100 through port 0xF4",
             what="pctest-fuzz to exit through port 0xF4 with status 100")
    q.expect(r"input now goes to VM 2", what="the keyboard to move to the mini")
    q.expect(r"\[mini\.2\] ", what="the mini to go on printing")
    enter_monitor(q)
    s = pc_stats(monitor(q, "stats"), "pctest-fuzz")
    t.check("pic" in s, "no pc: lines in pctest-fuzz's stats")
    n = s["pic"] + s["pit"] + s["com1"] + s["post"] + s["unknown"]
    t.check(n >= 20000, "the PC counted %d accesses for pctest-fuzz's 20000 and more" % n)
    t.check(s["bad_width"] > 0 and s["refused"] > 0,
            "no access of a bad width or refused input counted (%d, %d)"
            % (s["bad_width"], s["refused"]))
