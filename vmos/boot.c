// boot.c: from the boot line to running VMs. Called once by main() after the
// host kernel is up. The boot line names the guests:
//   vms=NAME[:FIELD]...,...   images to boot, one VM each (vms=none: no VMs); the
//                             fields, in any order: SIZE; hdN, QEMU's disk N, and
//                             after it its MODE trap (default), pass or pv
//                             (vdev_disk.c); com2, the second serial port in
//                             pass mode (vdev_serial.c); pc, a virtual PC
//                             (vmos/vpc/: 8259s, PIT, COM1, for in/out in trap
//                             mode); route, swap or defer,
//                             its interrupt mode (irq.c); shadow or direct, a
//                             paged guest's memory mode (shadow.c, direct.c).
//                             A spec ending *N
//                             boots N such VMs (mini*200)
//   vmmem=SIZE                memory of a VM that names no size (default 2M)
//   irq=route|swap|defer      interrupt mode of a VM that names none (default route)
//   mmu=shadow|direct         memory mode of a paged VM that names none (default
//                             shadow); a flat or trap-mode guest has neither
//   quantum=N                 time slice in host ticks (sched.c)
//   idle=halt|spin            how guests idle: HC_IDLE (halt, the default), or
//                             spinning with interrupts on (spin: for comparison;
//                             told to guests in vm_info.idle_spin, idle.c)
// A VM that cannot be created (unknown image, bad ELF, no memory) is reported by
// name and skipped: the others still boot.
#include "types.h"
#include "defs.h"
#include "param.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"
#include "vmos/vpc/vpc.h"

BOOTOPT(vms, "vms", "guests to boot: NAME[:SIZE][:hdN[:trap|pass|pv]][:com2][:pc][:route|swap|defer][:shadow|direct][*COUNT],... (default " DEFAULT_VMS "; none: no VMs)");
BOOTOPT(vmmem, "vmmem", "memory of each VM that names no size, e.g. 2M, 512K (default 2M)");
BOOTOPT(idle, "idle", "how guests idle: halt (default: HC_IDLE, the host takes the CPU back) or spin (they spin with interrupts on, for comparison)");
BOOTOPT(mmu, "mmu", "memory mode of each paged VM that names none: shadow (default: shadow page tables) or direct (the guest's own, pinned and updated by hypercall)");
BOOTOPT(irq, "irq", "interrupt mode of each VM that names none: route (default), swap or defer");

// "2M", "512K", "1048576" -> bytes; 0 if malformed.
static u32
parse_size(const char *s)
{
  char num[16];
  int n = 0;
  while (s[n] >= '0' && s[n] <= '9' && n < 15)
    n++;
  memmove(num, s, n);
  num[n] = 0;
  uint v;
  if (n == 0 || !parse_uint(num, &v))
    return 0;
  if ((s[n] == 'M' || s[n] == 'm') && s[n + 1] == 0 && v < 1024)
    return v << 20;
  if ((s[n] == 'K' || s[n] == 'k') && s[n + 1] == 0 && v < 1024 * 1024)
    return v << 10;
  return s[n] == 0 ? v : 0;
}

static const char *modes[] = { [DISK_TRAP] "trap", [DISK_PASS] "pass", [DISK_PV] "pv" };
static const char *irqmodes[] = { [IRQ_ROUTE] "route", [IRQ_SWAP] "swap", [IRQ_DEFER] "defer" };

// "route", "swap", "defer" -> IRQ_*; -1 if none of them.
static int
parse_irqmode(const char *s)
{
  for (int m = 0; m < NELEM(irqmodes); m++)
    if (strcmp(s, irqmodes[m]) == 0)
      return m;
  return -1;
}

static int dflt_irqmode = IRQ_ROUTE;
static int dflt_mmu = -1;            // -1: none asked (shadow for a paged guest)
static const char *mmunames[] = { [MMU_SHADOW] "shadow", [MMU_DIRECT] "direct" };

static int
parse_mmu(const char *s)
{
  for (int m = 0; m < NELEM(mmunames); m++)
    if (strcmp(s, mmunames[m]) == 0)
      return m;
  return -1;
}

#define MAXFIELDS 8

