// hcall.h: a guest's side of the hypercall instruction (vmos/abi.h): the number
// in eax, arguments in ebx, ecx, edx, esi, the result back in eax. Shared by
// every guest in guests/ so that the calling convention is written once.
#ifndef GUESTS_HCALL_H
#define GUESTS_HCALL_H
#include "vmos/abi.h"

static inline int
vmos_hcall(int nr, unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
  int r;
  asm volatile("int $0x82" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
  return r;
}
#endif
