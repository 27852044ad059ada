// blkbad.c: a flat guest that uses the pv disk's request ring (vmos/abi.h,
// lab 3; host side vmos/vdev_blkring.c) well and then badly; grade/blkring.py
// boots it (BOOT="vms=blkbad:2M:hd0:pv,mini" by hand) beside a mini that must
// keep running.
// In `pv` mode on a disk whose sector n begins with the text "sector n" (the
// test writes it): it reads sector 0 and a whole 64 KiB request in one batch
// and checks what came and that one VIRQ_DISK is pending for the batch; then
// queues one batch of bad requests (a count of 0 and of 129, a buffer outside
// its memory, in the host's and running past its end, sectors beyond the disk
// and wrapping around, an unknown op) and prints each one's status by name;
// then lies about its indices (a req_prod too far ahead, a done_cons that
// consumed completions never produced, both again) until the host stops it.
// Each step prints one line.
#include "guests/hcall.h"

typedef unsigned int uint;

static char shared[4096] __attribute__((aligned(4096)));
static union {
  struct blk_ring r;
  char page[4096];
} ring __attribute__((aligned(4096)));
static char buf[BLK_MAX_SECTORS * DISK_SECTOR];
static char line[120];
static struct vm_info info;

#define hc(nr, a) vmos_hcall(nr, a, 0, 0, 0)

static void
say(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  vmos_hcall(HC_CONSOLE_WRITE, (uint)s, n, 0, 0);
}

// A tiny formatter: %d (signed) and %s only, two arguments at most.
static void
sayf(const char *fmt, int a, int b)
{
  char *p = line, *end = line + sizeof(line) - 1;
  int args[2] = { a, b }, k = 0;
  for (; *fmt && p < end; fmt++) {
    if (*fmt != '%') {
      *p++ = *fmt;
      continue;
    }
    fmt++;
    int v = args[k++ & 1];
    if (*fmt == 's') {
      for (const char *t = (const char *)v; *t && p < end; t++)
        *p++ = *t;
      continue;
    }
    char tmp[12];
    int n = 0, neg = v < 0;
    uint u = neg ? -(uint)v : (uint)v;
    do
      tmp[n++] = '0' + u % 10;
    while ((u /= 10) && n < 11);
    if (neg && p < end)
      *p++ = '-';
    while (n > 0 && p < end)
      *p++ = tmp[--n];
  }
  *p = 0;
  say(line);
}

static int
starts(const char *s, const char *t)
{
  while (*t)
    if (*s++ != *t++)
      return 0;
  return 1;
}

static void
queue(uint id, uint op, uint sector, uint count, uint b)
{
  struct blk_req *q = &ring.r.req[ring.r.req_prod % BLK_NREQ];
  q->id = id;
  q->op = op;
  q->sector = sector;
  q->count = count;
  q->buf = b;
  ring.r.req_prod++;
}

// The completion of request id, consumed; 1000 if there is none.
static int
status(uint id)
{
  int st = 1000;
  for (; ring.r.done_cons != ring.r.done_prod; ring.r.done_cons++) {
    struct blk_done *c = &ring.r.done[ring.r.done_cons % BLK_NREQ];
    if (c->id == id)
      st = c->status;
  }
  return st;
}