// One VM from "NAME[:FIELD]...". Errors name what was asked.
static void
boot_one(char *spec, u32 dflt_mem)
{
  char *field[MAXFIELDS] = { spec };
  int n = 1;
  for (char *p = spec; *p; p++)
    if (*p == ':') {
      if (n == MAXFIELDS) {
        kprintf("vmos: '%s': more than %d fields\n", spec, MAXFIELDS - 1);
        return;
      }
      *p = 0;
      field[n++] = p + 1;
    }
  const char *name = field[0];
  u32 mem = dflt_mem;
  int drive = -1, mode = DISK_TRAP, com2 = 0, pc = 0, irqmode = dflt_irqmode, mmu = -1;
  for (int i = 1; i < n; i++) {
    uint d;
    int m;
    if (field[i][0] == 'h' && field[i][1] == 'd' && parse_uint(field[i] + 2, &d) &&
        d < IDE_NDRIVES) {
      drive = d;
    } else if (strcmp(field[i], "trap") == 0 || strcmp(field[i], "pass") == 0 ||
               strcmp(field[i], "pv") == 0) {
      if (drive < 0) {
        kprintf("vmos: '%s': disk mode '%s' without a disk hdN before it; not booted\n",
                name, field[i]);
        return;
      }
      mode = field[i][1] == 'r' ? DISK_TRAP : field[i][1] == 'a' ? DISK_PASS : DISK_PV;
    } else if (strcmp(field[i], "com2") == 0) {
      com2 = 1;
    } else if (strcmp(field[i], "pc") == 0) {
      pc = 1;
    } else if ((m = parse_irqmode(field[i])) >= 0) {
      irqmode = m;
    } else if ((m = parse_mmu(field[i])) >= 0) {
      mmu = m;
    } else if ((mem = parse_size(field[i])) < VM_MINMEM) {
      kprintf("vmos: '%s': bad field '%s' (a size of at least %u KiB like 2M, a disk hdN "
              "and its mode trap/pass/pv, com2, pc, an interrupt mode route/swap/defer, or a "
              "memory mode shadow/direct)\n",
              name, field[i], VM_MINMEM / 1024);
      return;
    }
  }
  struct vm *vm = vm_alloc(name, mem);
  if (vm == 0)
    return;
  vm->irq_mode = irqmode;
  if (load_guest(vm, name) < 0) {
    kprintf("vmos: '%s' not booted\n", name);
    vm_discard(vm);
    return;
  }
  if (vm->trapmode) {
    // A PC kernel (trap mode, vmos/emul/) reaches its devices with in/out
    // only: its disk is a trap-mode one, and every interrupt is a virtual
    // one of its virtual 8259 (route).
    vm->irq_mode = irqmode = IRQ_ROUTE;
    if ((drive >= 0 && mode != DISK_TRAP) || com2) {
      kprintf("vmos: '%s' is a PC kernel (trap mode): its disk can only be in trap mode, "
              "and it has no COM2; not booted\n", name);
      vm_discard(vm);
      return;
    }
  }
  // Direct paging needs a guest that keeps page tables of its own and makes
  // hypercalls: a paged pv kernel (xv6a), not a flat one nor a PC kernel.
  if (mmu == MMU_DIRECT && (!vm->paged || vm->trapmode)) {
    kprintf("vmos: '%s': memory mode 'direct' needs a paged guest that makes hypercalls "
            "(this is a %s); not booted\n", name, vm->trapmode ? "PC kernel (trap mode)"
            : "flat guest");
    vm_discard(vm);
    return;
  }
  if (mmu < 0 && vm->paged && !vm->trapmode && dflt_mmu >= 0)
    mmu = dflt_mmu;                  // (mmu= applies to the guests it fits)
  // (Its own tables name machine frames: every page of it its own first,
  // none the zero page nor ever shared, share.c.)
  if (mmu == MMU_DIRECT && (share_own_all(vm) < 0 || direct_init(vm) < 0)) {
    kprintf("vmos: '%s': no memory for its direct paging (or too big for it); not booted\n",
            name);
    vm_discard(vm);
    return;
  }
  // (A trap-mode VM has its PC from its loader already.)
  if ((drive >= 0 && vdisk_attach(vm, drive, mode) < 0) || (com2 && vserial_attach(vm) < 0) ||
      (pc && !vm->pc && vpc_attach(vm) < 0)) {
    kprintf("vmos: '%s' not booted\n", name);
    vm_discard(vm);
    return;
  }
  kprintf("vmos: VM %d: %s, %u KiB", vm->id, vm->name, vm->mem_size / 1024);
  if (drive >= 0)
    kprintf(", disk hd%d (%u sectors, %s mode)", drive, ide_size(drive), modes[mode]);
  if (com2)
    kprintf(", COM2");
  if (vm->pc)
    kprintf(", virtual PC");
  if (vm->irq_mode != IRQ_ROUTE)
    kprintf(", %s interrupts", irqmodes[vm->irq_mode]);
  if (vm->trapmode)
    kprintf(", trap mode (a PC kernel)");
  if (vm->mmu == MMU_DIRECT)
    kprintf(", direct paging");
  kprintf("\n");
}

