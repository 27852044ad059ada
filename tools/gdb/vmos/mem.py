# mem.py: machine memory for the vmos gdb commands (tools/gdb/vmos), whatever
# address space the CPU is in. Stopped inside a guest, the CPU runs on the
# guest's shadow page tables, which map no host memory: `print current->id`
# cannot work there. So everything is read through QEMU's physical-memory mode
# (the gdb packet Qqemu.PhyMemMode:1) and translated here: host addresses
# through the host's page directory (host_pgdir), guest addresses through the
# guest's own page tables (vm->gcr3) and the VM's guest-physical map (vm->pmap),
# as vmos/shadow.c walks them. Also: finding symbol files and their symbols.
import os
import struct

import gdb

PTE_P, PTE_PS = 0x001, 0x080        # x86 page-table entry bits
PGSIZE = 4096


class VmosError(gdb.GdbError):
    """A vmos command's error: gdb prints the message, without a traceback."""


# ---- symbol files ----

def root():
    """The tree the .gdbinit was made for (it sets $vmos_root); else gdb's directory."""
    v = gdb.convenience_variable("vmos_root")
    return v.string() if v is not None else os.getcwd()


def objfile_of(path):
    path = os.path.realpath(path)
    for o in gdb.objfiles():
        if o.filename and os.path.realpath(o.filename) == path:
            return o
    return None


def host_objfile():
    o = objfile_of(os.path.join(root(), "out", "vmos"))
    if o is None:
        raise VmosError("vmos: the host's symbols are not loaded (file out/vmos)")
    return o


def guest_objfile(name):
    return objfile_of(os.path.join(root(), "out", "guests", name + ".elf"))


def symbol(obj, name):
    s = obj.lookup_global_symbol(name) or obj.lookup_static_symbol(name)
    if s is None:
        raise VmosError("vmos: no symbol %s in %s" % (name, os.path.basename(obj.filename)))
    return s


def symbol_address(sym):
    return int(sym.value().address)          # the value is lazy: no memory is read


def elf_segments(path):
    """(vaddr, paddr, writable) of each PT_LOAD segment of a 32-bit ELF file that
    is not empty."""
    with open(path, "rb") as f:
        elf = f.read(4096)
    phoff, = struct.unpack_from("<I", elf, 0x1C)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x2A)
    segs = []
    for i in range(phnum):
        ptype, _, vaddr, paddr, _, memsz, flags, _ = struct.unpack_from(
            "<8I", elf, phoff + i * phentsize)
        if ptype == 1 and memsz > 0:
            segs.append((vaddr, paddr, bool(flags & 2)))
    return segs


