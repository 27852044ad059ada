// types.h: fixed-width integer types for the host kernel and guests.
// Freestanding: no libc headers anywhere in vmos.
#ifndef VMOS_TYPES_H
#define VMOS_TYPES_H

typedef unsigned char      uchar;
typedef unsigned short     ushort;
typedef unsigned int       uint;
typedef unsigned char      u8;
typedef unsigned short     u16;
typedef unsigned int       u32;
typedef unsigned long long u64;
typedef int                i32;
typedef long long          i64;
typedef u32                uintptr;
typedef u32                pde_t;
typedef u32                pte_t;
typedef u32                size_t;

#define NULL ((void*)0)
#define offsetof(t, m) __builtin_offsetof(t, m)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
