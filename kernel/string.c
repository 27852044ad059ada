// string.c: the few C library routines the host needs (no libc in vmos).
#include "types.h"
#include "defs.h"

// Whole aligned words go four bytes a step (rep stosl/movsl): pages are zeroed
// and sectors copied often, and under -icount every step of a rep counts.
void*
memset(void *dst, int c, uint n)
{
  void *d = dst;
  if ((((u32)dst | n) & 3) == 0) {
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
  if (s < d && s + n > d) {      // overlapping, copy backwards
    while (n-- > 0)
      d[n] = s[n];
  } else if ((((u32)s | (u32)d | n) & 3) == 0) {
    uint words = n / 4;
    asm volatile("cld; rep movsl" : "+S"(s), "+D"(d), "+c"(words) : : "memory");
  } else {
    while (n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

// gcc may emit calls to memcpy for struct copies.
void*
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
memcmp(const void *a, const void *b, uint n)
{
  const u8 *p = a, *q = b;
  for (; n > 0; n--, p++, q++)
    if (*p != *q)
      return *p - *q;
  return 0;
}

uint
strlen(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  return n;
}

int
strncmp(const char *a, const char *b, uint n)
{
  for (; n > 0 && *a && *a == *b; n--, a++, b++)
    ;
  return n == 0 ? 0 : (u8)*a - (u8)*b;
}

int
strcmp(const char *a, const char *b)
{
  return strncmp(a, b, 0xFFFFFFFF);
}

char*
strncpy(char *dst, const char *src, int n)
{
  char *d = dst;
  while (n > 0 && (*d++ = *src++) != 0)
    n--;
  while (n-- > 0)
    *d++ = 0;
  return dst;
}

// Like strncpy but always NUL-terminates.
char*
safestrcpy(char *dst, const char *src, int n)
{
  char *d = dst;
  if (n <= 0)
    return dst;
  while (--n > 0 && (*d++ = *src++) != 0)
    ;
  *d = 0;
  return dst;
}

// Parse a decimal or 0x-prefixed hex number. Returns 0 if s is not a whole number.
int
parse_uint(const char *s, uint *out)
{
  uint v = 0, base = 10;
  if (s == 0 || *s == 0)
    return 0;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
    if (*s == 0)
      return 0;
  }
  for (; *s; s++) {
    uint d;
    if (*s >= '0' && *s <= '9')
      d = *s - '0';
    else if (base == 16 && *s >= 'a' && *s <= 'f')
      d = *s - 'a' + 10;
    else if (base == 16 && *s >= 'A' && *s <= 'F')
      d = *s - 'A' + 10;
    else
      return 0;
    if (v > (0xFFFFFFFFu - d) / base)
      return 0;                  // overflow
    v = v * base + d;
  }
  *out = v;
  return 1;
}
