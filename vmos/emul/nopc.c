// nopc.c: until vmos/vpc/ is merged (branch vpc), a trap-mode VM has no
// virtual PC: weak definitions the real ones replace. Remove with the merge.
#include "types.h"
#include "vmos/vpc/vpc.h"

__attribute__((weak)) int vpc_attach(struct vm *vm) { return 0; }
__attribute__((weak)) int vpc_io(struct vm *vm, u16 port, int size, int in, u32 *val) { return 0; }
