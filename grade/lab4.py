# lab4.py: lab 4's grader (suite lab4): memory virtualization. The exercises
# are shadow paging's heart (vmos/shadow.c): the guest-table walk, the fill of
# one shadow entry and what it refuses, and what a page-directory load, invlpg
# and a flush keep and drop, with the shadow cache. Each test is one of the
# tree's own (suites shadow, direct, balloon and share, which say how they boot
# and what they read), gathered here under the exercise it checks;
# labs/lab4-memory.md names them. A test of this file runs the same function as
# its suite's test, so the two cannot disagree.
from gradelib import test
from lab1 import check_answers
import balloon
import direct
import shadow
import share


def lab4_test(name, fn, timeout):
    """Register fn (another suite's test) as lab 4's test `name`."""
    def run(t):
        return fn(t)
    run.__name__ = fn.__name__
    test(name, timeout=timeout)(run)


# Exercise 1: the walk of the guest's tables (guest_walk)
lab4_test("walk: the boot mapping, then the guest's own page directory; hidden faults "
          "counted", shadow.t_pgdir, 30)
lab4_test("walk: a process cannot touch its kernel's pages (the guest's U bit)",
          shadow.t_user_super, 30)
# Exercise 2: one hidden fault (shadow_fault, shadow_fill)
lab4_test("fault: a fault the guest's tables do not explain is reflected, then "
          "demand-paged by the guest", shadow.t_reflect, 30)
lab4_test("fault: an entry pointing outside the VM stops it; a mini beside it runs",
          shadow.t_bad_pte, 30)
lab4_test("fault: a write to a protected guest table is a counted write-protect fault",
          shadow.t_cache_wp, 30)
# Exercise 3: the invalidation policy (shadow_new_pgdir, shadow_invlpg, shadow_flush)
lab4_test("policy: a page-directory load keeps global translations only; invlpg and a "
          "flush drop them", shadow.t_global, 30)
lab4_test("policy: a table of a directory not loaded, changed without telling, is seen "
          "when it is loaded", shadow.t_cache_coherent, 30)
lab4_test("policy: reloading a recently used directory is a hit and refills nothing",
          shadow.t_cache_hit, 30)
lab4_test("policy: more directories than the cache keeps evict the least recently used",
          shadow.t_cache_evict, 30)
lab4_test("policy: xv6a's pipe ping-pong takes at most 2 hidden faults per "
          "page-directory load", shadow.t_xv6a_pingpong, 90)
lab4_test("policy: xv6a heapswap (two processes re-touching 1000 pages each across "
          "ticks) takes at most 2 per load", shadow.t_xv6a_heapswap, 120)
# Measure: the tree's other mechanisms, against which the exercises are compared
lab4_test("direct: no hidden faults; a process switch is one host entry; fork+exec "
          "costs fewer host entries than shadow mode", direct.t_counts, 240)
lab4_test("balloon: a mini gives 3072 pages and takes them back; it keeps running",
          balloon.t_mini, 90)
lab4_test("share: a write to a shared page makes a private copy (counted); the others "
          "still read the old contents", share.t_cow, 90)


@test("answers: labs/answers-lab4.txt answers each of the lab's questions", points=0,
      timeout=10)
def t_answers(t):
    check_answers(t, 4, 8, "labs/lab4-memory.md")
