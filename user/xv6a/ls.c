// ls: list a directory (or describe a file): name, type, inode, size.
#include "types.h"
#include "stat.h"
#include "fs.h"
#include "fcntl.h"
#include "user.h"

static char*
fmtname(char *path)
{
  static char buf[DIRSIZ + 1];
  char *p = path + strlen(path);
  while (p >= path && *p != '/')
    p--;
  p++;
  int n = strlen(p);
  if (n >= DIRSIZ)
    return p;
  memmove(buf, p, n);
  memset(buf + n, ' ', DIRSIZ - n);
  buf[DIRSIZ] = 0;
  return buf;
}

static void
ls(char *path)
{
  char buf[512], *p;
  struct dirent de;
  struct stat st;
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf(2, "ls: cannot open %s\n", path);
    return;
  }
  if (fstat(fd, &st) < 0) {
    printf(2, "ls: cannot stat %s\n", path);
    close(fd);
    return;
  }
  if (st.type != T_DIR) {
    printf(1, "%s %d %d %d\n", fmtname(path), st.type, st.ino, st.size);
  } else if (strlen(path) + 1 + DIRSIZ + 1 > sizeof(buf)) {
    printf(1, "ls: path too long\n");
  } else {
    strcpy(buf, path);
    p = buf + strlen(buf);
    *p++ = '/';
    while (read(fd, &de, sizeof(de)) == sizeof(de)) {
      if (de.inum == 0)
        continue;
      memmove(p, de.name, DIRSIZ);
      p[DIRSIZ] = 0;
      if (stat(buf, &st) < 0) {
        printf(1, "ls: cannot stat %s\n", buf);
        continue;
      }
      printf(1, "%s %d %d %d\n", fmtname(buf), st.type, st.ino, st.size);
    }
  }
  close(fd);
}

int
main(int argc, char *argv[])
{
  if (argc < 2)
    ls(".");
  for (int i = 1; i < argc; i++)
    ls(argv[i]);
  exit();
}
