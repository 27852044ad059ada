// stat.h: what fstat tells about a file (xv6's layout).
#define T_DIR  1   // directory
#define T_FILE 2   // file
#define T_DEV  3   // device

struct stat {
  short type;
  int dev;
  uint ino;
  short nlink;
  uint size;
};
