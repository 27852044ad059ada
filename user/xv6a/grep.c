// grep: print the lines that match a pattern. The patterns are small regular
// expressions: c (a character), . (any), c* (zero or more), ^ and $ (anchors).
#include "types.h"
#include "fcntl.h"
#include "user.h"

static char buf[1024];
static int matchhere(char *re, char *text);

static int
matchstar(int c, char *re, char *text)
{
  do {                           // zero or more c, as few as will do
    if (matchhere(re, text))
      return 1;
  } while (*text != 0 && (*text++ == c || c == '.'));
  return 0;
}

static int
matchhere(char *re, char *text)
{
  if (re[0] == 0)
    return 1;
  if (re[1] == '*')
    return matchstar(re[0], re + 2, text);
  if (re[0] == '$' && re[1] == 0)
    return *text == 0;
  if (*text != 0 && (re[0] == '.' || re[0] == *text))
    return matchhere(re + 1, text + 1);
  return 0;
}

static int
match(char *re, char *text)
{
  if (re[0] == '^')
    return matchhere(re + 1, text);
  do {
    if (matchhere(re, text))
      return 1;
  } while (*text++ != 0);
  return 0;
}

static void
grep(char *pattern, int fd)
{
  int n, m = 0;
  while ((n = read(fd, buf + m, sizeof(buf) - m - 1)) > 0) {
    m += n;
    buf[m] = 0;
    char *p = buf, *q;
    while ((q = strchr(p, '\n')) != 0) {
      *q = 0;
      if (match(pattern, p)) {
        *q = '\n';
        write(1, p, q + 1 - p);
      }
      p = q + 1;
    }
    if (m > 0) {
      m -= p - buf;
      memmove(buf, p, m);
    }
    if (m == sizeof(buf) - 1)
      m = 0;                     // a line longer than the buffer: drop it
  }
}

int
main(int argc, char *argv[])
{
  if (argc <= 1) {
    printf(2, "usage: grep pattern [file ...]\n");
    exit();
  }
  if (argc <= 2) {
    grep(argv[1], 0);
    exit();
  }
  for (int i = 2; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      printf(2, "grep: cannot open %s\n", argv[i]);
      exit();
    }
    grep(argv[1], fd);
    close(fd);
  }
  exit();
}
