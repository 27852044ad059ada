// ulib.h: what mini's tasks can call: system calls and a small printf.
#ifndef MINI_ULIB_H
#define MINI_ULIB_H
int write(const char *buf, int n);
void exit(int code) __attribute__((noreturn));
int yield(void);
int getpid(void);
int sleep(int ticks);
int uptime(void);
unsigned int clock(void);
void printf(const char *fmt, ...);
#endif
