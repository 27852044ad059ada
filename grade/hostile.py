# hostile.py: the hostile suite (issue 8): ways out of the box, tried from
# ring 3 and from ring 1 (an xv6a process, a mini task, mini's kernel, a paged
# guest kernel), and ways to stop the machine. Each attack is a test guest
# (guests/mini/hostile.c, user/mini/hostile.c, guests/pgtest, user/xv6a/hostile.c)
# that says what it saw; each test shows the attempt refused, or the attacker
# alone stopped with a reason, while a mini beside it keeps printing.
# A boot fails as soon as the outcome is known: the host panics, stops a VM the
# test did not expect it to stop (attacker=: the one it may stop), uses up its
# budget of host ticks, or stands still (lab1's silence watch).
import os
import re

from gradelib import test, REPO_ROOT
from lab1 import enter_monitor, monitor, silence_watch, table, vm_stats

FSIMG = os.path.join(REPO_ROOT, "out", "xv6a", "fs.img")
BUDGET = 3000            # host ticks (30 s of host time) a boot may take


def boot(t, vms, extra="", drives=(), attacker=None):
    args = []
    for i, path in drives:
        args += ["-drive", "file=%s,format=raw,index=%d" % (path, i)]
    line = "vms=%s %s" % (vms, extra)
    if "stopafter=" not in extra:
        line += " stopafter=%d" % BUDGET
        q = t.qemu(append=line.strip(), extra=args, probe=True)
        q.fail_on(r"vmos: stopafter=(\d+) reached",
                  "the host used up the test's budget of {0} host ticks first")
    else:
        q = t.qemu(append=line.strip(), extra=args, probe=True)
    q.fail_on(r"panic: ([^\r\n]*)", "the host panicked: {0}")

    def stopped(m):
        if m.group(1) == attacker:
            return None
        return "the host stopped VM %s: %s" % (m.group(1), m.group(2))
    q.fail_on(r"vmos: stopped VM \d+ \(([^)]*)\): ([^\r\n]*)\r?\n", stopped)
    q.watch(silence_watch(500), every=1.0)
    return q


def keeps_printing(t, q, tag, n=2):
    """The honest VM `tag` prints n more ticker lines from here on."""
    for _ in range(n):
        q.expect(r"\[%s\] ticker: uptime" % re.escape(tag))


def never(t, q, pattern, what):
    m = re.search(r".*%s.*" % pattern, q.output)
    t.check(not m, "%s: %r" % (what, m and m.group(0)))


def expect_all(q, patterns):
    """Wait until every pattern has appeared, in any order (tasks interleave)."""
    while not all(re.search(p, q.output) for p in patterns):
        q.expect(r"\n")


def stopped(t, q, tag, reason):
    """tag was stopped by the host; its reason matches `reason`."""
    m = q.expect(r"vmos: stopped VM \d+ \(%s\): (.*)\r?\n" % re.escape(tag))
    t.check(re.search(reason, m.group(1)),
            "VM %s was stopped for '%s'; expected a reason matching /%s/"
            % (tag, m.group(1).strip(), reason))


def xv6a(t):
    q = boot(t, "xv6a:32M:hd0,mini", drives=[(0, FSIMG)])
    q.expect(r"\[xv6a\.1\] init: starting sh")
    return q


def xv6a_alive(t, q):
    """The shell of the attacked xv6a still runs commands, and the mini prints."""
    q.send("echo still alive\r")
    q.expect(r"\[xv6a\.1\] (?:\$ )*still alive")
    keeps_printing(t, q, "mini.2")


def disk(t, name):
    path = os.path.join(t.log_dir, name)
    with open(path, "wb") as f:
        f.truncate(1 << 20)
    return path


# ---- the LDT: a call gate to the host's code selector ----

@test("LDT: an xv6a process's call gate in the LDT faults (#GP); its kernel kills it",
      timeout=60)
def t_ldt_xv6a(t):
    q = xv6a(t)
    q.send("hostile ldt\r")
    m = q.expect(r"hostile ldt: lar on selector (0x[0-9A-Fa-f]+): (.*?)\r?\n")
    t.check(m.group(2) == "invalid", "lar found a descriptor for LDT selector %s: the LDT "
            "is live (LDTR is not null)" % m.group(1))
    q.expect(r"pid \d+ hostile: trap 13 err \d+ .*--kill proc")
    never(t, q, r"escaped", "the process ran its code in ring 0")
    xv6a_alive(t, q)


