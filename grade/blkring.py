# blkring.py: the pv disk's request ring (suite blkring; issue 10, item 4;
# vmos/abi.h "The pv disk's request ring", host side vmos/vdev_blkring.c,
# guest side guests/xv6a/ide.c). xv6a with its disk in pv mode reaches it
# through the ring alone (the host's ring counters move, HC_BLOCK_IO and
# emulated I/O do not), one virtual interrupt finishes each batch, the log's
# commit writes each step's blocks in one batch (one notify), and files
# written through it survive a reboot. guests/blkbad then uses the ring well
# and badly beside a mini: every bad request is refused and counted, its lies
# about the indices are refused until the host stops it, naming VM and cause,
# and the mini keeps running.
import os
import re
import shutil

from gradelib import test
from lab1 import enter_monitor, monitor, vm_stats
from xv6a import FSIMG, at, guest, run, shell

ROUNDS = 5                   # diskclock rounds: 20 one-block writes and reads each
TAG = "[xv6a.1] "


def counters(q):
    """The host's counters for VM 1 from the monitor's stats: its exits by cause,
    its disk line and its disk ring line, as {name: n}. Leaves the monitor."""
    enter_monitor(q)
    out = monitor(q, "stats")
    q.send("\x1d")
    s = vm_stats(out).get(1)
    m = re.search(r"disk hd\d: (\d+) commands, (\d+) I/O instructions emulated", out)
    r = re.search(r"disk ring: notifies (\d+), requests (\d+), sectors (\d+), batches (\d+), "
                  r"refused requests (\d+), lying notifies (\d+)", out)
    if not (s and m and r):
        raise AssertionError("no stats for VM 1's disk and disk ring in:\n" + out)
    s.update(disk_cmds=int(m.group(1)), emulated=int(m.group(2)))
    s.update(zip(("notifies", "requests", "sectors", "batches", "refused", "lies"),
                 (int(x) for x in r.groups())))
    return s


def ide_counts(q):
    """xv6a's own disk counts (^P): requests, interrupts, sectors read and
    written, and its ring's notifies, interrupts that found nothing done,
    batches and the writes in them."""
    q.send("\x10")
    m = q.expect(at(TAG) + r"ide: (\d+) requests, (\d+) interrupts, (\d+) lost\r?\n",
                 what="xv6a's disk counts after ^P")
    k = q.expect(at(TAG) + r"ide: sectors read (\d+), written (\d+)\r?\n",
                 what="xv6a's sectors read and written after ^P")
    r = q.expect(at(TAG) + r"ide: ring: (\d+) notifies, (\d+) requests, (\d+) interrupts with "
                 r"nothing done; (\d+) batches of (\d+) writes", what="xv6a's ring line after ^P")
    names = ("requests", "interrupts", "lost", "read", "written", "notifies", "queued",
             "empty", "batches", "batched")
    return dict(zip(names, (int(x) for x in m.groups() + k.groups() + r.groups())))


def marks(q, label):
    """The change of the host's counters between VM 1's marks label-begin and -end."""
    d = {}
    for end in ("begin", "end"):
        m = re.search(r"vmos: mark 1 %s-%s: (.*?)\n" % (label, end), q.output)
        d[end] = dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", m.group(1)))
    return dict((k, d["end"][k] - d["begin"][k]) for k in d["begin"])


def pv_guest(t, img=FSIMG, snapshot=True):
    q = guest(t, "xv6a:32M:hd0:pv,mini", (img,), snapshot=snapshot)
    q.expect(r"VM 1: xv6a, 32768 KiB, disk hd0 \(1000 sectors, pv mode\)")
    q.fail_on(r"stopped VM 1 \(xv6a\.1\): (.*)\n", "xv6a was stopped: {0}")
    q.fail_on(r"panic: (.*)\n", "xv6a panicked: {0}")
    shell(q, TAG)
    return q


def diskclock(q):
    run(q, "diskclock %d" % ROUNDS)
    q.expect(at(TAG) + r"diskclock: %d rounds of disk work.*\n" % ROUNDS)
    q.expect(re.escape(TAG) + r"\$ ", what="the shell's prompt after diskclock")


