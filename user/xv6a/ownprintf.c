// ownprintf: a program that defines printf itself, as xv6's forktest does
// (issue 8). The user library is an archive (guests/xv6a/xv6a.mk), so the
// linker takes a library member only for a symbol the program leaves
// undefined: this program's printf is the one that runs, while strlen and the
// system calls still come from the library. This printf writes its format as
// it is, without formatting, so the output shows whose printf ran.
#include "types.h"
#include "user.h"

void
printf(int fd, const char *s, ...)
{
  write(fd, s, strlen(s));
}

int
main(void)
{
  printf(1, "ownprintf: the program's own printf ran (%d is not formatted)\n");
  exit();
}
