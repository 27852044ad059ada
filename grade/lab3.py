# lab3.py: lab 3's grader (suite lab3): paravirtual traps against
# trap-and-emulate, idle notification, the disk ring's checks. Each test is
# one of the tree's own (the suites trapemu, hostile, idle and blkring, which
# say how they boot and what they read), gathered here under the exercise
# it checks; labs/lab3-paravirt.md names them. A test of this file runs the
# same function as its suite's test, so the two cannot disagree.
#
# As lab 1's grader does, every boot ends as soon as its outcome is known: a
# budget of host ticks, an unexpected stop, a host clock that stands still.
from gradelib import test
from lab1 import check_answers
import blkring
import hostile
import idle
import trapemu


def lab3_test(name, fn, timeout):
    """Register fn (another suite's test) as lab 3's test `name`."""
    def run(t):
        return fn(t)
    run.__name__ = fn.__name__
    test(name, timeout=timeout)(run)


# Exercise 1: the decoder (vmos/emul/decode.c)
lab3_test("decoder: in/out in every width and form, ins/outs with and without rep, 0x66, a "
          "segment override, DF set, mov crN, invlpg with SIB: each does what it says "
          "(trapio); the sti shadow holds", trapemu.t_decoder_forms, 60)
# Exercise 2: cli, sti, hlt (vmos/emul/emul.c)
lab3_test("cli/sti/hlt: xv6a-trap boots, runs its shell, ptest and scripts beside a "
          "paravirtual xv6a and a mini; every kind of instruction emulated, no hypercall",
          trapemu.t_trap_shell, 150)
# Exercise 3: the ring check (vmos/emul/emul.c)
lab3_test("ring check: every privileged instruction and every hypercall from an xv6a-trap "
          "process is a #GP its kernel kills it for, never emulated",
          hostile.t_ring3_trap, 90)
# Exercise 4: idle without a lost wakeup (vmos/idle.c)
lab3_test("idle: a VM with no interrupt to come wakes from HC_IDLE at its deadline, not "
          "before; a past deadline returns at once, one too far ahead is refused",
          idle.t_deadline, 60)
lab3_test("idle: xv6a and an idle mini block in HC_IDLE with their next timer deadline "
          "(counted per VM)", idle.t_halt, 90)
lab3_test("idle: an interrupt that becomes pending before HC_IDLE is never slept through",
          idle.t_race, 90)
# Exercise 5: the disk ring's checks (vmos/vdev_blkring.c)
lab3_test("disk ring: every bad request of blkbad is refused with its own error and "
          "counted, lies are refused, the third stops it by name; the mini runs on",
          blkring.t_blkbad, 60)


@test("answers: labs/answers-lab3.txt answers each of the lab's questions", points=0,
      timeout=10)
def t_answers(t):
    check_answers(t, 3, 8, "labs/lab3-paravirt.md")
