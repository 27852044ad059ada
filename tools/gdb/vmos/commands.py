# commands.py: the vmos gdb commands that look at the machine (tools/gdb/vmos):
# vmos vms, vm N, current, print EXPR, x ADDR, and the ones that load more
# symbols, user NAME and guest NAME. The breakpoints are in once.py.
import os
import re
import struct

import gdb

from .machine import Machine, describe_process, pc, ring, state, vm_tag, where
from .mem import GuestSpace, HostSpace, Physical, VmosError, elf_start, guest_objfile, \
    host_objfile, objfile_of, root, symbol, symbol_address


class Vmos(gdb.Command):
    """The whole machine from the host's data, also while stopped in a guest.
vmos vms          the VMs: id, name, state, counters, the eip each saved
vmos vm N         VM N in full
vmos current      which VM (and process) was running when gdb stopped
vmos print EXPR   a host variable: vmos print current->st.exits
vmos x ADDR [N]   N words of the running guest's memory, through its page tables
vmos user NAME    load xv6a's user program NAME's symbols (out/xv6a/user/_NAME)
vmos guest NAME   load another built-in guest's symbols (out/guests/NAME.elf)
vmos break LOC    a breakpoint that stops once per execution in a guest
vmos breaks       what those breakpoints stopped at and skipped"""

    def __init__(self):
        super().__init__("vmos", gdb.COMMAND_DATA, prefix=True)

    def invoke(self, arg, from_tty):
        gdb.execute("help vmos")