@test("pv disk: xv6a's file system goes through the ring alone: ring counters move, no "
      "HC_BLOCK_IO, no emulated I/O, one virtual interrupt a batch", timeout=90)
def t_ring_used(t):
    q = pv_guest(t)
    diskclock(q)
    g = ide_counts(q)            # the shell waits: no request is under way
    h = counters(q)
    t.check(all(h[k] > 0 for k in ("notifies", "requests", "sectors", "batches")),
            "the host's disk ring counters should all have moved after diskclock: %r" % h)
    # The ring counts each request it did as a disk command, as HC_BLOCK_IO
    # counts each of its calls: commands beyond the ring's are HC_BLOCK_IO's.
    t.check(h["disk_cmds"] == h["requests"] - h["refused"] and h["refused"] == 0,
            "every disk command should be a ring request: the host did %d disk commands, the "
            "ring %d requests (%d refused)" % (h["disk_cmds"], h["requests"], h["refused"]))
    t.check(h["emulated"] == 0 and h.get("emulate", 0) == 0,
            "pv mode emulated %d I/O instructions" % h["emulated"])
    t.check(g["notifies"] == h["notifies"] and g["queued"] == h["requests"],
            "xv6a made %d notifies of %d requests, the host saw %d of %d"
            % (g["notifies"], g["queued"], h["notifies"], h["requests"]))
    # The host raises VIRQ_DISK once for each notify that posted completions
    # (a batch); xv6a waits for it after each notify, so each batch is one
    # interrupt of its own, which finds its completions waiting.
    t.check(g["interrupts"] == h["batches"] and g["empty"] == 0 and g["lost"] == 0,
            "one virtual disk interrupt a batch: the host posted %d batches, xv6a took %d disk "
            "interrupts, %d of them with nothing done (and %d requests lost)"
            % (h["batches"], g["interrupts"], g["empty"], g["lost"]))
    # Every write is a sector the host moved; reads may come from xv6a's read ahead.
    t.check(h["sectors"] >= g["written"] >= 2 * 20 * ROUNDS,
            "xv6a read %d and wrote %d sectors, the host moved %d for it"
            % (g["read"], g["written"], h["sectors"]))


@test("pv disk: the log's commit writes each step's blocks in one batch, one notify for "
      "all of them", timeout=90)
def t_batched_commit(t):
    q = pv_guest(t)
    g0 = ide_counts(q)
    diskclock(q)
    g1 = ide_counts(q)
    d = marks(q, "diskclock")
    g = dict((k, g1[k] - g0[k]) for k in g0)
    # Each commit: its n blocks to the log (one batch), the header, the n
    # blocks home (one batch), the header again: 4 notifies for 2n + 2
    # writes, where a request at a time cost 2n + 2.
    t.check(g["batches"] >= 2 * 20 * ROUNDS and g["batched"] >= 2 * g["batches"],
            "diskclock's %d writes should commit in batches of the log's blocks, but xv6a made "
            "%d batches of %d writes" % (20 * ROUNDS, g["batches"], g["batched"]))
    saved = g["batched"] - g["batches"]
    t.check(d["blk_notifies"] <= d["blk_requests"] - saved,
            "each batch should cost one notify: between diskclock's marks the host took %d "
            "requests in %d notifies, but xv6a batched %d writes in %d batches (at most %d "
            "notifies)" % (d["blk_requests"], d["blk_notifies"], g["batched"], g["batches"],
                           d["blk_requests"] - saved))
    t.log("diskclock %d: %d sectors written, %d read; %d notifies (%.0f per 1,000 sectors "
          "written; a request a notify: %d)" % (ROUNDS, g["written"], g["read"],
                                                d["blk_notifies"],
                                                1000.0 * d["blk_notifies"] / g["written"],
                                                d["blk_requests"]))


@test("pv disk: a file written through the ring survives a reboot and reads back whole",
      timeout=90)