@test("LDT: a mini task's far call through the LDT faults; mini kills the task", timeout=40)
def t_ldt_task(t):
    q = boot(t, "mini-tattack,mini")
    q.expect(r"\[mini-tattack\.1\] mini: task \d+ \(ldt\) killed: general protection "
             r"\(trap 13, err 0x4\)")
    keeps_printing(t, q, "mini-tattack.1")
    keeps_printing(t, q, "mini.2")


@test("LDT: mini's kernel calling through the LDT is stopped with #GP, others run",
      timeout=40)
def t_ldt_mini_kernel(t):
    q = boot(t, "mini-kldt,mini", attacker="mini-kldt.1")
    m = q.expect(r"\[mini-kldt\.1\] mini: lar on LDT selector 0x5: (.*)\r?\n|"
                 r"vmos: stopped VM 1 \(mini-kldt\.1\): (.*)\r?\n",
                 what="mini's kernel to say what lar found")
    t.check(m.group(1) is not None, "the host stopped mini's kernel before lar could even "
            "answer: %s" % m.group(2))
    t.check(m.group(1).startswith("invalid"), "lar on an LDT selector: %s" % m.group(1))
    stopped(t, q, "mini-kldt.1", r"general protection \(trap 13, err 0x4\) in the guest kernel")
    keeps_printing(t, q, "mini.2")


@test("LDT: a paged guest kernel's call gate at linear 0 is refused (#GP), others run",
      timeout=40)
def t_ldt_paged_kernel(t):
    q = boot(t, "pgtest-ldt,mini", attacker="pgtest-ldt.1")
    q.expect(r"pgtest: calling through LDT selector 0x5")
    stopped(t, q, "pgtest-ldt.1", r"general protection \(trap 13\) in the guest kernel")
    never(t, q, r"escaped to ring 0", "the paged guest kernel ran its code in ring 0")
    keeps_printing(t, q, "mini.2")


# ---- EFLAGS.DF (and NT, AC, TF) on entry to the host ----

@test("DF: an xv6a process spinning and calling with DF set: host and kernel survive",
      timeout=60)
def t_df_xv6a(t):
    q = xv6a(t)
    q.send("hostile df\r")
    q.expect(r"\[xv6a\.1\] (?:\$ )*hostile df: survived DF")
    xv6a_alive(t, q)


@test("DF, TF, DR7, TSS, SSE: a mini task's flags, debug registers, task switch and SSE "
      "stay its own business", timeout=40)
def t_flags_task(t):
    q = boot(t, "mini-tattack,mini")
    killed = r"\[mini-tattack\.1\] mini: task \d+ \(%s\) killed: %s"
    expect_all(q, [r"\[mini-tattack\.1\] df: survived DF",
                   killed % ("tf", r"debug \(trap 1,"),
                   killed % ("dr", r"general protection \(trap 13,"),
                   killed % ("tss", r"general protection \(trap 13, err 0x38\)"),
                   killed % ("sse", r"invalid opcode \(trap 6,")])
    keeps_printing(t, q, "mini-tattack.1")
    keeps_printing(t, q, "mini.2")


@test("DF: mini's kernel with DF, NT and AC set in hypercalls over a vCPU page of its "
      "choosing: the host survives, the VMs on both sides run on", timeout=60)
def t_df_mini_kernel(t):
    q = boot(t, "mini,mini-kdf,mini")
    m = q.expect(r"\[mini-kdf\.2\] mini: NT and AC kept over (\d+) of 100 hypercalls")
    t.check(m.group(1) == "100", "the guest's NT and AC came back from only %s of 100 "
            "hypercalls (IOPL 0 and IF 1 expected too)" % m.group(1))
    q.expect(r"\[mini-kdf\.2\] mini: survived DF")
    keeps_printing(t, q, "mini.1")
    keeps_printing(t, q, "mini.3")
    enter_monitor(q)
    states = dict((vm, row[1]) for vm, row in table(monitor(q, "list")).items())
    t.check(states == {1: "runnable", 2: "runnable", 3: "runnable"},
            "after the DF attack the VMs' states are %s, expected all three runnable" % states)


