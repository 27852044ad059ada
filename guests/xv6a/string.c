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
