// string.c: the few string routines the kernel needs.
#include "xv6a.h"

// Whole aligned words go four bytes a step (rep stosl/movsl), as xv6's do:
// pages are zeroed and copied often (fork, exec, lazy sbrk).
void*
memset(void *dst, int c, uint n)
{
  void *d = dst;
  if ((((uint)dst | n) & 3) == 0) {
    uint words = n / 4;
    asm volatile("cld; rep stosl" : "+D"(d), "+c"(words) : "a"((c & 0xFF) * 0x01010101u)
                 : "memory");
  } else {
    asm volatile("cld; rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
  }
  return dst;
}

void*
memmove(void *dst, const void *src, uint n)
{
  const char *s = src;
  char *d = dst;
  if (s < d && s + n > d)
    while (n-- > 0)
      d[n] = s[n];
  else if ((((uint)s | (uint)d | n) & 3) == 0) {
    uint words = n / 4;
    asm volatile("cld; rep movsl" : "+S"(s), "+D"(d), "+c"(words) : : "memory");
  } else
    while (n-- > 0)
      *d++ = *s++;
  return dst;
}

void*
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
strlen(const char *s)
{
  int n = 0;
  while (s[n])
    n++;
  return n;
}

int
strncmp(const char *p, const char *q, uint n)
{
  while (n > 0 && *p && *p == *q)
    n--, p++, q++;
  return n == 0 ? 0 : (uchar)*p - (uchar)*q;
}

char*
safestrcpy(char *s, const char *t, int n)
{
  char *os = s;
  if (n <= 0)
    return os;
  while (--n > 0 && (*s++ = *t++) != 0)
    ;
  *s = 0;
  return os;
}