def t_persist(t):
    img = os.path.join(t.log_dir, "persist.img")
    shutil.copy(FSIMG, img)
    q = pv_guest(t, img, snapshot=False)
    # README.md (40 KiB, more blocks than the buffer cache holds) copied:
    # read ahead on the way in, the log's batches on the way out.
    run(q, "cat README.md > copy; echo kept across boots > keep; wc README.md copy; cat keep")
    a = q.expect(at(TAG) + r"(\d+ \d+ \d+) README\.md\r?\n").group(1)
    b = q.expect(at(TAG) + r"(\d+ \d+ \d+) copy\r?\n").group(1)
    t.check(a == b and int(a.split()[2]) > 30000,
            "the copy of README.md should be as long as it: wc says %s against %s" % (b, a))
    q.expect(at(TAG) + r"kept across boots\r?\n")
    q.kill()                     # no shutdown: the log must have committed already
    q = pv_guest(t, img, snapshot=False)
    run(q, "cat keep; wc copy; grep Paravirtual copy")
    q.expect(at(TAG) + r"kept across boots\r?\n", what="keep's line after the reboot")
    c = q.expect(at(TAG) + r"(\d+ \d+ \d+) copy\r?\n").group(1)
    t.check(c == a, "after the reboot wc says %s of the copy, %s before" % (c, a))


def sectors_image(t):
    """A disk whose sector n begins with the text "sector n" (blkbad checks it)."""
    path = os.path.join(t.log_dir, "sectors.img")
    with open(path, "wb") as f:
        for n in range(2048):
            f.write(("sector %d" % n).encode().ljust(512, b"\0"))
    return path


BAD = {"no-sectors": -1, "too-many-sectors": -1, "outside-its-memory": -2,
       "in-host-memory": -2, "past-its-memory": -2, "beyond-the-disk": -1,
       "wrapping-sectors": -1, "bad-op": -1}


@test("blkbad: good requests work; every bad request and every lying notify is refused and "
      "counted; the third lie stops it by name; the mini beside it keeps running", timeout=60)
def t_blkbad(t):
    img = sectors_image(t)
    q = t.qemu(append="vms=blkbad:2M:hd0:pv,mini",
               extra=["-drive", "file=%s,format=raw,index=0,media=disk" % img])
    q.fail_on(r"panic", "the host panicked")
    tag = r"\[blkbad\.1\] blkbad: "
    q.expect(tag + r"setup misaligned -2, outside its memory -2\r?\n",
             what="HC_BLK_SETUP refusing a misaligned page and one outside the VM (E_FAULT)")
    q.expect(tag + r"ring set up: 0 \(disk of 2048 sectors\)")
    q.expect(tag + r"good requests: 3 taken")
    q.expect(tag + r"good requests read what the disk holds",
             what="a one-sector and a 64 KiB read to bring what the disk holds")
    q.expect(tag + r"one batch, virtual disk interrupt pending 1")
    got = {}
    for _ in BAD:
        m = q.expect(tag + r"bad request (\S+): status (-?\d+)\r?\n")
        got[m.group(1)] = int(m.group(2))
    t.check(got == BAD, "each bad request should complete with its error (E_INVAL -1, E_FAULT "
            "-2): expected %r, got %r" % (BAD, got))
    q.expect(tag + r"bad requests: 8 taken, 8 refused")
    q.expect(tag + r"a good request after them: status 1",
             what="the ring to work again after the bad requests")
    q.expect(tag + r"lie req_prod-too-far-ahead: notify says -1")
    q.expect(tag + r"lie done_cons-ahead-of-done_prod: notify says -1",
             what="a done_cons that consumed completions never posted, refused")
    stop = q.expect(r"vmos: stopped VM 1 \(blkbad\.1\): its disk ring lies: req_prod is too far "
                    r"ahead of req_cons \(0x[0-9a-f]+ against 0x[0-9a-f]+\), 3 times \(eip "
                    r"0x[0-9a-f]+\)\r?\n", what="the third lie to stop blkbad, naming VM, "
                    "cause and eip")
    after = q.output[stop.end():]
    t.check("blkbad: lie" not in after, "blkbad ran on after it was stopped:\n" + after)
    # The mini's clock goes on after the attack.
    u1 = int(q.expect(r"\[mini\.2\] ticker: uptime (\d+)\r?\n").group(1))
    u2 = int(q.expect(r"\[mini\.2\] ticker: uptime (\d+)\r?\n").group(1))
    t.check(u2 > u1, "the mini's ticker did not move on: %d then %d" % (u1, u2))
    enter_monitor(q)
    out = monitor(q, "stats")
    r = re.search(r"^VM 1 \(blkbad\.1\).*?disk ring: notifies (\d+), requests (\d+), sectors "
                  r"(\d+), batches (\d+), refused requests (\d+), lying notifies (\d+)", out,
                  re.M | re.S)
    t.check(r, "no disk ring line for VM 1 in stats:\n" + out)
    notifies, requests, sectors, batches, refused, lies = (int(x) for x in r.groups())
    # 4 good requests (1 + 128 + 1 + 1 sectors), 8 bad ones, 3 lies.
    t.check(refused == 8 and lies == 3 and requests == 12 and sectors == 131,
            "the host should count 12 requests (131 sectors), 8 refused, 3 lying notifies: "
            "%s" % r.group(0).split("\n")[-1])
    t.check(notifies == 7 and batches == 4,
            "7 notifies (4 that posted completions, 3 lies): %d notifies, %d batches"
            % (notifies, batches))
    t.check(re.search(r"^\s+2 mini\.2\s+(runnable|blocked)", monitor(q, "list"), re.M),
            "the mini should still be running")