// The real IDE interrupts go to the VM that owns the channel (pass mode).
static void ide0_intr(void) { vdisk_irq(0); }
static void ide1_intr(void) { vdisk_irq(1); }

void
vmos_boot(void)
{
  const char *list = bootline_get("vms");
  if (list == 0)
    list = DEFAULT_VMS;
  irq_register(14, ide0_intr);
  irq_register(15, ide1_intr);
  pic_enable(14);
  pic_enable(15);
  const char *im = bootline_get("irq");
  if (im && (dflt_irqmode = parse_irqmode(im)) < 0) {
    kprintf("vmos: irq=%s is not an interrupt mode (route, swap or defer); using route\n", im);
    dflt_irqmode = IRQ_ROUTE;
  }
  const char *mm = bootline_get("mmu");
  if (mm && (dflt_mmu = parse_mmu(mm)) < 0)
    kprintf("vmos: mmu=%s is not a memory mode (shadow or direct); using shadow\n", mm);
  const char *id = bootline_get("idle");
  if (id && strcmp(id, "halt") != 0 && strcmp(id, "spin") != 0)
    kprintf("vmos: idle=%s is not an idle mode (halt or spin); using halt\n", id);
  else if (id && strcmp(id, "spin") == 0) {
    idle_spin = 1;
    kprintf("vmos: idle=spin: guests spin with interrupts on when idle, no HC_IDLE\n");
  }
  if (strcmp(list, "none") == 0)
    return;
  u32 dflt_mem = VM_DEFMEM;
  const char *m = bootline_get("vmmem");
  if (m && (dflt_mem = parse_size(m)) < VM_MINMEM) {
    kprintf("vmos: vmmem=%s is not a size of at least %u KiB; using 2M\n", m,
            VM_MINMEM / 1024);
    dflt_mem = VM_DEFMEM;
  }
  char spec[64], one[64];
  int named = 0;
  for (const char *p = list; ; p++) {      // a list of nothing but commas names no guest
    if (*p == 0 || *p == ',')
      named |= p > list && p[-1] != ',';
    if (*p == 0)
      break;
  }
  if (!named) {
    kprintf("vmos: vms=%s names no guest: no VM booted (vms=none says so on purpose)\n", list);
    return;
  }
  while (*list) {
    int n = 0;
    while (list[n] && list[n] != ',')
      n++;
    if (n >= (int)sizeof(spec)) {
      safestrcpy(one, list, 24);
      kprintf("vmos: '%s...': a guest spec has at most %d characters; not booted\n", one,
              (int)sizeof(spec) - 1);
    }
    if (n > 0 && n < (int)sizeof(spec)) {
      memmove(spec, list, n);
      spec[n] = 0;
      uint count = 1;
      char *star = spec;
      while (*star && *star != '*')
        star++;
      if (*star) {                      // NAME...*COUNT: that many of the same
        *star = 0;
        if (!parse_uint(star + 1, &count) || count == 0 || count > MAXVMS) {
          kprintf("vmos: '%s': bad count '%s' (1 to %d)\n", spec, star + 1, MAXVMS);
          count = 0;
        }
      }
      for (uint i = 0; i < count; i++) {
        safestrcpy(one, spec, sizeof(one));   // boot_one cuts its copy up
        boot_one(one, dflt_mem);
      }
    }
    list += n;
    if (*list == ',')
      list++;
  }
}
