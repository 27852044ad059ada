# disk.py: virtual disks in trap mode (suite disk; issue 4). The guest
# guests/disktest drives an IDE disk with plain in/out instructions; in ring 1
# they fault, and the host emulates the controller on the VM's own QEMU drive.
import os
import re

from gradelib import test


def image(t, name, text):
    path = os.path.join(t.log_dir, name)
    with open(path, "wb") as f:
        f.write(text.encode().ljust(512, b"\0") + bytes(512 * 2047))
    return path


def drive(path, index):
    return ["-drive", "file=%s,format=raw,index=%d,media=disk" % (path, index)]


@test("trap mode: a guest's port I/O reads its disk and writes survive a reboot", timeout=40)
def t_persist(t):
    img = image(t, "persist.img", "sector zero of the test disk")
    for boot in (1, 2):
        q = t.qemu(append="vms=disktest:2M:hd0", extra=drive(img, 0), snapshot=False)
        q.expect(r"VM 1: disktest, 2048 KiB, disk hd0 \(2048 sectors, trap mode\)")
        q.expect(r"\[disktest\.1\] disktest: sector 0 says: sector zero of the test disk")
        q.expect(r"\[disktest\.1\] disktest: sector 1 now says: boot %d" % boot)
        q.expect(r"disktest: virtual disk interrupt pending")
        q.expect(r"stopped VM 1 \(disktest\.1\): guest exit 0")
        q.kill()


@test("trap mode: each VM sees only its own disk", timeout=40)
def t_own_disk(t):
    a = image(t, "a.img", "this is disk A")
    b = image(t, "b.img", "this is disk B")
    q = t.qemu(append="vms=disktest:2M:hd2,disktest:2M:hd0", extra=drive(a, 0) + drive(b, 2))
    q.expect(r"\[disktest\.1\] disktest: sector 0 says: this is disk B")
    q.expect(r"\[disktest\.2\] disktest: sector 0 says: this is disk A")


@test("trap mode: emulated I/O is counted per VM", timeout=40)
def t_counted(t):
    img = image(t, "c.img", "count me")
    q = t.qemu(append="vms=disktest:2M:hd0,mini stopafter=150", extra=drive(img, 0))
    m = q.expect(r"VM 1 \(disktest\.1\): exits \d+:.* emulate (\d+);")
    t.check(int(m.group(1)) > 20, "only %s emulated exits" % m.group(1))
    q.expect(r"disk hd0: (\d+) commands, (\d+) I/O instructions emulated")


@test("boot line: a missing or shared disk is refused by name", timeout=30)
def t_bad_disk(t):
    img = image(t, "d.img", "x")
    q = t.qemu(append="vms=disktest:2M:hd3,disktest:2M:hd0,disktest:2M:hd0,mini",
               extra=drive(img, 0))
    q.expect(r"'disktest': there is no disk hd3")
    q.expect(r"'disktest': disk hd0 already belongs to VM 1")
    q.expect(r"\[mini\.2\] mini: booted as VM 2")


def run_mode(t, guest, mode, img):
    q = t.qemu(append="vms=%s:2M:hd0:%s stopafter=100" % (guest, mode), extra=drive(img, 0))
    q.expect(r"disk hd0 \(2048 sectors, %s mode\)" % mode)
    q.expect(r"disktest: sector 0 says: same work")
    q.expect(r"disktest: sector 1 now says: boot 1")
    m = q.expect(r"VM 1 \(%s\.1\): exits (\d+):.* irq (\d+) hcall (\d+) .* emulate (\d+);"
                 % re.escape(guest))
    return [int(x) for x in m.groups()]


@test("disk modes: the same work in trap, pass and pv mode, by host entries", timeout=60)
def t_modes(t):
    res = {}
    for guest, mode in (("disktest", "trap"), ("disktest", "pass"), ("disktest-pv", "pv")):
        res[mode] = run_mode(t, guest, mode, image(t, mode + ".img", "same work"))
    exits, irq, hcall, emulated = res["trap"]
    t.check(emulated > 20, "trap mode emulated only %d instructions" % emulated)
    exits, irq, hcall, emulated = res["pass"]
    t.check(emulated == 0 and irq > 0, "pass mode: %d emulated, %d device IRQs routed; "
            "expected none emulated and its IRQs routed to it" % (emulated, irq))
    exits, irq, hcall, emulated = res["pv"]
    t.check(emulated == 0, "pv mode emulated %d instructions" % emulated)
    t.check(res["pass"][0] < res["trap"][0], "pass (%d entries) should enter the host less "
            "than trap (%d)" % (res["pass"][0], res["trap"][0]))
    t.check(res["pv"][0] < res["trap"][0], "pv (%d entries) should enter the host less than "
            "trap (%d)" % (res["pv"][0], res["trap"][0]))


@test("disk modes: a pass-mode channel belongs to one VM", timeout=30)
def t_pass_exclusive(t):
    a = image(t, "pa.img", "a")
    b = image(t, "pb.img", "b")
    q = t.qemu(append="vms=disktest:2M:hd0:pass,disktest:2M:hd1,mini",
               extra=drive(a, 0) + drive(b, 1))
    q.expect(r"'disktest': disk hd1 shares its IDE channel with VM 1")
    q.expect(r"\[mini\.2\] mini: booted as VM 2")


@test("disk modes: port I/O without a trap-mode disk is the guest's own #GP", timeout=30)
def t_pv_no_ports(t):
    img = image(t, "np.img", "x")
    q = t.qemu(append="vms=disktest:2M:hd0:pv,mini", extra=drive(img, 0))
    q.expect(r"stopped VM 1 \(disktest\.1\): general protection \(trap 13\) in the guest "
             r"kernel with no handler registered")
    q.expect(r"\[mini\.2\] mini: booted as VM 2")