@test("DF: a paged guest kernel's page-directory loads with DF set: the host survives",
      timeout=40)
def t_df_paged_kernel(t):
    q = boot(t, "pgtest-df,mini", attacker="pgtest-df.1")
    q.expect(r"\[pgtest-df\.1\] pgtest: survived DF")
    q.expect(r"\[pgtest-df\.1\] pgtest: global, local: AAABBA")    # its shadow still right
    stopped(t, q, "pgtest-df.1", r"guest exit 0: pgtest done")
    keeps_printing(t, q, "mini.2")


# ---- state shared between VMs ----

@test("vCPU page: each VM has its own; one VM's mark is never another's to read",
      timeout=40)
def t_vcpu_private(t):
    q = boot(t, "mini-vcpu,mini-vcpu,mini")
    for vm in (1, 2):
        m = q.expect(r"\[mini-vcpu\.%d\] mini: vcpu page: (.*)\r?\n" % vm)
        t.check(m.group(1).startswith("private"), "VM %d: vcpu page: %s" % (vm, m.group(1)))
    keeps_printing(t, q, "mini.3")


@test("switcher region: another VM's IDT is not mapped; the VM reading for it is stopped",
      timeout=40)
def t_idt_private(t):
    q = boot(t, "mini-idtpeek,mini", attacker="mini-idtpeek.1")
    stopped(t, q, "mini-idtpeek.1", r"page fault at 0xffc1[0-9a-f]{4} in the switcher region "
            r"\(read in ring 1\)")
    never(t, q, r"read another VM's IDT", "a guest read another VM's IDT")
    keeps_printing(t, q, "mini.2")


@test("FPU: each VM keeps its own x87 registers across world switches (loaded lazily, "
      "counted)", timeout=40)
def t_fpu(t):
    q = boot(t, "mini-fpu,mini-fpu,mini")
    for vm in (1, 2):
        m = q.expect(r"\[mini-fpu\.%d\] mini: fpu: (.*)\r?\n" % vm)
        t.check(m.group(1).startswith("st0 kept"), "VM %d: fpu: %s" % (vm, m.group(1)))
    keeps_printing(t, q, "mini.3")
    enter_monitor(q)
    fpu = dict((vm, s["fpu"]) for vm, s in vm_stats(monitor(q, "stats")).items())
    t.check(fpu.get(1, 0) >= 20 and fpu.get(2, 0) >= 20,
            "FPU state loads per VM %s: expected one per world switch back to each FPU user "
            "(at least 20)" % fpu)
    t.check(fpu.get(3) == 0, "the mini that never uses the FPU had %s FPU traps" % fpu.get(3))


# ---- the switcher region from ring 3 ----

@test("switcher region: an xv6a process reading it gets a page fault; its kernel kills it",
      timeout=60)
def t_switcher_xv6a(t):
    q = xv6a(t)
    q.send("hostile switcher\r")
    q.expect(r"pid \d+ hostile: trap 14 err 4 .*addr 0xffc00000--kill proc")
    xv6a_alive(t, q)


@test("switcher region: a mini task reading it is killed by mini, not its VM", timeout=40)
def t_switcher_task(t):
    q = boot(t, "mini-tattack,mini")
    q.expect(r"\[mini-tattack\.1\] mini: task \d+ \(swreg\) killed: page fault \(trap 14,")
    keeps_printing(t, q, "mini-tattack.1")


# ---- the emulated disk ----

@test("disk: a data-port access across the end of the sector moves only what fits "
      "(counted)", timeout=40)
def t_disk_overrun(t):
    q = boot(t, "mini-diskover:2M:hd0,mini", "stopafter=150",
             drives=[(0, disk(t, "over.img"))])
    m = q.expect(r"mini: disk overrun: 4 bytes at 511 read back (0x[0-9a-f]+)")
    t.check(m.group(1) == "0x1", "a 4-byte read at byte 511 gave %s: expected 0x1 (byte 511, "
            "nothing from beyond the buffer)" % m.group(1))
    m = q.expect(r"disk hd0: \d+ commands, \d+ I/O instructions emulated, (\d+) data overruns")
    t.check(m.group(1) == "2", "%s overruns counted, expected 2 (one write, one read)"
            % m.group(1))


