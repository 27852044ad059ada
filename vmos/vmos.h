// vmos.h: functions of the VM monitor (vmos/), grouped by the file that defines
// them. kernel/defs.h is the map of the layer below.
#ifndef VMOS_VMOS_H
#define VMOS_VMOS_H

// monitor.c
void monitor_run(void) __attribute__((noreturn));

#endif
