// hcall.h: mini's short names for the hypercall (guests/hcall.h).
#ifndef MINI_HCALL_H
#define MINI_HCALL_H
#include "guests/hcall.h"

#define hcall3(nr, a, b, c) vmos_hcall(nr, (unsigned int)(a), (unsigned int)(b), (unsigned int)(c), 0)
#define hcall0(nr) hcall3(nr, 0, 0, 0)
#define hcall1(nr, a) hcall3(nr, a, 0, 0)
#define hcall2(nr, a, b) hcall3(nr, a, b, 0)
#endif
