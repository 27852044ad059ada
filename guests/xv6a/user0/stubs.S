# stubs.S: system-call stubs for xv6a's built-in stage-2 test program, with
# xv6's convention: number in eax, arguments where the caller left them on the
# stack, int $64. (The real user library is user/xv6a.)
#define STUB(name, num) .globl name; name: movl $num, %eax; int $64; ret
STUB(fork, 1)
STUB(exit, 2)
STUB(wait, 3)
STUB(kill, 6)
STUB(exec, 7)
STUB(getpid, 11)
STUB(sbrk, 12)
STUB(sleep, 13)
STUB(uptime, 14)
STUB(write, 16)
