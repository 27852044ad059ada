# disk.py: virtual disks in trap mode (suite disk; issue 4). The guest
# guests/disktest drives an IDE disk with plain in/out instructions; in ring 1
# they fault, and the host emulates the controller on the VM's own QEMU drive.
import os

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
    q = t.qemu(append="vms=disktest:2M:hd1,disktest:2M:hd0", extra=drive(a, 0) + drive(b, 1))
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
