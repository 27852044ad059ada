// ksyms.c: address-to-name lookup for backtraces. The table is generated at
// build time from the first link of the kernel (see the Makefile: `nm -n`) and
// linked into the second in section .ksyms: sorted addresses and names.
#include "types.h"
#include "defs.h"

struct ksym {
  u32 addr;
  const char *name;
};
extern const u32 nksyms;
extern const struct ksym ksyms[];

const char*
ksym_lookup(u32 addr, u32 *offset)
{
  int lo = 0, hi = (int)nksyms - 1, best = -1;
  while (lo <= hi) {                // last symbol with ksyms[i].addr <= addr
    int mid = (lo + hi) / 2;
    if (ksyms[mid].addr <= addr) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (best < 0) {
    *offset = 0;
    return 0;
  }
  *offset = addr - ksyms[best].addr;
  return ksyms[best].name;
}