class VmosVms(gdb.Command):
    """vmos vms: the VMs, from the host's vms[] and nvms. Columns: id, name,
state, host ticks it had the CPU, host entries, world switches to it, hidden
page faults, the eip it saved at its last host entry and that entry's trap
number. '*' marks the VM whose time slice runs (the host's current)."""

    def __init__(self):
        super().__init__("vmos vms", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        with Physical():
            m = Machine()
            rows = []
            for i in range(1, m.nvms + 1):
                vm = m.vm(i)
                tf, st = vm["tf"], vm["st"]
                eip = int(tf["eip"])
                rows.append("%s%3d %-12s %-9s %7d %9d %8d %8d  0x%08x %-22s %4d" % (
                    "*" if m.is_current(vm) else " ", i, vm["name"].string(), state(vm),
                    int(st["cpu_ticks"]), int(st["exits"]), int(st["switches_in"]),
                    int(st["hidden_faults"]), eip, where(eip)[:22], int(tf["trapno"])))
        gdb.write(" %3s %-12s %-9s %7s %9s %8s %8s  %-10s %-22s %4s\n" % (
            "id", "name", "state", "ticks", "exits", "switches", "hidden", "eip", "", "trap"))
        gdb.write("".join(r + "\n" for r in rows) or "  no VMs (nvms is 0)\n")


class VmosVm(gdb.Command):
    """vmos vm N: VM N in full, from the host's struct vm: state, memory, the
registers it saved at its last host entry, its process, every counter."""

    def __init__(self):
        super().__init__("vmos vm", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        try:
            vmid = int(arg, 0)
        except ValueError:
            raise VmosError("usage: vmos vm N (a VM id, as vmos vms lists them)")
        with Physical():
            m = Machine()
            lines = show_vm(m, m.vm(vmid))
        gdb.write("".join(line + "\n" for line in lines))


def show_vm(m, vm):
    tf, st = vm["tf"], vm["st"]
    lines = ["%s: %s%s" % (vm_tag(vm), state(vm),
                           " (its time slice runs)" if m.is_current(vm) else "")]
    if state(vm) == "stopped" and int(vm["why"]):
        lines.append("  why: " + m.host.string(int(vm["why"])))
    lines.append("  memory: %u KiB seen at 0x%08x; %s; cr3 0x%x" % (
        int(vm["mem_size"]) // 1024, int(vm["mem_base"]),
        "paged, its page directory at guest-physical 0x%x" % int(vm["gcr3"])
        if int(vm["paged"]) else "flat", int(vm["cr3"])))
    eip = int(tf["eip"])
    lines.append("  saved at its last host entry (trap %d, err 0x%x): eip 0x%08x %s" % (
        int(tf["trapno"]), int(tf["err"]), eip, where(eip)))
    lines.append("    cs 0x%x (ring %d) eflags 0x%x esp 0x%08x ss 0x%x" % (
        int(tf["cs"]), int(tf["cs"]) & 3, int(tf["eflags"]), int(tf["esp"]), int(tf["ss"])))
    lines.append("    " + " ".join("%s 0x%x" % (r, int(tf[r]))
                                   for r in ("eax", "ebx", "ecx", "edx", "esi", "edi", "ebp")))
    lines.append("  slice: %d ticks left; %s" % (int(vm["slice"]), describe_process(m, vm)))
    lines.append("  counters:")
    for f in st.type.fields():
        v = st[f.name]
        if v.type.code == gdb.TYPE_CODE_ARRAY:
            # exit_cause[] and exit_tsc[] are indexed by enum exitcause (vmos/vm.h).
            names = cause_names(m.obj, v.type.range()[1] + 1)
            v = ", ".join("%s %d" % (c, int(v[i])) for i, c in enumerate(names))
        lines.append("    %-15s %s" % (f.name, v))
    return lines


def cause_names(obj, n):
    names = [str(i) for i in range(n)]
    try:
        t = gdb.lookup_type("enum exitcause", symbol(obj, "vms").symtab.static_block())
    except gdb.error:
        return names
    for f in t.fields():
        if 0 <= f.enumval < n:
            names[f.enumval] = f.name[2:].lower() if f.name.startswith("X_") else f.name
    return names


class VmosCurrent(gdb.Command):
    """vmos current: which VM was running when gdb stopped (the host's current,
checked against CR3), in which ring, and which process its kernel runs."""

    def __init__(self):
        super().__init__("vmos current", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        gdb.write(current_text() + "\n")


def current_text():
    r, eip = ring(), pc()
    cr3 = int(gdb.parse_and_eval("$cr3"))
    at = ("at 0x%08x %s" % (eip, where(eip))).rstrip()
    with Physical():
        m = Machine()
        vm = m.current()
        if r == 0:
            if vm is None:
                return "the host (ring 0) %s; no VM's time slice runs" % at
            return "the host (ring 0) %s, in the time slice of %s; %s" % (
                at, vm_tag(vm), describe_process(m, vm))
        by_cr3 = m.by_cr3(cr3)
        if vm is None or int(vm["cr3"]) != cr3:
            return "ring %d %s, in cr3 0x%x (%s), but the host's current is %s" % (
                r, at, cr3, vm_tag(by_cr3) if by_cr3 is not None else "no VM's",
                vm_tag(vm) if vm is not None else "0")
        who = "its kernel (ring 1)" if r == 1 else "a process (ring 3)"
        return "%s: %s %s; %s" % (vm_tag(vm), who, at, describe_process(m, vm))


class VmosPrint(gdb.Command):
    """vmos print EXPR: a host variable, read from machine memory, so that it
works while stopped inside a guest too (where print cannot reach the host).
EXPR is a host global followed by .field, ->field and [index], after an
optional '*': vmos print current->st.exits, vmos print vms[1].name."""

    def __init__(self):
        super().__init__("vmos print", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        expr = arg.strip()
        tokens = re.findall(r"->|[.*\[\]]|\w+|\S", expr)
        deref = tokens[:1] == ["*"]
        tokens = tokens[1:] if deref else tokens
        if not tokens or not re.fullmatch(r"[A-Za-z_]\w*", tokens[0]):
            raise VmosError("usage: vmos print [*]VAR[.field|->field|[index]]...")
        with Physical():
            host = HostSpace(host_objfile())
            sym = symbol(host.obj, tokens[0])
            addr, typ = symbol_address(sym), sym.type
            i = 1
            while i < len(tokens):
                op = tokens[i]
                arg = tokens[i + 1] if i + 1 < len(tokens) else None
                if op == "->" and arg:
                    addr, typ = pointee(host, addr, typ, expr)
                    addr, typ = field(addr, typ, arg)
                elif op == "." and arg:
                    addr, typ = field(addr, typ, arg)
                elif op == "[" and arg and re.fullmatch(r"\d+|0x[0-9a-fA-F]+", arg) and \
                        tokens[i + 2:i + 3] == ["]"]:
                    if typ.strip_typedefs().code == gdb.TYPE_CODE_PTR:
                        addr, typ = pointee(host, addr, typ, expr)
                    elif typ.strip_typedefs().code == gdb.TYPE_CODE_ARRAY:
                        typ = typ.strip_typedefs().target()
                    else:
                        raise VmosError("vmos: %s is not an array or a pointer" % typ)
                    addr += int(arg, 0) * typ.sizeof
                    i += 1
                else:
                    raise VmosError("vmos: cannot read '%s' at '%s' (use .field, ->field, "
                                    "[index])" % (expr, " ".join(tokens[i:])))
                i += 2
            if deref:
                addr, typ = pointee(host, addr, typ, expr)
            v = host.value(addr, typ)
            text = v.format_string()
            t = typ.strip_typedefs()
            if t.code == gdb.TYPE_CODE_PTR and t.target().sizeof == 1 and int(v):
                text += ' "%s"' % host.string(int(v))
        gdb.write("%s = %s\n" % (expr, text))


def pointee(host, addr, typ, expr):
    t = typ.strip_typedefs()
    if t.code != gdb.TYPE_CODE_PTR:
        raise VmosError("vmos: %s is not a pointer (in %s)" % (typ, expr))
    p = int(host.value(addr, typ))
    if p == 0:
        raise VmosError("vmos: a null pointer in %s" % expr)
    return p, t.target()


def field(addr, typ, name):
    t = typ.strip_typedefs()
    if t.code not in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        raise VmosError("vmos: %s is not a struct (no field %s)" % (typ, name))
    for f in t.fields():
        if f.name == name:
            if f.bitpos % 8 or f.bitsize:
                raise VmosError("vmos: %s is a bit field" % name)
            return addr + f.bitpos // 8, f.type
    raise VmosError("vmos: %s has no field %s" % (typ, name))


class VmosX(gdb.Command):
    """vmos x ADDR [N]: N (default 4) words of the running VM's memory from
guest-virtual ADDR (an expression: $esp, &var), through the guest's own page
tables. gdb's x reads through the shadow page tables, which lack every page the
guest has not touched since its last page-directory load."""

    def __init__(self):
        super().__init__("vmos x", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if len(words) not in (1, 2):
            raise VmosError("usage: vmos x ADDR [N]")
        addr = int(gdb.parse_and_eval(words[0])) & 0xFFFFFFFF
        n = int(words[1], 0) if len(words) == 2 else 4
        if not 0 < n <= 1024:
            raise VmosError("vmos: N must be 1 to 1024 words")
        with Physical():
            m = Machine()
            vm = m.current()
            if vm is None:
                raise VmosError("vmos: no VM's time slice runs")
            data = GuestSpace(m.host, vm).read(addr, 4 * n)
            tag = vm_tag(vm)
        for i in range(0, n, 4):
            ws = struct.unpack_from("<%dI" % min(4, n - i), data, 4 * i)
            gdb.write("%s 0x%08x: %s\n" % (tag, addr + 4 * i, " ".join("0x%08x" % w for w in ws)))


class VmosUser(gdb.Command):
    """vmos user NAME: load the symbols of xv6a's user program NAME
(out/xv6a/user/_NAME) in place of the last one loaded: every user program is
linked at 0. vmos break in it then stops only in processes running NAME.
Without NAME: which one is loaded and which exist."""
    loaded = None

    def __init__(self):
        super().__init__("vmos user", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        d = os.path.join(root(), "out", "xv6a", "user")
        name = arg.strip()
        have = sorted(f[1:] for f in os.listdir(d) if f.startswith("_")) \
            if os.path.isdir(d) else []
        if not name:
            gdb.write("loaded: %s\nprograms: %s\n" % (VmosUser.loaded or "none",
                                                      " ".join(have) or "none (run make)"))
            return
        path = os.path.join(d, "_" + name)
        if name not in have:
            raise VmosError("vmos: no program %s (no %s); the programs: %s"
                            % (name, path, " ".join(have)))
        if VmosUser.loaded and objfile_of(os.path.join(d, "_" + VmosUser.loaded)) is not None:
            gdb.execute("remove-symbol-file %s" % os.path.join(d, "_" + VmosUser.loaded),
                        to_string=True)
        gdb.execute("add-symbol-file %s" % path, to_string=True)
        VmosUser.loaded = name
        gdb.write("vmos: symbols of xv6a's %s loaded (%s)\n" % (name, path))


class VmosGuest(gdb.Command):
    """vmos guest NAME: load the symbols of built-in guest NAME
(out/guests/NAME.elf) in place of a loaded one linked at the same address
(mini, its variants and bench at 0x40000000; xv6a and pgtest at 0x80100000)."""

    def __init__(self):
        super().__init__("vmos guest", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        d = os.path.join(root(), "out", "guests")
        have = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".elf")) \
            if os.path.isdir(d) else []
        name = arg.strip()
        if name not in have:
            raise VmosError("usage: vmos guest NAME; the built-in guests: %s" % " ".join(have))
        path = os.path.join(d, name + ".elf")
        start = elf_start(path)
        for other in have:
            o = guest_objfile(other)
            if other != name and o is not None and elf_start(o.filename) == start:
                gdb.execute("remove-symbol-file %s" % o.filename, to_string=True)
        if guest_objfile(name) is None:
            gdb.execute("add-symbol-file %s" % path, to_string=True)
        gdb.write("vmos: symbols of guest %s loaded (%s, from 0x%x)\n" % (name, path, start))


for _c in (Vmos, VmosVms, VmosVm, VmosCurrent, VmosPrint, VmosX, VmosUser, VmosGuest):
    _c()
