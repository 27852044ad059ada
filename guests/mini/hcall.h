// hcall.h: mini's side of the hypercall ABI (vmos/abi.h): `int $0x82` with the
// number in eax and arguments in ebx, ecx, edx; the result comes back in eax.
#ifndef MINI_HCALL_H
#define MINI_HCALL_H
#include "vmos/abi.h"

static inline int
hcall3(int nr, unsigned int a, unsigned int b, unsigned int c)
{
  int r;
  asm volatile("int $0x82" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}
#define hcall0(nr) hcall3(nr, 0, 0, 0)
#define hcall1(nr, a) hcall3(nr, (unsigned int)(a), 0, 0)
#define hcall2(nr, a, b) hcall3(nr, (unsigned int)(a), (unsigned int)(b), 0)
#endif
