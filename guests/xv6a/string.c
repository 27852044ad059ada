// string.c: the few string routines the kernel needs.
#include "xv6a.h"

void*
memset(void *dst, int c, uint n)
{
  char *d = dst;
  while (n-- > 0)
    *d++ = c;
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
  else
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
