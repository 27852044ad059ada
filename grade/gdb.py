# gdb.py: debugging the whole machine as a student does (suite gdb; issue 8,
# items 4 and 5): `make qemu-nox-gdb` in one terminal and `make gdb` in another,
# the README's own commands, gdb fed its commands on stdin as if typed. The
# breakpoints are in guests (xv6a's system-call path, a mini task, an xv6a user
# program), read through the vmos helper (tools/gdb/vmos.py) and host data.
# The host-only session (a continue and a second stop) is in grade/host.py.
import os
import re
import socket
import struct

from gradelib import test, REPO_ROOT

FSIMG = os.path.join(REPO_ROOT, "out", "xv6a", "fs.img")


class Session:
    """make qemu-nox-gdb with BOOT and a snapshot of xv6a's file system as disk 0,
    then make gdb: the README's two commands. The .gdbinit goes to the test's
    own directory (tests run in parallel); port=None lets make choose it."""

    def __init__(self, t, boot, port=None, env=None):
        self.t = t
        self.gdbinit = os.path.join(t.log_dir, "gdbinit")
        argv = ["make", "qemu-nox-gdb", "GDBINIT=" + self.gdbinit, "BOOT=" + boot, "DISKS=",
                "QEMUEXTRA=-snapshot -drive file=%s,format=raw,index=0" % FSIMG]
        if port:
            argv.append("GDBPORT=%d" % port)
        self.q = t.spawn(argv, env=env)
        m = self.q.expect(r"Now run 'make gdb' in another terminal \(gdb port (\d+)\)", timeout=30)
        self.port = int(m.group(1))
        self.g = t.spawn(["make", "gdb", "GDBINIT=" + self.gdbinit], env=env)
        self.pos = self.g.expect(r"\(gdb\) ", timeout=20).end()
        self.n = 0
        self.pending = None

    def send(self, cmd):
        """Type cmd at gdb; its output is collected by the next wait()."""
        self.n += 1
        self.pending = "<<%d>>" % self.n
        self.g.send("%s\necho %s\\n\n" % (cmd, self.pending))

    def wait(self, timeout=30):
        m = self.g.expect(re.escape(self.pending), timeout=timeout)
        out = m.string[self.pos:m.start()]
        self.pos = m.end()
        return re.sub(r"(?m)^(\(gdb\) )+", "", out)     # gdb's prompts, not its answers

    def gdb(self, cmd, timeout=30):
        """Type cmd at gdb and return what it printed."""
        self.send(cmd)
        return self.wait(timeout)

    def fail_if_dead(self, what):
        """What to say when gdb shows no stop: QEMU's own last words, if it died."""
        if self.q.poll() is not None:
            self.t.fail("%s; QEMU exited: %s" % (what, self.q.output.strip().splitlines()[-1]))


def expect_in(t, out, regex, what):
    m = re.search(regex, out, re.M)
    t.check(m, "expected %s (/%s/); gdb printed:\n%s" % (what, regex, out.strip()))
    return m


@test("gdb: break sys_getpid stops xv6a under vmos; bt, vmos current, vmos vms, vmos print",
      timeout=120)