@test("disk: one rep outsb of 1 MiB is emulated in bounded steps while other VMs run",
      timeout=90)
def t_disk_repio(t):
    q = boot(t, "mini-repio:4M:hd0,mini", "quantum=1", drives=[(0, disk(t, "rep.img"))])
    marks = {}
    for label in ("begin", "end"):
        m = q.expect(r"vmos: mark 1 repio-%s: exits (\d+) .*switches (\d+) " % label)
        marks[label] = (int(m.group(1)), int(m.group(2)))
    q.expect(r"mini: repio: done, 0 left")
    exits = marks["end"][0] - marks["begin"][0]
    switches = marks["end"][1] - marks["begin"][1]
    t.check(exits >= 1024, "the 1 MiB rep outsb took %d host entries; in steps of at most "
            "1024 elements it takes at least 1024" % exits)
    t.check(switches >= 2, "only %d world switches during the instruction: the other VM "
            "did not run meanwhile" % switches)
    start = q.output.index("repio: start")
    end = q.output.index("repio: done")
    t.check(re.search(r"\[mini\.2\] ", q.output[start:end]),
            "the mini beside it printed nothing while the instruction ran")


# ---- ring checks (issue 10 item 2): the CPU tells the host who asked ----

PRIVS = ("cli", "sti", "hlt", "mov-from-cr0", "mov-to-cr0", "mov-from-cr3", "mov-to-cr3",
         "invlpg", "lidt", "ltr", "inb", "outb", "inw", "outl", "rep-insb", "rep-outsw")
HCALLS = ["hypercall-%02d" % n for n in range(27)]   # 0 .. HC_MAX (25) and one past it


def ring3_refused(t, q, tag):
    """`hostile priv` in the xv6a tagged tag: every privileged instruction kind and
    every hypercall number, each from a process of its own, ends with that process
    killed by its kernel with #GP (trap 13); the shell goes on."""
    q.fail_on(r"hostile priv: (\S+) ran in ring 3 \(wrong\)",
              "{0} from ring 3 was carried out: it must be the process's #GP")
    q.send("hostile priv\r")
    q.expect(r"hostile priv: (\d+) attempts done")
    # only this guest's lines: another VM's may come between an attempt and its end
    out = "\n".join(line for line in q.output.splitlines()
                    if line.startswith("[%s] " % tag)) + "\n"
    for what in PRIVS + tuple(HCALLS):
        m = re.search(r"hostile priv: trying %s\r?\n(?:.*\n){0,3}?.*pid \d+ hostile: trap (\d+) "
                      % re.escape(what), out)
        t.check(m and m.group(1) == "13", "%s from ring 3: %s" % (
            what, "killed with trap %s, expected 13 (#GP)" % m.group(1) if m
            else "no line saying its kernel killed the process"))
    never(t, q, r"ran in ring 3 \(wrong\)", "a privileged operation ran in ring 3")
    m = re.search(r"ring 3 sees: eflags 0x[0-9A-Fa-f]+ \(IF (\d), IOPL (\d)\), cs 0x[0-9A-Fa-f]+ "
                  r"\(ring (\d)\)", out)
    t.check(m and m.groups() == ("1", "0", "3"), "what ring 3 sees: %s" % (m and m.group(0)))
    q.send("echo still alive\r")
    q.expect(r"\[%s\] (?:\$ )*still alive" % re.escape(tag))


@test("ring 3: every privileged instruction and every hypercall from an xv6a process is a "
      "#GP its kernel kills it for (paravirtual xv6a); the shell and a mini run on", timeout=90)
def t_ring3_pv(t):
    q = xv6a(t)
    ring3_refused(t, q, "xv6a.1")
    keeps_printing(t, q, "mini.2")


@test("ring 3: every privileged instruction and every hypercall from an xv6a-trap process is "
      "a #GP its kernel kills it for, never emulated (trap mode); the shell and a mini run on",
      timeout=90)
