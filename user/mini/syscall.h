// syscall.h: mini's system calls: int $0x30, number in eax, arguments in ebx
// and ecx, result in eax (< 0: error). Shared by mini's kernel
// (guests/mini/syscall.c) and its tasks (user/mini/ulib.c).
#ifndef MINI_SYSCALL_H
#define MINI_SYSCALL_H
#define SYS_write  1   // (buf, len) -> len
#define SYS_exit   2   // (code)
#define SYS_yield  3
#define SYS_getpid 4
#define SYS_sleep  5   // (ticks)
#define SYS_uptime 6   // -> ticks since mini booted
#define SYS_clock  7   // -> the host's ticks since it booted (vm_info.host_ticks)
#endif
