// stressfs: several processes write and read files at once.
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "user.h"

int
main(void)
{
  char path[] = "stressfs0";
  char data[512];
  int i;
  printf(1, "stressfs starting\n");
  memset(data, 'a', sizeof(data));
  for (i = 0; i < 4; i++)
    if (fork() > 0)
      break;
  printf(1, "write %d\n", i);
  path[8] += i;
  int fd = open(path, O_CREATE | O_RDWR);
  for (int j = 0; j < 20; j++)
    write(fd, data, sizeof(data));
  close(fd);
  printf(1, "read\n");
  fd = open(path, O_RDONLY);
  for (int j = 0; j < 20; j++)
    read(fd, data, sizeof(data));
  close(fd);
  wait();
  exit();
}
