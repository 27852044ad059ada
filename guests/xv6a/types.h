// types.h: xv6's basic types (xv6 programs include this first).
#ifndef XV6A_TYPES_H
#define XV6A_TYPES_H
typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;
typedef uint pde_t;
#endif
