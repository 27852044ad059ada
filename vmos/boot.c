// boot.c: from the boot line to running VMs. Called once by main() after the
// host kernel is up. The boot line names the guests:
//   vms=NAME[:SIZE],NAME[:SIZE],...   images to boot, one VM each (vms=none: no VMs)
//   vmmem=SIZE                        memory of a VM that names no size (default 2M)
//   quantum=N                         time slice in host ticks (sched.c)
// A VM that cannot be created (unknown image, bad ELF, no memory) is reported by
// name and skipped: the others still boot.
#include "types.h"
#include "defs.h"
#include "param.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

BOOTOPT(vms, "vms", "guests to boot: NAME[:SIZE],... (default " DEFAULT_VMS "; none for no VMs)");
BOOTOPT(vmmem, "vmmem", "memory of each VM that names no size, e.g. 2M, 512K (default 2M)");

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

static void
boot_one(const char *spec, u32 dflt_mem)
{
  char name[VMNAME];
  int n = 0;
  while (spec[n] && spec[n] != ':' && n < VMNAME - 1) {
    name[n] = spec[n];
    n++;
  }
  name[n] = 0;
  u32 mem = dflt_mem;
  const char *colon = spec;
  while (*colon && *colon != ':')
    colon++;
  if (*colon == ':' && (mem = parse_size(colon + 1)) < VM_MINMEM) {
    kprintf("vmos: '%s': bad memory size '%s' (at least %u KiB, e.g. 2M)\n", spec,
            colon + 1, VM_MINMEM / 1024);
    return;
  }
  struct vm *vm = vm_alloc(name, mem);
  if (vm == 0)
    return;
  if (load_guest(vm, name) < 0) {
    kprintf("vmos: '%s' not booted\n", spec);
    vm_discard(vm);
    return;
  }
  kprintf("vmos: VM %d: %s, %u KiB\n", vm->id, vm->name, vm->mem_size / 1024);
}

void
vmos_boot(void)
{
  const char *list = bootline_get("vms");
  if (list == 0)
    list = DEFAULT_VMS;
  if (strcmp(list, "none") == 0 || list[0] == 0)
    return;
  u32 dflt_mem = VM_DEFMEM;
  const char *m = bootline_get("vmmem");
  if (m && (dflt_mem = parse_size(m)) < VM_MINMEM) {
    kprintf("vmos: vmmem=%s is not a size of at least %u KiB; using 2M\n", m,
            VM_MINMEM / 1024);
    dflt_mem = VM_DEFMEM;
  }
  char spec[64];
  while (*list) {
    int n = 0;
    while (list[n] && list[n] != ',')
      n++;
    if (n > 0 && n < (int)sizeof(spec)) {
      memmove(spec, list, n);
      spec[n] = 0;
      boot_one(spec, dflt_mem);
    }
    list += n;
    if (*list == ',')
      list++;
  }
}
