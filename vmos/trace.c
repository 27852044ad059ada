// trace.c: the host's scheduling timeline (vmos/trace.h). Not written yet:
// recording is off and nothing is kept. (Lab 2, issue 9: ring buffer, boot
// option `trace`, output through QEMU's debug console.)
#include "types.h"
#include "defs.h"
#include "vmos/trace.h"

int trace_on;

void
trace_record(int ev, struct vm *vm, u32 arg)
{
}
