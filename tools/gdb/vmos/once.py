# once.py: breakpoints in guests that stop once per execution of the
# instruction (vmos break, vmos breaks; tools/gdb/vmos). Under shadow paging an
# instruction can arrive at its breakpoint more than once: it faults on a page
# the host's shadow does not have yet, the host fills the shadow (a hidden
# fault, which the guest never sees) and the guest runs the same instruction
# again. A plain gdb breakpoint stops each time; these stop once.
import os
import re

import gdb

from .commands import VmosUser
from .machine import Machine, pc, ring, state
from .mem import Physical, VmosError, elf_start, elf_symbols, guest_objfile, host_objfile, \
    root, symbol, symbol_address


class OnceBreakpoint(gdb.Breakpoint):
    """A breakpoint in a guest that stops once each time the instruction runs.
Under shadow paging the instruction at a breakpoint can fault on a page the
host's shadow does not have yet (its own page, or a page it reads or writes):
the host fills the shadow (a hidden fault, which the guest never sees) and
returns to the same instruction, which arrives at the breakpoint again; a
virtual interrupt may even run the guest's handler first. QEMU checks
breakpoints before it fetches the instruction, so each such fault comes after
an arrival. What the instruction did after an arrival is learnt from the host
(Watch): if the VM's next page fault in the host is at this eip and the host
keeps it to itself (vm->st.hidden_faults moves), the instruction has not run;
the next arrival of the same VM and process here is that same execution again
and does not stop. A fault the host reflects to the guest is the guest's own,
as on bare hardware: the arrival after it stops."""

    def __init__(self, spec, program=None):
        super().__init__(spec)
        self.program = program       # user code: stop only in processes running it
        self.rerun = set()           # (vm id, pid, eip): to run again after a hidden fault
        self.reexecutions = 0
        self.other = 0               # arrivals in other programs, not stopped at

    def stop(self):
        if ring() == 0:
            return True              # the host: nothing re-executes behind gdb's back
        eip = pc()
        with Physical():
            m = Machine()
            vm = m.current()
            if vm is None:
                return True
            p = m.process(vm)
            pid = p[0] if isinstance(p, tuple) else None
            if self.program and isinstance(p, tuple) and p[1] != self.program:
                self.other += 1
                return False
            key = (int(vm["id"]), pid, eip)
            if int(vm["paged"]):
                Watch.get().arm(self, key)
            if key in self.rerun:
                self.rerun.discard(key)
                self.reexecutions += 1
                return False
        return True


class Watch:
    """What became of an instruction after an arrival at a once-per-execution
breakpoint, watched at two host functions through internal breakpoints that
are enabled only while an arrival waits: shadow_fault (every page fault of a
paged guest: vm->tf.eip is where it faulted) and sw_enter (the host resuming
the VM, its fault handled: did vm->st.hidden_faults move?)."""
    the = None

    @classmethod
    def get(cls):
        if cls.the is None:
            cls.the = Watch()
        return cls.the

    def __init__(self):
        self.armed = {}              # vm id -> {eip: (breakpoint, key)} arrivals to follow
        self.faulted = {}            # vm id -> ([(breakpoint, key)], hidden_faults before)
        self.on_fault = WatchPoint(self, "shadow_fault", self.fault)
        self.on_enter = WatchPoint(self, "sw_enter", self.enter)

    def arm(self, bp, key):
        self.armed.setdefault(key[0], {})[key[2]] = (bp, key)
        self.on_fault.enabled = True

    def fault(self, vm):
        arrivals = self.armed.pop(int(vm["id"]), {})
        at = arrivals.get(int(vm["tf"]["eip"]))
        # Any other fault: the instruction ran and the guest went on.
        if at is not None:
            self.faulted[int(vm["id"])] = ([at], int(vm["st"]["hidden_faults"]))
            self.on_enter.enabled = True
        self.on_fault.enabled = bool(self.armed)

    def enter(self, vm):
        got = self.faulted.pop(int(vm["id"]), None)
        if got is not None:
            arrivals, before = got
            if int(vm["st"]["hidden_faults"]) == before + 1:
                for bp, key in arrivals:
                    bp.rerun.add(key)
        self.on_enter.enabled = bool(self.faulted)

    def forget_stopped(self, m):
        """A VM that will not run again leaves nothing to watch for."""
        for waiting in (self.armed, self.faulted):
            for vmid in list(waiting):
                if state(m.vm(vmid)) in ("stopped", "free"):
                    del waiting[vmid]
        self.on_fault.enabled = bool(self.armed)
        self.on_enter.enabled = bool(self.faulted)


