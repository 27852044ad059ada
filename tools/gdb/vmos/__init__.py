# tools/gdb/vmos: gdb's view of the whole machine, for `make gdb`; the .gdbinit
# that tools/gdbinit.tmpl makes imports it. Its commands (`help vmos` in gdb):
#   vmos vms            the VMs from the host's data: id, name, state, counters, eip
#   vmos vm N           one VM in full: saved registers, memory, every counter
#   vmos current        which VM (and which of its processes) was running at the stop
#   vmos print EXPR     a host variable, also while stopped inside a guest
#   vmos x ADDR [N]     words of the running guest's memory, through its own page tables
#   vmos user NAME      the symbols of xv6a's user program NAME (out/xv6a/user/_NAME)
#   vmos guest NAME     the symbols of another built-in guest (out/guests/NAME.elf)
#   vmos break LOC      a breakpoint that stops once per execution of a guest instruction
#   vmos breaks         those breakpoints: stops, re-executions skipped
# The files: mem.py reads machine memory and translates addresses, machine.py
# reads the host's data (VMs, the running one, a guest's process), commands.py
# and once.py are the commands. Used in every lab (labs/*.md, README "Debugging").
from . import commands, once  # noqa: F401  (importing them defines the commands)
