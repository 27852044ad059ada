// umalloc.c: malloc and free over sbrk: a first-fit free list of blocks, each
// with a header giving its size in header units; neighbours are merged on free.
#include "types.h"
#include "user.h"

typedef union header {
  struct {
    union header *next;
    uint units;
  } s;
  long long align;
} Header;

static Header base;
static Header *freep;

void
free(void *ap)
{
  Header *bp = (Header *)ap - 1, *p;
  for (p = freep; !(bp > p && bp < p->s.next); p = p->s.next)
    if (p >= p->s.next && (bp > p || bp < p->s.next))
      break;
  if (bp + bp->s.units == p->s.next) {
    bp->s.units += p->s.next->s.units;
    bp->s.next = p->s.next->s.next;
  } else {
    bp->s.next = p->s.next;
  }
  if (p + p->s.units == bp) {
    p->s.units += bp->s.units;
    p->s.next = bp->s.next;
  } else {
    p->s.next = bp;
  }
  freep = p;
}

static Header*
morecore(uint nu)
{
  if (nu < 4096)
    nu = 4096;
  char *p = sbrk(nu * sizeof(Header));
  if (p == (char *)-1)
    return 0;
  Header *hp = (Header *)p;
  hp->s.units = nu;
  free(hp + 1);
  return freep;
}

void*
malloc(uint nbytes)
{
  uint nunits = (nbytes + sizeof(Header) - 1) / sizeof(Header) + 1;
  Header *prevp = freep;
  if (prevp == 0) {
    base.s.next = freep = prevp = &base;
    base.s.units = 0;
  }
  for (Header *p = prevp->s.next;; prevp = p, p = p->s.next) {
    if (p->s.units >= nunits) {
      if (p->s.units == nunits) {
        prevp->s.next = p->s.next;
      } else {
        p->s.units -= nunits;
        p += p->s.units;
        p->s.units = nunits;
      }
      freep = prevp;
      return p + 1;
    }
    if (p == freep && (p = morecore(nunits)) == 0)
      return 0;
  }
}