def t_ring3_trap(t):
    q = boot(t, "xv6a-trap:32M:hd0:trap,mini", drives=[(0, FSIMG)])
    q.expect(r"\[xv6a-trap\.1\] init: starting sh")
    ring3_refused(t, q, "xv6a-trap.1")
    keeps_printing(t, q, "mini.2")


@test("ring 1: every privileged instruction from a paravirtual kernel (mini) is a #GP the host "
      "gives back to it, never carried out; the mini beside it runs on", timeout=60)
def t_ring1_pv(t):
    q = boot(t, "mini-kpriv,mini")
    q.fail_on(r"mini: kpriv: (\S+) ran in ring 1 \(wrong\)",
              "{0} in mini's kernel was carried out: without trap mode it must be a #GP")
    m = q.expect(r"mini: kpriv: (\d+) of (\d+) privileged instructions raised #GP")
    t.check(m.group(1) == m.group(2) and int(m.group(2)) >= 20,
            "%s of %s privileged instructions raised #GP in mini's kernel" % m.groups())
    m = q.expect(r"ring 1 sees: eflags 0x[0-9a-f]+ \(IF (\d), IOPL (\d)\), cs 0x[0-9a-f]+ "
                 r"\(ring (\d)\)")
    t.check(m.groups() == ("1", "0", "1"), "what ring 1 sees: %s" % m.group(0))
    q.expect(r"\[mini-kpriv\.1\] ticker: uptime", what="the attacker's own tasks to run")
    keeps_printing(t, q, "mini.2")


@test("virtual IF: a kernel spinning with it off for ever is still preempted by the host's "
      "timer; the mini beside it keeps half the CPU", timeout=60)
def t_vif_spin(t):
    q = boot(t, "mini-vifspin,mini", "stopafter=400")
    q.expect(r"mini: vifspin: spinning with the virtual IF off")
    keeps_printing(t, q, "mini.2", 3)
    q.expect(r"vmos: stopafter=400 reached")
    m = q.expect(r"\n\s+2 mini\.2\s+runnable\s+([\d.]+)\s", what="the host's list at the end")
    t.check(float(m.group(1)) >= 40, "the mini beside the spinner had %s%% of the host's ticks "
            "(round robin between two: about 50%%)" % m.group(1))


# ---- hypercalls: random numbers and arguments (issue 10 item 6) ----

@test("hypercalls: 100,000 random calls from ring 1 with hostile arguments are all refused "
      "(counted); the attacker and the mini beside it run on", timeout=180)
def t_hcall_fuzz(t):
    q = boot(t, "mini-fuzz,mini", "stopafter=4000")
    marks = {}
    for label in ("begin", "end"):
        m = q.expect(r"vmos: mark 1 fuzz-%s: exits (\d+) hcalls (\d+) .* bad_hcalls (\d+)\r?\n"
                     % label)
        marks[label] = (int(m.group(2)), int(m.group(3)))
    m = q.expect(r"mini: fuzz: (\d+) calls, (\d+) refused, (\d+) accepted that must not be")
    n, refused, holes = (int(g) for g in m.groups())
    t.check(holes == 0, "%d hypercalls with arguments the host must refuse were accepted "
            "(see the mini-fuzz lines above)" % holes)
    made = marks["end"][0] - marks["begin"][0] - 1          # less the end mark itself
    bad = marks["end"][1] - marks["begin"][1]
    t.check(made >= n * 3 // 4, "only %d of the %d calls reached the host" % (made, n))
    t.check(bad == refused, "the host counted %d refused hypercalls, the guest saw %d"
            % (bad, refused))
    # The honest mini had its turns meanwhile; the attacker is intact: its own
    # tasks start; and the honest mini goes on.
    during = q.output[q.output.index("fuzz-begin"):q.output.index("fuzz-end")]
    t.check(len(re.findall(r"\[mini\.2\] ticker: uptime", during)) >= 2,
            "the mini beside it printed fewer than 2 ticker lines during the fuzz")
    q.expect(r"\[mini-fuzz\.1\] spin: round")
    keeps_printing(t, q, "mini.2")
