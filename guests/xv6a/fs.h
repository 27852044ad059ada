// fs.h: xv6's on-disk file system format, shared by the kernel and mkfs.
// Disk: [ boot block | super block | log | inodes | free bitmap | data ].
#define ROOTINO 1
#define BSIZE 512

struct superblock {
  uint size;         // blocks in the image
  uint nblocks;      // data blocks
  uint ninodes;
  uint nlog;         // log blocks
  uint logstart;
  uint inodestart;
  uint bmapstart;
};

#define NDIRECT 12
#define NINDIRECT (BSIZE / sizeof(uint))
#define MAXFILE (NDIRECT + NINDIRECT)

struct dinode {
  short type;        // 0: free
  short major;       // devices only
  short minor;
  short nlink;
  uint size;
  uint addrs[NDIRECT + 1];   // the last one is the indirect block
};

#define IPB (BSIZE / sizeof(struct dinode))          // inodes per block
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart)  // block holding inode i
#define BPB (BSIZE * 8)                              // bitmap bits per block
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)   // bitmap block for block b

#define DIRSIZ 14
struct dirent {
  ushort inum;
  char name[DIRSIZ];
};
