// cat: copy files (or the input) to the output.
#include "types.h"
#include "fcntl.h"
#include "user.h"

static char buf[512];

static void
cat(int fd)
{
  int n;
  while ((n = read(fd, buf, sizeof(buf))) > 0)
    if (write(1, buf, n) != n) {
      printf(2, "cat: write error\n");
      exit();
    }
  if (n < 0) {
    printf(2, "cat: read error\n");
    exit();
  }
}

int
main(int argc, char *argv[])
{
  if (argc <= 1)
    cat(0);
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      printf(2, "cat: cannot open %s\n", argv[i]);
      exit();
    }
    cat(fd);
    close(fd);
  }
  exit();
}
