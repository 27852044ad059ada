# host.py: tests of the host kernel (issue "Foundation"): the build, booting,
# the self-tests inside the kernel, panic, the monitor prompt, the boot line and
# gdb. Run with `python3 grade/grade.py host` (part of `make test`).
import os
import re
import struct
import subprocess

from gradelib import test, free_port, DEBUG_EXIT_PASS, DEBUG_EXIT_FAIL, REPO_ROOT

IMAGE = os.path.join(REPO_ROOT, "out", "vmos")
NOVMS = "vms=none"          # boot the host alone: the monitor gets the keyboard


# ---- build ----

def elf_sections(path):
    """Names of the sections of a 32-bit ELF file."""
    data = open(path, "rb").read()
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    def sh(i):
        return struct.unpack_from("<IIIIII", data, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    names = []
    for i in range(shnum):
        n = sh(i)[0]
        names.append(data[stroff + n:data.index(b"\0", stroff + n)].decode())
    return data, names


@test("build: out/vmos is a multiboot 32-bit ELF with listings", timeout=10)
def t_build_image(t):
    t.check(os.path.exists(IMAGE), "out/vmos was not built (run make)")
    data, names = elf_sections(IMAGE)
    t.check(data[:4] == b"\x7fELF" and data[4] == 1, "out/vmos is not a 32-bit ELF")
    t.check(struct.unpack_from("<H", data, 0x12)[0] == 3, "out/vmos is not for i386")
    magic = struct.pack("<I", 0x1BADB002)
    off = data.find(magic)
    t.check(0 <= off < 8192 and off % 4 == 0,
            "no multiboot header in the first 8 KiB of the file")
    bad = [n for n in names if n.startswith(".note") or n.startswith(".eh_frame")]
    t.check(not bad, "sections that should be discarded: %s" % bad)
    for f in ("vmos.asm", "vmos.sym"):
        p = os.path.join(REPO_ROOT, "out", f)
        t.check(os.path.exists(p) and os.path.getsize(p) > 0, "out/%s missing" % f)
    t.check(" main" in open(os.path.join(REPO_ROOT, "out", "vmos.sym")).read(),
            "out/vmos.sym has no symbol main")


def fake_path(t, drop=(), wrap=None):
    """A directory of links to the real tools, without those in drop; wrap maps
    a tool to a shell script that replaces it."""
    d = os.path.join(t.log_dir, "bin")
    os.makedirs(d, exist_ok=True)
    for tool in ("gcc", "ld", "objdump", "nm", "make", "qemu-system-i386", "gdb",
                 "python3", "sh", "printf", "id", "cat", "echo"):
        real = subprocess.run(["sh", "-c", "command -v " + tool], capture_output=True,
                              text=True).stdout.strip()
        link = os.path.join(d, tool)
        if os.path.lexists(link):
            os.remove(link)
        if tool in drop or not real:
            continue
        if wrap and tool in wrap:
            with open(link, "w") as f:
                f.write("#!/bin/sh\n" + wrap[tool].replace("REAL", real) + "\n")
            os.chmod(link, 0o755)
        else:
            os.symlink(real, link)
    return d


@test("build: a missing tool is named with its install command", timeout=20)
def t_build_missing_tool(t):
    env = dict(os.environ, PATH=fake_path(t, drop=("qemu-system-i386", "gdb")),
               VMOS_NO_INSTALL="1")
    p = t.spawn(["sh", "tools/checkdeps.sh"], env=env)
    status = p.wait_exit()
    t.check(status != 0, "checkdeps.sh passed without qemu-system-i386 and gdb")
    for want in ("qemu-system-i386", "qemu-system-x86", "gdb", "apt-get install"):
        t.check(want in p.output, "expected '%s' in:\n%s" % (want, p.output))


@test("build: gcc without -m32 support asks for gcc-multilib", timeout=20)
def t_build_no_m32(t):
    wrap = {"gcc": 'for a in "$@"; do [ "$a" = -m32 ] && exit 1; done; exec REAL "$@"'}
    env = dict(os.environ, PATH=fake_path(t, wrap=wrap), VMOS_NO_INSTALL="1")
    p = t.spawn(["sh", "tools/checkdeps.sh"], env=env)
    t.check(p.wait_exit() != 0, "checkdeps.sh passed with a gcc that cannot -m32")
    t.check("gcc-multilib" in p.output, "gcc-multilib not named in:\n" + p.output)


# ---- boot and self-tests ----

@test("boot: banner shows memory size and the boot line", timeout=20)
def t_boot_banner(t):
    q = t.qemu(append=NOVMS + " hello=1", mem=64)
    m = q.expect(r"host kernel up: (\d+) MiB machine memory")
    t.check(60 <= int(m.group(1)) <= 64, "QEMU has 64 MiB; banner says %s" % m.group(1))
    q.expect(r"boot line: " + re.escape(NOVMS + " hello=1"))
    q.expect(r"vmos> ")


SELFTESTS = ["pages", "ticks", "ring1", "ring3", "gate3to1", "hcall", "iobitmap", "wp",
             "usersup", "vga"]
WHAT = {
    "pages": "every page can be allocated and freed",
    "ticks": "the timer ticks",
    "ring1": "code entered in ring 1 runs at CPL 1",
    "ring3": "code entered in ring 3 runs at CPL 3",
    "gate3to1": "a DPL3 trap gate takes ring 3 to ring 1 on the esp1 stack",
    "hcall": "int $0x82 reaches the host from ring 1, #GP 0x412 from ring 3",
    "iobitmap": "the I/O bitmap grants one port and denies another to ring 1",
    "wp": "a ring-1 write to a read-only page faults (CR0.WP)",
    "usersup": "ring 3 cannot read a supervisor page",
    "vga": "the console writes to the VGA screen",
}


def selftest(name):
    @test("selftest %s: %s" % (name, WHAT[name]), timeout=20)
    def t_selftest(t):
        q = t.qemu(append="selftest=" + name)
        m = q.expect(r"selftest %s: (OK|FAIL.*)" % name)
        t.check(m.group(1) == "OK", m.group(0))
        status = q.wait_exit()
        t.check(status == DEBUG_EXIT_PASS,
                "QEMU exit status %d, expected %d (pass)" % (status, DEBUG_EXIT_PASS))
    return t_selftest


for _n in SELFTESTS:
    selftest(_n)


@test("selftest: all together pass and exit QEMU with the pass status", timeout=30)
def t_selftest_all(t):
    q = t.qemu(append="selftest")
    m = q.expect(r"selftest: (\d+) run, (\d+) failed")
    t.check(m.group(2) == "0", "self-tests failed:\n" + q.output)
    t.check(int(m.group(1)) >= len(SELFTESTS), "only %s self-tests ran" % m.group(1))
    t.check(q.wait_exit() == DEBUG_EXIT_PASS, "QEMU did not exit with the pass status")


@test("panic: a fault in the host prints a backtrace with symbol names", timeout=20)
def t_panic(t):
    q = t.qemu(append="selftest=panic")
    q.expect(r"panic: page fault in the host at eip 0x[0-9a-f]+ \(crash_in_host\+0x[0-9a-f]+\)")
    q.expect(r"backtrace:")
    q.expect(r"#\d+ 0x[0-9a-f]+ t_panic\+")
    q.expect(r"#\d+ 0x[0-9a-f]+ selftest_run\+")
    q.expect(r"#\d+ 0x[0-9a-f]+ main\+")
    q.expect(r"host stopped")
    status = q.wait_exit()
    t.check(status == DEBUG_EXIT_FAIL, "QEMU exit status %d, expected %d" % (status, DEBUG_EXIT_FAIL))


@test("boot: too little memory stops with a clear message", timeout=20)
def t_low_memory(t):
    q = t.qemu(append=NOVMS, mem=12)   # (below MINMEM_MB; room for the image, 1,024 VM slots)
    q.expect(r"the host needs at least \d+ MiB")
    q.expect(r"stopped")
    # A triple fault would reset QEMU, which -no-reboot turns into an exit.
    t.check(q.poll() is None, "QEMU exited after the message (a reset?)")


@test("boot line: an unknown option lists the valid ones and boots on", timeout=20)
def t_bad_bootline(t):
    q = t.qemu(append=NOVMS + " bogus=1")
    q.expect(r"unknown option 'bogus'")
    q.expect(r"valid boot options:")
    q.expect(r"selftest")
    q.expect(r"vmos> ")


@test("boot line: a quantum out of range (0, 2^32-1) is refused with its range, the "
      "default used", timeout=30)
def t_bootline_quantum(t):
    for bad in ("0", "4294967295"):
        q = t.qemu(append="vms=mini,mini quantum=%s stopafter=60" % bad)
        q.expect(r"boot line: quantum=%s is out of range \(1 to 100000\), using 10" % bad)
        m = q.expect(r"idle ticks \d+, world switches (\d+), quantum (\d+)\r?\n")
        t.check(m.group(2) == "10", "quantum=%s: the scheduler uses quantum %s"
                % (bad, m.group(2)))
        t.check(int(m.group(1)) >= 3, "quantum=%s: %s world switches in 60 ticks: the VMs "
                "do not take turns" % (bad, m.group(1)))
        q.kill()


@test("boot line: vms= and vms=,,, say that they name no guest", timeout=30)
def t_bootline_novms(t):
    for v in ("", ",,,"):
        q = t.qemu(append="vms=%s" % v)
        q.expect(r"vmos: vms=%s names no guest: no VM booted" % re.escape(v))
        q.expect(r"vmos> ")
        q.kill()


@test("boot line: one longer than the host reads is cut at a word, saying from where",
      timeout=30)
def t_bootline_long(t):
    line = "vms=mini " + "quantum=5 " * 101 + "stopafter=20"      # 1031 characters
    q = t.qemu(append=line)
    m = q.expect(r"boot line: (\d+) characters, more than the \d+ read: everything from "
                 r"'([^']*)' on is ignored")
    t.check(int(m.group(1)) == len(line), "the message says %s characters, the line has %d"
            % (m.group(1), len(line)))
    t.check(m.group(2) in ("quant...", "stopa..."), "it names '%s' as the first word dropped"
            % m.group(2))
    q.expect(r"\[mini\.1\] mini: booted")


@test("boot line: too much memory for a VM says how much is really free", timeout=30)
def t_bootline_nomem_free(t):
    q = t.qemu(append="vms=mini:100M", mem=64)
    m = q.expect(r"not enough memory for VM 1 \(mini\): (\d+) KiB asked, (\d+) KiB free")
    t.check(int(m.group(2)) > 40000, "a 64 MiB machine with no VM reports %s KiB free"
            % m.group(2))


# ---- the monitor ----

def monitor(t):
    q = t.qemu(append=NOVMS)
    q.expect(r"vmos> ")
    return q


@test("monitor: help lists the commands", timeout=20)
def t_mon_help(t):
    q = monitor(t)
    q.send("help\r")
    for cmd in ("help", "mem", "ticks", "reboot", "halt"):
        q.expect(r"\n\s+%s\s" % cmd)
    q.expect(r"vmos> ")


@test("monitor: mem and ticks report pages and a clock that advances", timeout=20)
def t_mon_mem_ticks(t):
    q = monitor(t)
    q.send("mem\r")
    m = q.expect(r"pages: (\d+) total, (\d+) free, (\d+) in use")
    total, free, used = map(int, m.groups())
    t.check(total == free + used and 30000 < total < 33000,
            "128 MiB machine, mem says " + m.group(0))
    q.expect(r"vmos> ")
    q.send("ticks\r")
    first = int(q.expect(r"ticks: (\d+) \(").group(1))
    q.expect(r"vmos> ")
    for _ in range(200):            # bounded: the clock must move within ~seconds
        q.send("ticks\r")
        now = int(q.expect(r"ticks: (\d+) \(").group(1))
        q.expect(r"vmos> ")
        if now > first:
            return
    t.fail("ticks stayed at %d" % first)


@test("monitor: an unknown command prints help", timeout=20)
def t_mon_unknown(t):
    q = monitor(t)
    q.send("frobnicate\r")
    q.expect(r"unknown command 'frobnicate'")
    q.expect(r"\n\s+help\s")
    q.expect(r"vmos> ")


@test("monitor: halt powers the machine off", timeout=20)
def t_mon_halt(t):
    q = monitor(t)
    q.send("halt\r")
    q.expect(r"powering off")
    t.check(q.wait_exit() == 0, "QEMU did not power off cleanly")


@test("monitor: reboot resets the machine (boots again)", timeout=30)
def t_mon_reboot(t):
    # Our own QEMU command line: without -no-reboot, a reset boots again.
    q = t.spawn(["qemu-system-i386", "-kernel", IMAGE, "-append", NOVMS, "-m", "128",
                 "-display", "none", "-serial", "stdio", "-monitor", "none"])
    q.expect(r"host kernel up")
    q.expect(r"vmos> ")
    q.send("reboot\r")
    q.expect(r"rebooting")
    q.expect(r"host kernel up")


# ---- gdb ----

@test("gdb: make qemu-nox-gdb + make gdb: a stop, a backtrace, two more stops, QEMU lives on",
      timeout=60)
def t_gdb(t):
    # The README's two commands; gdb gets its commands on stdin as if typed. The
    # .gdbinit must run once: a second `target remote` would end the session
    # and QEMU with it ("Terminated via GDBstub").
    port = free_port()
    gdbinit = os.path.join(t.log_dir, "gdbinit")
    q = t.spawn(["make", "qemu-nox-gdb", "GDBPORT=%d" % port, "GDBINIT=" + gdbinit,
                 "BOOT=" + NOVMS])
    q.expect(r"Now run 'make gdb' in another terminal \(gdb port %d\)" % port)
    g = t.spawn(["make", "gdb", "GDBINIT=" + gdbinit])
    g.expect(r"\(gdb\) ")

    def gdb(cmd, want, what):
        g.send(cmd + "\n")
        try:
            return g.expect(want, timeout=20)
        except Exception:
            if q.poll() is not None:
                t.fail("%s: QEMU exited: %s" % (what, q.output.strip().splitlines()[-1]))
            raise
    gdb("break kalloc_init", r"Breakpoint 1 at 0x[0-9a-f]+: file kernel/kalloc\.c", "break")
    gdb("continue", r"Breakpoint 1, kalloc_init", "the first stop, at kalloc_init")
    gdb("bt", r"#1\s+0x[0-9a-f]+ in main \(.*\) at vmos/main\.c:\d+", "the backtrace")
    gdb("break monitor_poll", r"Breakpoint 2 at", "break")
    gdb("continue", r"Breakpoint 2, monitor_poll", "the second stop, in the run loop")
    gdb("continue", r"Breakpoint 2, monitor_poll", "the third stop, once more round the loop")
    gdb("detach", r"Detaching from program", "detach")
    t.check(q.poll() is None, "QEMU exited when gdb detached")
    q.send("help\r")                      # the host runs on without gdb
    q.expect(r"\n\s+halt\s")
    t.check("Terminated via GDBstub" not in q.output, "QEMU said: Terminated via GDBstub")
