// param.h: the host's tunables, one place, a comment each.
#ifndef VMOS_PARAM_H
#define VMOS_PARAM_H

#define HZ          100     // PIT interrupts per second: the host's tick
#define CMDLINE_MAX 512     // longest boot line kept
#define MONLINE_MAX 128     // longest monitor command line

#endif
