// ide.c: the host's driver for QEMU's IDE disks (PIO, LBA28, polled). The two
// legacy channels give four drives: 0 and 1 on 0x1F0 (IRQ 14), 2 and 3 on 0x170
// (IRQ 15). vmos gives each VM that has a disk one whole drive (vdev_disk.c).
// Polling is enough here: the host runs with interrupts off anyway, and waits
// for each sector (QEMU completes it in its own time; the waits are counted,
// ide_polls), pausing between two reads of a busy drive's status (see
// wait_ready: polling at full speed slowed QEMU's own completion).
// (ide_rwn: up to 256 sectors in one READ/WRITE MULTIPLE command, 16 a data
// block: QEMU then does one I/O per 16 sectors, where ide_rw does one a sector.)
#include "types.h"
#include "defs.h"
#include "x86.h"

#define SECTOR 512
#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DF   0x20
#define ST_DRQ  0x08
#define ST_ERR  0x01
#define CMD_READ     0x20
#define CMD_WRITE    0x30
#define CMD_FLUSH    0xE7
#define CMD_IDENTIFY 0xEC
#define CMD_READ_MULT  0xC4
#define CMD_WRITE_MULT 0xC5
#define CMD_SET_MULT   0xC6
#define MULT 16

static const u16 base[2] = { 0x1F0, 0x170 };
static const u16 ctrl[2] = { 0x3F6, 0x376 };
static u32 nsectors[IDE_NDRIVES];        // 0: no drive

uint ide_polls;                          // status reads while waiting (stats, bench)

// How long a command may keep the drive busy, in status reads (each an exit
// to QEMU, ~0.1-1 us): QEMU does disk I/O in a thread of its own, which a
// loaded machine may not run for a long while, so the bound is seconds, not
// the 0.1 s that 1M reads once were (a busy CI machine hit that).
#define WAIT_POLLS 5000000
#define POLL_PAUSE 100       // pauses between two status reads of a busy drive

// Wait until the channel is not busy; -1 on error or after too long.
static int
wait_ready(int ch, int need_drq)
{
  for (int i = 0; i < WAIT_POLLS; i++) {
    ide_polls++;
    u8 s = inb(base[ch] + 7);
    if (s == 0xFF)
      return -1;                           // no controller
    if (s & ST_BSY) {
      // Not at once again: each status read is an exit into QEMU's device
      // model, which holds the lock its I/O thread needs to finish the very
      // command we wait for. A short pause between reads lets it.
      for (int k = 0; k < POLL_PAUSE; k++)
        asm volatile("pause");
      continue;
    }
    if (s & (ST_ERR | ST_DF))
      return -1;
    if (!need_drq || (s & ST_DRQ))
      return 0;
  }
  kprintf("vmos: IDE channel %d: still busy after %u status reads\n", ch, WAIT_POLLS);
  return -1;
}

static void
select_lba(int drive, u32 lba, int count)
{
  int ch = drive / 2;
  outb(ctrl[ch], 0x02);                    // nIEN: no interrupts, we poll
  outb(base[ch] + 2, count);
  outb(base[ch] + 3, lba);
  outb(base[ch] + 4, lba >> 8);
  outb(base[ch] + 5, lba >> 16);
  outb(base[ch] + 6, 0xE0 | ((drive & 1) << 4) | ((lba >> 24) & 0x0F));
}

void
ide_init(void)
{
  for (int d = 0; d < IDE_NDRIVES; d++) {
    int ch = d / 2;
    u16 id[256];
    nsectors[d] = 0;
    if (inb(base[ch] + 7) == 0xFF)
      continue;
    outb(ctrl[ch], 0x02);
    outb(base[ch] + 6, 0xA0 | ((d & 1) << 4));
    outb(base[ch] + 7, CMD_IDENTIFY);
    if (inb(base[ch] + 7) == 0 || wait_ready(ch, 1) < 0)
      continue;                            // nobody there (or an ATAPI drive)
    for (int i = 0; i < 256; i++)
      id[i] = inw(base[ch]);
    nsectors[d] = id[60] | (u32)id[61] << 16;
  }
  for (int d = 0; d < IDE_NDRIVES; d++) {
    if (!nsectors[d])
      continue;
    int ch = d / 2;
    outb(ctrl[ch], 0x02);
    outb(base[ch] + 2, MULT);
    outb(base[ch] + 6, 0xE0 | ((d & 1) << 4));
    outb(base[ch] + 7, CMD_SET_MULT);
    if (wait_ready(ch, 0) < 0)
      kprintf("vmos: hd%d: no multiple mode\n", d);
  }
  for (int ch = 0; ch < 2; ch++)       // leave each channel on its master drive
    if (inb(base[ch] + 7) != 0xFF)
      outb(base[ch] + 6, 0xE0);
}

// Sectors on drive d; 0 if there is no such drive.
u32
ide_size(int d)
{
  return d >= 0 && d < IDE_NDRIVES ? nsectors[d] : 0;
}

// Read or write one 512-byte sector. 0, or -1 on a device error.
int
ide_rw(int d, u32 lba, void *buf, int write)
{
  if (d < 0 || d >= IDE_NDRIVES || lba >= nsectors[d])
    return -1;
  int ch = d / 2;
  if (wait_ready(ch, 0) < 0)
    return -1;
  select_lba(d, lba, 1);
  outb(base[ch] + 7, write ? CMD_WRITE : CMD_READ);
  if (wait_ready(ch, 1) < 0)
    return -1;
  u16 *w = buf;
  for (int i = 0; i < SECTOR / 2; i++) {
    if (write)
      outw(base[ch], w[i]);
    else
      w[i] = inw(base[ch]);
  }
  // A write is done when the drive has taken the sector (not busy any more);
  // like a real drive it may still be in its cache until a flush (ide_flush).
  return wait_ready(ch, 0);
}

// The drive's write cache onto the medium (a guest's FLUSH CACHE command).
int
ide_flush(int d)
{
  if (d < 0 || d >= IDE_NDRIVES || nsectors[d] == 0)
    return -1;
  int ch = d / 2;
  if (wait_ready(ch, 0) < 0)
    return -1;
  outb(ctrl[ch], 0x02);
  outb(base[ch] + 6, 0xE0 | ((d & 1) << 4));
  outb(base[ch] + 7, CMD_FLUSH);
  return wait_ready(ch, 0);
}

// n sectors (1..256) in READ/WRITE MULTIPLE: one command, a data block of
// MULT sectors at a time.
int
ide_rwn(int d, u32 lba, void *buf, u32 n, int write)
{
  if (d < 0 || d >= IDE_NDRIVES || n == 0 || n > 256 || lba >= nsectors[d] ||
      n > nsectors[d] - lba)
    return -1;
  int ch = d / 2;
  if (wait_ready(ch, 0) < 0)
    return -1;
  select_lba(d, lba, n & 0xFF);
  outb(base[ch] + 7, write ? CMD_WRITE_MULT : CMD_READ_MULT);
  u8 *p = buf;
  for (u32 done = 0; done < n; ) {
    u32 k = n - done < MULT ? n - done : MULT;
    if (wait_ready(ch, 1) < 0)
      return -1;
    u32 words = k * SECTOR / 2;
    if (write)
      asm volatile("cld; rep outsw" : "+S"(p), "+c"(words) : "d"(base[ch]) : "memory");
    else
      asm volatile("cld; rep insw" : "+D"(p), "+c"(words) : "d"(base[ch]) : "memory");
    done += k;
  }
  return wait_ready(ch, 0);
}
