// param.h: the host's tunables, one place, a comment each.
#ifndef VMOS_PARAM_H
#define VMOS_PARAM_H

#define HZ          100     // PIT interrupts per second: the host's tick
#define CMDLINE_MAX 1024    // longest boot line kept (a longer one is cut, saying where)
#define MONLINE_MAX 128     // longest monitor command line


// vmos (the VM monitor)
#define DEFAULT_VMS "xv6a:32M:hd0,xv6a:32M:hd2,mini,mini"  // with no vms= on the boot line
#define VM_DEFMEM   (2 << 20)     // memory of a VM that names no size
#define VM_MINMEM   (128 << 10)   // a VM gets at least this much (a mini needs 152-184 KiB)
#define QUANTUM     10            // default time slice, host ticks
#define QUANTUM_MAX 100000        // the longest: 1000 s (a slice is counted in an int)
#define HOTKEY      0x1D          // Ctrl-]: enter or leave the monitor

#endif
