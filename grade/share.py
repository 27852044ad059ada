
from gradelib import test
from lab1 import enter_monitor, monitor
@test("smoke", timeout=120)
def t_smoke(t):
    q = t.qemu(append="vms=mini*8,xv6a:32M:hd0,xv6a:32M:hd2", extra=["-drive","file=out/xv6a/fs.img,format=raw,index=0","-drive","file=out/xv6a/fs.img,format=raw,index=2"])
    from xv6a import expect_all
    expect_all(q, [r"\[xv6a\.9\] (?:\$ )*init: starting sh", r"\[xv6a\.10\] (?:\$ )*init: starting sh"])
    enter_monitor(q)
    print(monitor(q, "mem"))
    print(monitor(q, "share"))
    print(monitor(q, "mem"))
    print(monitor(q, "stats")); t.check(False, "show")
