// sharedoff.h: where trapasm.S finds the fields of the page shared with the
// host (struct vm_shared, vmos/abi.h) that its stubs read and write; pv_vmos.c
// checks each against the struct. Also the mark its stubs leave in a frame.
#ifndef XV6A_SHAREDOFF_H
#define XV6A_SHAREDOFF_H
#define SHARED_VIF     0
#define SHARED_REFLECT 16
#define SHARED_TRAPNO  20
#define SHARED_R_NONE  0         // R_NONE and R_IRQ (vmos/abi.h has them for C only)
#define SHARED_R_IRQ   2

// The error code of an interrupt's frame (trapframe.err): 0 for one the host
// delivered (or bare QEMU's), TF_DIRECT for a device's that reached the
// guest straight through its gate (swap and defer modes): pv_eoi ends it.
#define TF_DIRECT 1
#endif
