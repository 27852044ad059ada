// growmem [MiB]: grows the process by MiB (default 100) with sbrk, writes two
// words into every page of it, reads them all back and shrinks the process
// again; twice, so that the second growth shows the shrink gave the memory
// back (xv6a's sbrk refuses more pages than are free). sbrk is lazy in xv6a:
// each page gets its memory at the first write (a page fault; under vmos the
// host sees it first). Issue 8: xv6 programs grow to 100 MiB, and xv6a used to
// cap itself at 32 MiB. Prints "growmem: ok" or "growmem: FAIL ...".
#include "types.h"
#include "user.h"

#define PG 4096

static void
fail(const char *what, int round, int page)
{
  printf(1, "growmem: FAIL round %d: %s (page %d)\n", round, what, page);
  exit();
}

int
main(int argc, char *argv[])
{
  int mib = argc > 1 ? atoi(argv[1]) : 100;
  if (mib <= 0 || mib > 1024) {
    printf(1, "usage: growmem [MiB, 1..1024]\n");
    exit();
  }
  int pages = mib * (1 << 20) / PG;
  char *start = sbrk(0);
  for (int round = 1; round <= 2; round++) {
    char *p = sbrk(pages * PG);
    if (p != start)
      fail("sbrk could not grow the process", round, 0);
    for (int i = 0; i < pages; i++) {
      uint *w = (uint *)(p + i * PG);
      w[0] = i ^ 0x5A5A0000u * round;
      w[PG / 4 - 1] = ~i;
    }
    for (int i = 0; i < pages; i++) {
      uint *w = (uint *)(p + i * PG);
      if (w[0] != (i ^ 0x5A5A0000u * round) || w[PG / 4 - 1] != ~i)
        fail("a page did not keep what was written", round, i);
    }
    if (sbrk(-pages * PG) != p + pages * PG || sbrk(0) != start)
      fail("sbrk could not shrink the process", round, 0);
    printf(1, "growmem: round %d: %d MiB grown, %d pages written and read back, shrunk\n",
           round, mib, pages);
  }
  printf(1, "growmem: ok\n");
  exit();
}
