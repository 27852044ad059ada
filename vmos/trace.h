// trace.h: the host's scheduling timeline (lab 2): events with their TSC, kept
// in a ring buffer while the boot option `trace` is on, written out through
// QEMU's debug console port (vmos/trace.c, `make trace`). A call costs one
// test of a flag when tracing is off: the calls sit on the host's hot paths.
#ifndef VMOS_TRACE_H
#define VMOS_TRACE_H
#include "types.h"

struct vm;

enum trace_event {
  TR_RUN,        // the VM is entered (sw_enter)                 arg: its eip
  TR_EXIT,       // it came back to the host                     arg: the trap number
  TR_VIRQ,       // a virtual interrupt was delivered to it      arg: the virtual IRQ
  TR_RAISE,      // a device interrupt was noted for its owner   arg: the virtual IRQ
  TR_INVOKE,     // it handed a real interrupt back (HC_INVOKE_VMOS)   arg: the IRQ
  TR_EOI,        // it ended a direct slave interrupt (HC_EOI)   arg: the IRQ
  TR_SWALLOW,    // the host found it had kept another's interrupt   arg: the IRQ
  TR_IDLE,       // nothing to run: the host halts               (vm 0)
  TR_WAKE,       // an interrupt woke the halted host            (vm 0)
  NTRACE
};

extern int trace_on;
void trace_record(int ev, struct vm *vm, u32 arg);
void trace_init(void);                 // boot line trace / trace=N (main)
int  trace_dump(const char *why);      // write it out through port 0xE9, empty it:
                                       // the events written, or one of these
int  trace_enable(int on);             // pause (0) or resume (1) recording
#define TRACE_NONE  (-1)               // the boot line asked for no trace
#define TRACE_NOCON (-2)               // no debug console (QEMU -debugcon): kept

static inline void
trace(int ev, struct vm *vm, u32 arg)
{
  if (trace_on)
    trace_record(ev, vm, arg);
}
#endif