@test("bench: bench.py --only blk prints the disk table; by counted events the ring enters "
      "the host less per 1,000 sectors read than pass mode takes interrupts", timeout=300)
def t_bench_blk(t):
    p = t.spawn(["python3", "grade/bench.py", "--only", "blk", "--runs", "1"])
    status = p.wait_exit()
    t.check(status == 0, "bench.py --only blk exited %d:\n%s" % (status, p.output[-2000:]))
    rows, kind = {}, None
    for m in re.finditer(r"^(read \(bench disk-read\)|written \(diskclock \d+\))?\s+(trap|pass|pv)"
                         r"\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s", p.output, re.M):
        kind = (m.group(1) or kind).split()[0]
        rows[(kind, m.group(2))] = [int(x) for x in m.groups()[2:]]
    t.check(len(rows) == 6, "expected rows read and written for trap, pass and pv, got %r\n%s"
            % (sorted(rows), p.output))
    # columns: entries, device interrupts, notifies, emulated, polls (per 1,000 sectors)
    for kind in ("read", "written"):
        trap, pas, pv = rows[(kind, "trap")], rows[(kind, "pass")], rows[(kind, "pv")]
        t.check(trap[3] > 0 and pas[3] == 0 and pv[3] == 0,
                "%s: emulated I/O per 1,000 sectors: trap %d, pass %d, pv %d; expected only "
                "trap's" % (kind, trap[3], pas[3], pv[3]))
        t.check(pas[1] >= 1000 and pv[1] == 0 and trap[1] == 0,
                "%s: pass mode should take an interrupt a sector (%d per 1,000), the others "
                "none through the real channel (trap %d, pv %d)" % (kind, pas[1], trap[1], pv[1]))
        t.check(0 < pv[2] < 1000 and trap[2] == pas[2] == 0,
                "%s: notifies per 1,000 sectors: pv %d (expected fewer than a sector each), "
                "trap %d, pass %d" % (kind, pv[2], trap[2], pas[2]))
    pv, pas = rows[("read", "pv")], rows[("read", "pass")]
    t.check(pv[0] < pas[1], "pv: %d host entries per 1,000 sectors read, pass mode %d "
            "interrupts: the ring should enter the host less" % (pv[0], pas[1]))
    t.check(re.search(r"^usertests, whole", p.output, re.M) and
            len(re.findall(r"^\s+(trap|pass|pv)\s+\d+\s+\d+\s+[\d.]+\s+\d+\s*$", p.output,
                           re.M)) == 3, "no usertests rows for the three modes:\n" + p.output)
