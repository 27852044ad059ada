// param.h: xv6's limits.
#define NPROC        64   // processes
#define KSTACKSIZE 4096   // kernel stack per process
#define NCPU          8   // (xv6a uses one)
#define NOFILE       16   // open files per process
#define NFILE       100   // open files per system
#define NINODE       50   // active inodes
#define NDEV         10   // device numbers
#define ROOTDEV       1   // the file system's device number
#define MAXARG       32   // exec arguments
#define MAXOPBLOCKS  10   // blocks one file system operation may write
#define LOGSIZE      (MAXOPBLOCKS * 3)   // blocks in the on-disk log
#define NBUF         (LOGSIZE + 2 * MAXOPBLOCKS)   // blocks in the buffer cache: the
                          // open transaction's stay cached (log.c); the rest serve
                          // the processes waiting for the disk meanwhile (bio.c)
#define FSSIZE       1000 // blocks in the file system
