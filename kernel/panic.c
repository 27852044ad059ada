// panic.c: the host's last words: a message, a backtrace with symbol names
// (kernel/ksyms.c), and a stop. Broken invariants call panic with the name of
// what broke. Under the test harness, QEMU exits with the "fail" status.
#include "types.h"
#include "defs.h"
#include "x86.h"
#include "memlayout.h"

static int panicking;

// Walk the chain of saved frame pointers (the kernel is built with
// -fno-omit-frame-pointer): [ebp] = caller's ebp, [ebp+4] = return address.
void
backtrace(u32 ebp)
{
  kprintf("backtrace:\n");
  for (int depth = 0; ebp != 0 && depth < 32; depth++) {
    if (ebp < KERNBASE || (ebp & 3)) {
      kprintf("  (frame pointer 0x%x is not a host stack address)\n", ebp);
      return;
    }
    u32 *frame = (u32 *)ebp;
    u32 ret = frame[1];
    u32 off;
    const char *name = ksym_lookup(ret - 1, &off);   // -1: inside the call
    kprintf("  #%d 0x%x %s+0x%x\n", depth, ret, name ? name : "?", off + 1);
    ebp = frame[0];
  }
}

void
panic(const char *fmt, ...)
{
  cli();
  if (panicking++)                // a panic while panicking: stop here
    halt_forever();
  kprintf("\npanic: ");
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  vkprintf(fmt, ap);
  __builtin_va_end(ap);
  kprintf("\n");
  backtrace(rebp());
  kprintf("host stopped\n");
  debug_exit(DEBUG_EXIT_FAIL);
  halt_forever();
}
