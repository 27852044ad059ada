# machine.py: the host's data as the vmos gdb commands see it (tools/gdb/vmos):
# the VMs (vms[], nvms), the one whose time slice runs (the host's `current`,
# vmos/sched.c), and the process a guest kernel runs, read from the guest's own
# variables. Types and field offsets come from the DWARF of out/vmos and of the
# guest's ELF file; only names are written here. Read inside `with Physical()`.
import re

import gdb

from .mem import GuestSpace, HostSpace, VmosError, guest_objfile, host_objfile, symbol, \
    symbol_address

# What a guest kernel calls its running process: the variable (a pointer) and
# the fields that name it. mini's variants are built from mini's source.
GUEST_PROCS = {
    "xv6a": ("curproc", "pid", "name"),
    "mini": ("cur", "pid", "name"),
}


class Machine:
    """One look at the host's data."""

    def __init__(self):
        self.obj = host_objfile()
        self.host = HostSpace(self.obj)
        vms = symbol(self.obj, "vms")
        self.vms_addr = symbol_address(vms)
        self.vm_type = vms.type.target()
        self.nvms = int(self.host.var("nvms"))
        self.current_addr = int(self.host.var("current"))

    def vm_addr(self, vmid):
        return self.vms_addr + (vmid - 1) * self.vm_type.sizeof

    def vm(self, vmid):
        if not 1 <= vmid <= self.nvms:
            raise VmosError("vmos: no VM %d (VMs are 1 to %d)" % (vmid, self.nvms))
        return self.host.value(self.vm_addr(vmid), self.vm_type)

    def vm_at(self, addr):
        return self.host.value(addr, self.vm_type)

    def current(self):
        """The VM whose time slice runs, or None (the host idles or boots)."""
        return self.vm_at(self.current_addr) if self.current_addr else None

    def is_current(self, vm):
        return self.vm_addr(int(vm["id"])) == self.current_addr

    def by_cr3(self, cr3):
        for i in range(1, self.nvms + 1):
            vm = self.vm(i)
            if state(vm) != "free" and int(vm["cr3"]) == cr3:
                return vm
        return None

    def process(self, vm):
        """(pid, name) of the process vm's kernel says it runs; None when it runs
        none; a sentence when that cannot be known."""
        name = vm["name"].string()
        kind = "mini" if name.startswith("mini") else name
        if kind not in GUEST_PROCS:
            return "no process known for guest %s" % name
        obj = guest_objfile(name)
        if obj is None:
            return "no symbols for guest %s (vmos guest %s loads them)" % (name, name)
        var, pid_field, name_field = GUEST_PROCS[kind]
        sym = symbol(obj, var)
        g = GuestSpace(self.host, vm)
        try:
            ptr = int(g.value(symbol_address(sym), sym.type))
            if ptr == 0:
                return None
            p = g.value(ptr, sym.type.target())
            pname = p[name_field]
            if pname.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
                pname = g.string(int(pname), 16)
            else:
                pname = pname.string()
        except VmosError as e:
            return "its process cannot be read (%s)" % e
        return int(p[pid_field]), pname


def state(vm):
    """vm->state as the monitor says it: VM_RUNNABLE is runnable."""
    s = str(vm["state"])
    return s[3:].lower() if s.startswith("VM_") else s


def vm_tag(vm):
    return "VM %d (%s.%d)" % (int(vm["id"]), vm["name"].string(), int(vm["id"]))


def describe_process(m, vm):
    p = m.process(vm)
    if p is None:
        return "no process (its kernel runs none)"
    if isinstance(p, str):
        return p
    return "process %d (%s)" % p


def ring():
    """The CPU's privilege level at the stop: 0 the host, 1 a guest kernel, 3 a process."""
    return int(gdb.parse_and_eval("$cs")) & 3


def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFF


def where(addr):
    """'function+offset' for addr from any loaded symbol file, or ''."""
    try:
        b = gdb.block_for_pc(addr)
    except RuntimeError:
        b = None
    while b is not None and b.function is None:
        b = b.superblock
    if b is not None:
        return "%s+%d" % (b.function.name, addr - b.start)
    m = gdb.execute("info symbol 0x%x" % addr, to_string=True).strip()
    if m.startswith("No symbol"):
        return ""
    return re.sub(r" in section .*", "", m).replace(" + ", "+")
