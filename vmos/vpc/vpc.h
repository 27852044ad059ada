// vpc.h: a VM's virtual PC (vmos/vpc/): the 8259 pair, the PIT, COM1 and the
// exit port of a trap-mode VM, reached by its emulated in/out (vmos/emul/io.c).
#ifndef VMOS_VPC_H
#define VMOS_VPC_H
#include "types.h"

struct vm;
struct vpc;                                  // vm->pc: its virtual PC, 0 for none
int  vpc_attach(struct vm *vm);              // at boot: give vm a PC; -1 if none could be had
int  vpc_io(struct vm *vm, u16 port, int size, int in, u32 *val);  // 1 = a vpc device took it
#endif