def t_xv6a_syscall(t):
    s = Session(t, "vms=xv6a:32M:hd0,mini")
    out = s.gdb("break sys_getpid")
    expect_in(t, out, r"Breakpoint 1 at 0x801[0-9a-f]+: file guests/xv6a/sysproc\.c",
              "the breakpoint in xv6a's kernel, from out/guests/xv6a.elf")
    s.send("continue")
    s.q.expect(r"\[xv6a\.1\] \$ ", timeout=60)
    s.q.send("ptest\r")                     # ptest's first system call is getpid
    out = s.wait(60)
    s.fail_if_dead("no stop at sys_getpid")
    expect_in(t, out, r"Breakpoint 1, sys_getpid \(\) at guests/xv6a/sysproc\.c", "the stop")
    bt = s.gdb("bt")
    expect_in(t, bt, r"^#0\s+sys_getpid \(\)", "frame 0 sys_getpid")
    expect_in(t, bt, r"^#1\s+0x801[0-9a-f]+ in syscall \(\) at guests/xv6a/syscall\.c",
              "frame 1 syscall")
    expect_in(t, bt, r"^#2\s+0x801[0-9a-f]+ in trap \(.*\) at guests/xv6a/trap\.c", "frame 2 trap")
    cur = s.gdb("vmos current")
    expect_in(t, cur, r"^VM 1 \(xv6a\.1\): its kernel \(ring 1\) at 0x801[0-9a-f]+ sys_getpid\+0; "
              r"process \d+ \(ptest\)", "vmos current naming VM 1, its kernel and ptest")
    vms = s.gdb("vmos vms")
    expect_in(t, vms, r"^\s*id\s+name\s+state", "vmos vms's heading")
    row1 = expect_in(t, vms, r"^\*\s+1 xv6a\s+runnable\s+\d+\s+(\d+)\s+\d+\s+(\d+)\s+0x[0-9a-f]{8}",
                     "VM 1, marked running (*), runnable")
    expect_in(t, vms, r"^ \s+2 mini\s+(runnable|blocked)\s+\d+", "VM 2 (mini), not running")
    t.check(int(row1.group(2)) > 0, "xv6a under shadow paging took no hidden faults:\n" + vms)
    # Host data while stopped in the guest: gdb's own print cannot reach it.
    out = s.gdb("print current->id")
    expect_in(t, out, r"Cannot access memory", "plain print failing inside the guest (the host "
              "is not mapped there); if it works, vmos print is not needed")
    out = s.gdb("vmos print current->id")
    expect_in(t, out, r"^current->id = 1$", "the host's current VM read through physical memory")
    out = s.gdb("vmos print current->st.exits")
    exits = int(expect_in(t, out, r"^current->st\.exits = (\d+)$", "VM 1's host entries").group(1))
    t.check(exits == int(row1.group(1)), "vmos print says %d host entries, vmos vms %s"
            % (exits, row1.group(1)))
    out = s.gdb("vmos print current->nosuchfield")
    expect_in(t, out, r"has no field nosuchfield", "a clear error for a field that does not exist")
    s.send("continue")                       # the session goes on: ptest calls getpid once
    s.q.expect(r"ptest: all process tests passed", timeout=60)


@test("gdb: a mini task's function stops under vmos; vmos current and vmos vm N name it",
      timeout=60)
def t_mini_task(t):
    s = Session(t, "vms=mini,mini")
    out = s.gdb("break ticker_main")
    expect_in(t, out, r"Breakpoint 1 at 0x4002[0-9a-f]+: file user/mini/ticker\.c",
              "the breakpoint in mini's task, from out/guests/mini.elf")
    out = s.gdb("continue", timeout=40)
    s.fail_if_dead("no stop at ticker_main")
    expect_in(t, out, r"Breakpoint 1, ticker_main \(\) at user/mini/ticker\.c", "the stop")
    cur = s.gdb("vmos current")
    m = expect_in(t, cur, r"^VM ([12]) \(mini\.\1\): a process \(ring 3\) at 0x4002[0-9a-f]+ "
                  r"ticker_main\+0; process \d+ \(ticker\)", "a mini VM, ring 3, task ticker")
    vmid = m.group(1)
    one = s.gdb("vmos vm " + vmid)
    expect_in(t, one, r"^VM %s \(mini\.%s\): runnable \(its time slice runs\)" % (vmid, vmid),
              "VM %s running" % vmid)
    expect_in(t, one, r"^\s+memory: 2048 KiB seen at 0x40000000; flat", "its memory")
    expect_in(t, one, r"^\s+exit_cause\s+timer \d+, irq \d+, hcall \d+", "its counters by cause")
    expect_in(t, one, r"process \d+ \(ticker\)", "its process")
    out = s.gdb("vmos vm 9")
    expect_in(t, out, r"no VM 9 \(VMs are 1 to 2\)", "VM 9 refused by name")
    out = s.gdb("vmos vm x")
    expect_in(t, out, r"usage: vmos vm N", "a usage line for a bad argument")


def elf_symbol(path, name):
    """The value of symbol name in a 32-bit ELF file (its .symtab), or None."""
    data = open(path, "rb").read()
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x2E)
    for i in range(shnum):
        _, stype, _, _, off, size, link, _, _, entsize = struct.unpack_from(
            "<10I", data, shoff + i * shentsize)
        if stype != 2:                        # SHT_SYMTAB
            continue
        stroff = struct.unpack_from("<10I", data, shoff + link * shentsize)[4]
        for j in range(size // entsize):
            st_name, value = struct.unpack_from("<II", data, off + j * entsize)
            end = data.index(b"\0", stroff + st_name)
            if data[stroff + st_name:end] == name.encode():
                return value
    return None


def elf_bytes(path, addr, n):
    """n bytes of a 32-bit ELF file's loaded image at address addr."""
    data = open(path, "rb").read()
    phoff, = struct.unpack_from("<I", data, 0x1C)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x2A)
    for i in range(phnum):
        ptype, offset, vaddr, _, filesz = struct.unpack_from("<5I", data, phoff + i * phentsize)
        if ptype == 1 and vaddr <= addr and addr + n <= vaddr + filesz:
            return data[offset + addr - vaddr:offset + addr - vaddr + n]
    return b""


