// traps.h: x86 trap numbers and xv6's interrupt vectors.
#define T_DIVIDE  0
#define T_DEBUG   1
#define T_NMI     2
#define T_BRKPT   3
#define T_OFLOW   4
#define T_BOUND   5
#define T_ILLOP   6
#define T_DEVICE  7
#define T_DBLFLT  8
#define T_TSS    10
#define T_SEGNP  11
#define T_STACK  12
#define T_GPFLT  13
#define T_PGFLT  14
#define T_FPERR  16
#define T_ALIGN  17
#define T_MCHK   18
#define T_SIMDERR 19
#define T_SYSCALL 64      // system call
#define T_DEFAULT 500
#define T_IRQ0   32       // IRQ 0 arrives at T_IRQ0
#define IRQ_TIMER 0
#define IRQ_KBD   1
#define IRQ_COM2  3
#define IRQ_COM1  4
#define IRQ_IDE  14
#define IRQ_ERROR 19
#define IRQ_SPURIOUS 31