void
main(void)
{
  struct vm_shared *sh = (struct vm_shared *)shared;
  hc(HC_SET_SHARED, (uint)shared);     // the virtual IF stays clear: VIRQ_DISK stays pending
  hc(HC_VM_INFO, (uint)&info);
  sayf("blkbad: setup misaligned %d, outside its memory %d\n",
       hc(HC_BLK_SETUP, (uint)&ring + 8), hc(HC_BLK_SETUP, 0x10000000));
  int r = hc(HC_BLK_SETUP, (uint)&ring);
  sayf("blkbad: ring set up: %d (disk of %d sectors)\n", r, info.disk_sectors);
  if (r < 0)
    vmos_hcall(HC_EXIT, 1, (uint)"no ring", 0, 0);

  // Good: sector 0, then 128 sectors from 8 in one request, one notify.
  queue(1, BLK_READ, 0, 1, (uint)buf);
  int taken = hc(HC_BLK_NOTIFY, 0);
  int st1 = status(1);
  int ok = st1 == 1 && starts(buf, "sector 0");
  sh->pending = 0;
  queue(2, BLK_READ, 8, BLK_MAX_SECTORS, (uint)buf);
  queue(3, BLK_WRITE, 1, 1, (uint)buf);           // sector 8's text, onto sector 1
  taken += hc(HC_BLK_NOTIFY, 0);
  int pend = (sh->pending >> VIRQ_DISK) & 1;
  int st2 = status(2);
  ok = ok && st2 == BLK_MAX_SECTORS && starts(buf, "sector 8") &&
       starts(buf + 127 * DISK_SECTOR, "sector 135");
  sayf("blkbad: good requests: %d taken\n", taken, 0);
  say(ok ? "blkbad: good requests read what the disk holds\n" : "blkbad: good requests FAILED\n");
  sayf("blkbad: one batch, virtual disk interrupt pending %d\n", pend, 0);

  // Bad: each completes with an error; the batch is still one notify.
  struct { const char *what; uint op, sector, count, buf; } bad[] = {
    { "no-sectors", BLK_READ, 0, 0, (uint)buf },
    { "too-many-sectors", BLK_READ, 0, BLK_MAX_SECTORS + 1, (uint)buf },
    { "outside-its-memory", BLK_READ, 0, 1, 0x10000000 },
    { "in-host-memory", BLK_READ, 0, 8, 0xC0100000 },
    { "past-its-memory", BLK_READ, 0, 1, 0x401FFF00 },
    { "beyond-the-disk", BLK_READ, info.disk_sectors, 1, (uint)buf },
    { "wrapping-sectors", BLK_READ, 0xFFFFFFFF, 2, (uint)buf },
    { "bad-op", 7, 0, 1, (uint)buf },
  };
  int nbad = sizeof(bad) / sizeof(bad[0]), refused = 0;
  for (int i = 0; i < nbad; i++)
    queue(10 + i, bad[i].op, bad[i].sector, bad[i].count, bad[i].buf);
  taken = hc(HC_BLK_NOTIFY, 0);
  for (uint c = ring.r.done_cons; c != ring.r.done_prod; c++) {
    struct blk_done *d = &ring.r.done[c % BLK_NREQ];
    if (d->id >= 10 && d->id < 10 + (uint)nbad)
      sayf("blkbad: bad request %s: status %d\n", (int)bad[d->id - 10].what, d->status);
    if (d->status < 0)
      refused++;
  }
  ring.r.done_cons = ring.r.done_prod;
  sayf("blkbad: bad requests: %d taken, %d refused\n", taken, refused);

  // And a good one after them: the ring still works.
  queue(30, BLK_READ, 0, 1, (uint)buf);
  hc(HC_BLK_NOTIFY, 0);
  sayf("blkbad: a good request after them: status %d\n", status(30), 0);

  // Lies, until it stops us: a producer index far ahead of the host's; a
  // consumer index that took completions the host never posted; again.
  uint prod = ring.r.req_prod, cons = ring.r.done_cons;
  for (int i = 1; i <= BLK_LIES_MAX + 2; i++) {
    const char *what;
    if (i % 2) {
      what = "req_prod-too-far-ahead";
      ring.r.req_prod = ring.r.req_cons + 1000 * i;
      ring.r.done_cons = cons;
    } else {
      what = "done_cons-ahead-of-done_prod";
      ring.r.req_prod = prod;
      ring.r.done_cons = ring.r.done_prod + 5;
    }
    int r = hc(HC_BLK_NOTIFY, 0);
    sayf("blkbad: lie %s: notify says %d\n", (int)what, r);
  }
  vmos_hcall(HC_EXIT, 0, (uint)"blkbad: still running after its lies", 0, 0);
}