@test("gdb: vmos break stops once per execution, not again after each hidden fault", timeout=120)
def t_once_per_execution(t):
    # sh's wait() returns once per command it runs. Its `ret` comes back into sh
    # after the child ran in another address space, so the shadow has lost sh's
    # pages: QEMU stops at the breakpoint first, then fetching the instruction and
    # reading the stack each take a hidden fault, and the instruction is run
    # again twice. A plain breakpoint there stops three times per command.
    sh = os.path.join(REPO_ROOT, "out", "xv6a", "user", "_sh")
    wait = elf_symbol(sh, "wait")
    t.check(wait is not None, "no symbol wait in out/xv6a/user/_sh")
    stub = elf_bytes(sh, wait, 8)
    t.check(stub[:1] == b"\xb8" and stub[5:8] == b"\xcd\x40\xc3",
            "sh's wait is not `mov $N,%%eax; int $64; ret` (usys.S): %s" % stub.hex())
    ret = wait + 7
    # shadowcache=1: lab 4's cache would keep sh's shadow across the child's run
    s = Session(t, "vms=xv6a:32M:hd0 shadowcache=1")
    out = s.gdb("vmos user sh")
    expect_in(t, out, r"symbols of xv6a's sh loaded", "sh's symbols")
    out = s.gdb("vmos break wait+7")       # sh's wait, not the kernel's
    expect_in(t, out, r"breakpoint 1 stops once per execution in processes running sh",
              "a once-per-execution breakpoint for sh")
    s.gdb("commands 1\nsilent\necho STOP\\n\ncontinue\nend")
    # A stop that stays: ptest's first system call, after the commands.
    s.gdb("break sys_getpid")
    s.send("continue")
    s.q.expect(r"\[xv6a\.1\] \$ ", timeout=60)
    words = ["one", "two", "three"]
    for w in words:
        s.q.send("echo %s\r" % w)
        s.q.expect(r"\[xv6a\.1\] (?:\$ )*%s\r?\n" % w, timeout=30)
        s.q.expect(r"\$ ", timeout=30)
    s.q.send("ptest\r")
    out = s.wait(60)
    s.fail_if_dead("no stop at sys_getpid")
    expect_in(t, out, r"Breakpoint 2, sys_getpid", "the stop in ptest's getpid")
    stops = len(re.findall(r"^STOP$", out, re.M))
    t.check(stops == len(words), "sh's wait returned once for each of %d commands; gdb stopped "
            "there %d times" % (len(words), stops))
    out = s.gdb("vmos breaks")
    m = expect_in(t, out, r"^breakpoint 1 at \*0x%x: stopped (\d+), re-executions skipped (\d+)"
                  % ret, "what breakpoint 1 did")
    t.check(int(m.group(1)) == len(words), "vmos breaks says it stopped %s times" % m.group(1))
    t.check(int(m.group(2)) >= len(words), "only %s re-executions skipped for %d commands: the "
            "scenario no longer makes hidden faults at the breakpoint, so it tests nothing"
            % (m.group(2), len(words)))


@test("gdb: make qemu-nox-gdb chooses a free port, prints it, and make gdb finds it", timeout=60)
def t_free_port(t):
    # The old port, uid % 5000 + 25000, is the same for every root user of a
    # shared machine: hold it, as another user's QEMU would.
    old = os.getuid() % 5000 + 25000
    held = socket.socket()
    try:
        held.bind(("127.0.0.1", old))
        held.listen(1)
    except OSError:
        pass                                   # someone holds it already: all the same
    env = {k: v for k, v in os.environ.items() if k != "GDBPORT"}
    try:
        s = Session(t, "vms=none", env=env)
        t.check(s.port != old, "make chose port %d, which is taken" % old)
        out = s.gdb("break kalloc_init")
        out = s.gdb("continue")
        s.fail_if_dead("make gdb did not reach QEMU on port %d" % s.port)
        expect_in(t, out, r"Breakpoint 1, kalloc_init", "the stop, through the port make chose")
        t.check("target remote 127.0.0.1:%d" % s.port in open(s.gdbinit).read(),
                "the .gdbinit does not name port %d" % s.port)
    finally:
        held.close()


@test("gdb: make gdb before any QEMU says to start one first", timeout=20)
def t_gdb_without_qemu(t):
    missing = os.path.join(t.log_dir, "no-gdbinit")
    p = t.spawn(["make", "gdb", "GDBINIT=" + missing])
    t.check(p.wait_exit() == 2, "make gdb without a .gdbinit did not fail with status 2:\n"
            + p.output)
    t.check("start QEMU first with make qemu-nox-gdb" in p.output,
            "make gdb did not say to start QEMU first:\n" + p.output)