class WatchPoint(gdb.Breakpoint):
    """An internal breakpoint at the entry of host function fn(struct vm *vm, ...):
hands the VM to then(vm) and never stops."""

    def __init__(self, watch, fn, then):
        super().__init__("*0x%x" % symbol_address(symbol(host_objfile(), fn)), internal=True)
        self.enabled = False
        self.watch, self.then = watch, then

    def stop(self):
        vm_addr = int(gdb.selected_frame().read_var("vm"))
        with Physical():
            m = Machine()
            self.watch.forget_stopped(m)
            self.then(m.vm_at(vm_addr))
        return False


class VmosBreak(gdb.Command):
    """vmos break LOCATION: a breakpoint (gdb's break syntax) that stops once per
execution of the instruction in a guest, not once more for each hidden page
fault the host takes on the way. After vmos user NAME, a LOCATION in user
memory stops only in processes running NAME, and a LOCATION that is a function
of NAME (or function+offset) means NAME's, not the xv6a kernel's function of
the same name (wait, exit, sleep...). vmos breaks shows what each skipped;
delete and disable work as for any breakpoint."""

    def __init__(self):
        super().__init__("vmos break", gdb.COMMAND_BREAKPOINTS, gdb.COMPLETE_LOCATION)

    def invoke(self, arg, from_tty):
        spec = arg.strip()
        if not spec:
            raise VmosError("usage: vmos break LOCATION (as for break)")
        program = VmosUser.loaded
        m = re.fullmatch(r"\*?([A-Za-z_]\w*)(?:\s*\+\s*(0x[0-9a-fA-F]+|\d+))?", spec)
        if program and m:
            syms = elf_symbols(os.path.join(root(), "out", "xv6a", "user", "_" + program))
            if m.group(1) in syms:
                spec = "*0x%x" % (syms[m.group(1)] + int(m.group(2) or "0", 0))
        b = OnceBreakpoint(spec)
        locs = [loc.address for loc in (b.locations or [])]
        if program and locs and all(a < guest_kernel_start() for a in locs):
            b.program = program
        gdb.write("vmos: breakpoint %d stops once per execution%s\n" % (
            b.number, " in processes running %s" % b.program if b.program else ""))


def guest_kernel_start():
    """Where xv6a's kernel image starts: below it are its processes."""
    o = guest_objfile("xv6a")
    return elf_start(o.filename) if o is not None else 0


class VmosBreaks(gdb.Command):
    """vmos breaks: the vmos breakpoints, how often each stopped and how many
arrivals it skipped as re-executions after a hidden page fault."""

    def __init__(self):
        super().__init__("vmos breaks", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        bs = [b for b in gdb.breakpoints() if isinstance(b, OnceBreakpoint)]
        if not bs:
            gdb.write("no vmos breakpoints (vmos break LOCATION makes one)\n")
        for b in bs:
            gdb.write("breakpoint %d at %s: stopped %d, re-executions skipped %d%s\n" % (
                b.number, b.location, b.hit_count, b.reexecutions,
                ", arrivals in other programs %d (only %s)" % (b.other, b.program)
                if b.program else ""))


for _c in (VmosBreak, VmosBreaks):
    _c()