def elf_symbols(path):
    """name -> value of the symbols in a 32-bit ELF file's .symtab, which a
    program built without -g also has."""
    with open(path, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x2E)
    syms = {}
    for i in range(shnum):
        _, stype, _, _, off, size, link, _, _, entsize = struct.unpack_from(
            "<10I", data, shoff + i * shentsize)
        if stype != 2 or not entsize:         # SHT_SYMTAB
            continue
        strtab = struct.unpack_from("<10I", data, shoff + link * shentsize)[4]
        for j in range(size // entsize):
            name, value = struct.unpack_from("<II", data, off + j * entsize)
            if name:
                syms[data[strtab + name:data.index(b"\0", strtab + name)].decode()] = value
    return syms


def elf_start(path):
    segs = elf_segments(path)
    return min(s[0] for s in segs) if segs else None


# ---- physical memory ----

class Physical:
    """Inside `with Physical():` gdb's memory reads are of machine memory."""
    depth = 0
    cache = {}                               # page-table entries read in this block

    def __enter__(self):
        if Physical.depth == 0:
            self._mode(1)
        Physical.depth += 1
        return self

    def __exit__(self, *exc):
        Physical.depth -= 1
        if Physical.depth == 0:
            Physical.cache = {}
            self._mode(0)
        return False

    @staticmethod
    def _mode(on):
        if gdb.selected_inferior().pid == 0:
            raise VmosError("vmos: gdb is not attached to QEMU (make qemu-nox-gdb, then make gdb)")
        out = gdb.execute("maintenance packet Qqemu.PhyMemMode:%d" % on, to_string=True)
        if '"OK"' not in out:
            raise VmosError("vmos: QEMU refused its physical-memory mode: %s" % out.strip())
        gdb.execute("maintenance flush dcache", to_string=True)   # read in the other mode


def phys_read(pa, n):
    try:
        return bytes(gdb.selected_inferior().read_memory(pa, n))
    except gdb.MemoryError:
        raise VmosError("vmos: cannot read machine memory at 0x%x" % pa)


def phys_u32(pa):
    v = Physical.cache.get(pa)
    if v is None:
        v = Physical.cache[pa] = struct.unpack("<I", phys_read(pa, 4))[0]
    return v


def walk(pd, va, read32):
    """Where va goes through a two-level x86 page directory at pd (read32 reads
    its entries), or None where nothing is mapped."""
    pde = read32(pd + (va >> 22) * 4)
    if pde is None or not pde & PTE_P:
        return None
    if pde & PTE_PS:                          # a 4 MiB page
        return (pde & 0xFFC00000) | (va & 0x3FFFFF)
    pte = read32((pde & ~0xFFF) + ((va >> 12) & 0x3FF) * 4)
    if pte is None or not pte & PTE_P:
        return None
    return (pte & ~0xFFF) | (va & 0xFFF)


# ---- address spaces ----

class Space:
    """An address space: to_phys(va) (in a subclass), and reads through it."""

    def read(self, va, n):
        out = b""
        while n > 0:
            chunk = min(n, PGSIZE - (va & (PGSIZE - 1)))
            pa = self.to_phys(va)
            if pa is None:
                raise VmosError("vmos: %s maps nothing at 0x%x" % (self.what, va))
            out += phys_read(pa, chunk)
            va, n = va + chunk, n - chunk
        return out

    def value(self, va, typ):
        return gdb.Value(self.read(va, typ.sizeof), typ)

    def u32(self, va):
        return struct.unpack("<I", self.read(va, 4))[0]

    def string(self, va, limit=120):
        s = b""
        while len(s) < limit:
            c = self.read(va + len(s), 1)
            if c == b"\0":
                break
            s += c
        return s.decode("latin-1")


class HostSpace(Space):
    """The host's address space: its page directory (host_pgdir); before
    paging is on, the boot mapping of its image (link minus load address of
    out/vmos's data segment)."""
    what = "the host"

    def __init__(self, obj):
        self.obj = obj
        data = [s for s in elf_segments(obj.filename) if s[2]]
        if not data:
            raise VmosError("vmos: %s has no writable segment" % obj.filename)
        self.image_offset = data[0][0] - data[0][1]
        pgdir = phys_u32(symbol_address(symbol(obj, "host_pgdir")) - self.image_offset)
        self.pd = pgdir - self.image_offset if pgdir else None

    def to_phys(self, va):
        if self.pd is None:
            return va - self.image_offset if va >= self.image_offset else None
        return walk(self.pd, va, phys_u32)

    def var(self, name):
        sym = symbol(self.obj, name)
        return self.value(symbol_address(sym), sym.type)


class GuestSpace(Space):
    """What an address means to a VM's kernel: its own page tables once a paged
    guest has loaded one (HC_SET_PGDIR), else its memory seen from mem_base
    (a flat guest; a paged one on its boot mapping). Guest-physical pages are
    machine pages through vm->pmap."""

    def __init__(self, host, vm):
        self.what = "VM %d" % int(vm["id"])
        self.pmap = host.to_phys(int(vm["pmap"])) if int(vm["pmap"]) else None
        self.size, self.base = int(vm["mem_size"]), int(vm["mem_base"])
        gcr3 = int(vm["gcr3"])
        self.gcr3 = gcr3 if int(vm["paged"]) and gcr3 % PGSIZE == 0 else None

    def machine(self, gpa):
        if gpa is None or gpa >= self.size or self.pmap is None:
            return None
        return walk(self.pmap, gpa, phys_u32)

    def gpa_u32(self, gpa):
        pa = self.machine(gpa)
        return phys_u32(pa) if pa is not None else None

    def to_phys(self, va):
        if self.gcr3 is None:
            gpa = va - self.base if self.base <= va < self.base + self.size else None
        else:
            gpa = walk(self.gcr3, va, self.gpa_u32)
        return self.machine(gpa)
