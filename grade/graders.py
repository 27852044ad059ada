# graders.py: the graders' own tests (suite graders): a grader is a
# specification, so each known-wrong solution of a lab must fail it, quickly and
# with a sentence that says why. Each test below copies the solution tree (the
# files git tracks, and out/ so that the build is incremental), puts one wrong
# variant in place of one LAB region, builds it, and runs only the tests of the
# lab's grader that must catch it; each of those must FAIL (not time out) with
# its sentence. The solution tree only: a student tree has no regions to vary
# (tools/handout.sh leaves this suite out).
import os
import re
import shutil
import subprocess
import sys
import threading

from gradelib import test, parse_verdicts, REPO_ROOT


class Variant:
    """A wrong version of region `index` (0, 1, ...: in the order of the file)
    of the LAB n regions of `path`; `catches`: {words of a test name: the
    sentence it must fail with (a regex)}."""

    def __init__(self, name, why, path, index, code, catches, lab=1):
        self.name, self.why, self.path, self.index, self.code, self.catches, self.lab = \
            name, why, path, index, code, catches, lab


PICK_REST = """
  if (turn && turn->state == VM_RUNNABLE && turn->slice > 0)
    return turn;
  int start = turn ? turn->id : 0;
  for (int k = 0; k < nvms; k++) {
    vm = &vms[(start + k) % nvms];
    if (vm->state == VM_RUNNABLE) {
      vm->slice = quantum;
      turn = vm;
      return vm;
    }
  }
"""
PICK_PREFERRED = """
  struct vm *vm = preferred;
  preferred = 0;
  if (vm && vm->state == VM_RUNNABLE)
    return vm;
"""
SHARE = r"VM \d had \d+ of \d+ ticks \([\d.]+%\), expected"

LAB1 = [
    Variant("tick-uncharged", "sched_tick never charges the slice", "vmos/sched.c", 0, "",
            {"share: each of three": SHARE,
             "quantum: world switches": r"it never ran|world switches over \d+ ticks"}),
    Variant("pick-moves-turn", "a VM run out of turn takes the round robin's turn",
            "vmos/sched.c", 1, """
  struct vm *vm = preferred;
  preferred = 0;
  if (vm && vm->state == VM_RUNNABLE) {
    vm->slice = quantum;
    turn = vm;
    return vm;
  }
""" + PICK_REST,
            {"round robin: a VM woken": r"VM [23] had \d+ of \d+ ticks .*must not move"}),
    Variant("pick-ignores-preferred", "sched_pick never looks at preferred", "vmos/sched.c", 1,
            "  struct vm *vm;\n" + PICK_REST,
            {"a key typed to a blocked VM": r"VM 1 was switched to 1 times",
             "round robin: a VM woken": r"got \d+ timer interrupts in 300 ticks"}),
    Variant("pick-keeps-preferred", "preferred is never cleared", "vmos/sched.c", 1, """
  struct vm *vm = preferred;
  if (vm && vm->state == VM_RUNNABLE)
    return vm;
""" + PICK_REST,
            {"preference: after input": SHARE + r".*preferred once"}),
    Variant("pick-no-slice", "a new turn at every pick: slices are ignored", "vmos/sched.c", 1,
            PICK_PREFERRED + PICK_REST.replace(
                "  if (turn && turn->state == VM_RUNNABLE && turn->slice > 0)\n    return turn;\n",
                ""),
            {"quantum: world switches": r"world switches over \d+ ticks, expected about"}),
    Variant("pick-first-always", "the round robin starts from VM 1 at every turn",
            "vmos/sched.c", 1, PICK_PREFERRED + PICK_REST.replace(
                "int start = turn ? turn->id : 0;", "int start = 0;"),
            {"share: each of three": SHARE}),
    Variant("pick-reverse", "turns go in the reverse order of ids", "vmos/sched.c", 1,
            PICK_PREFERRED + PICK_REST.replace(
                "int start = turn ? turn->id : 0;", "int start = turn ? turn->id - 1 : 0;")
            .replace("vm = &vms[(start + k) % nvms];", "vm = &vms[(start + nvms - 1 - k) % nvms];"),
            {"boot: three minis": r"booted in the order 3, 2, 1"}),
    Variant("pick-any-state", "paused and blocked VMs are picked too", "vmos/sched.c", 1,
            (PICK_PREFERRED + PICK_REST).replace(
                "vm->state == VM_RUNNABLE", "vm->state != VM_STOPPED && vm->state != VM_FREE")
            .replace("turn->state == VM_RUNNABLE",
                     "turn->state != VM_STOPPED && turn->state != VM_FREE"),
            {"pause stops a VM": r"VM 2 printed while paused|the host's clock stood still",
             "round robin: a VM woken": r"VM 1, which idles|the host's clock stood still"}),
    Variant("raise-no-prefer", "irq_raise never prefers the owner", "vmos/irq.c", 0,
            "  irq_pend(vm, virq);\n",
            {"a key typed to a blocked VM": r"VM 1 was switched to 1 times",
             "a key typed to a VM that can run": r"VM 2 was switched to 0 times"}),
    Variant("raise-blocked-only", "irq_raise prefers the owner only if it was blocked",
            "vmos/irq.c", 0, """
  int blocked = vm->state == VM_BLOCKED;
  irq_pend(vm, virq);
  if (blocked)
    sched_prefer(vm);
""", {"a key typed to a VM that can run": r"VM 2 was switched to 0 times"}),
    Variant("raise-no-wake", "irq_raise marks the interrupt but never wakes the owner",
            "vmos/irq.c", 0, """
  vm->pending |= 1u << virq;
  if (vm->shared)
    vm->shared->pending = vm->pending;
  if (vm != current)
    sched_prefer(vm);
""", {"a key typed to a blocked VM": r"VM 1 was switched to 1 times"}),
    Variant("raise-not-pending", "irq_raise wakes and prefers the owner, nothing is pending",
            "vmos/irq.c", 0, """
  vm_wake(vm);
  if (vm != current)
    sched_prefer(vm);
""", {"a key typed to a blocked VM": r"VM 1 got 0 virtual interrupts"}),
]

REFLECT = open(os.path.join(REPO_ROOT, "vmos", "reflect.c")).read() \
    if os.path.exists(os.path.join(REPO_ROOT, "vmos", "reflect.c")) else ""


def reflect_region():
    """The solution's frame-building region of vmos/reflect.c, to vary."""
    m = re.search(r"/\* LAB 1: BEGIN \*/\n(.*?)\n\s*/\* LAB 1: END \*/", REFLECT, re.S)
    return m.group(1) + "\n" if m else ""


def frame(old, new):
    """The solution's reflect region with old replaced by new (which must be there)."""
    code = reflect_region()
    return code.replace(old, new) if old in code else "#error variant does not apply\n"


FRAMES = "frames: each trap and interrupt"
LAB1 += [
    Variant("frame-no-error-code", "the error code is never pushed", "vmos/reflect.c", 0,
            frame("  if (has_err)\n    frame[n++] = err;\n", ""),
            {FRAMES: r"fault of its kernel with an error code.*frame starts at esp"}),
    Variant("frame-real-eflags", "the frame carries the real eflags, not the virtual IF",
            "vmos/reflect.c", 0,
            frame("frame[n++] = (tf->eflags & ~FL_IF) | (vif ? FL_IF : 0);",
                  "frame[n++] = tf->eflags; (void)vif;"),
            {FRAMES: r"fault of its kernel with an error code.*eflags with the virtual IF \(0\)"}),
    Variant("frame-no-user-stack", "from ring 3 the process's esp and ss are not saved",
            "vmos/reflect.c", 0,
            frame("    frame[n++] = tf->esp;\n    frame[n++] = tf->ss;\n", ""),
            {FRAMES: r"fault of a process without an error code.*frame starts at esp"}),
    Variant("frame-always-esp1", "the ring-1 stack of HC_STACK_SWITCH is used from ring 1 too",
            "vmos/reflect.c", 0, frame("u32 top = tf->esp;", "u32 top = vm->esp1;"),
            {FRAMES: r"virtual interrupt while its kernel runs.*(frame starts at esp|"
                     r"cannot deliver)"}),
    Variant("frame-cs-eflags-swapped", "eflags pushed before cs", "vmos/reflect.c", 0,
            frame("  frame[n++] = tf->cs;\n  frame[n++] = (tf->eflags & ~FL_IF) | (vif ? FL_IF : 0);\n",
                  "  frame[n++] = (tf->eflags & ~FL_IF) | (vif ? FL_IF : 0);\n  frame[n++] = tf->cs;\n"),
            {FRAMES: r"virtual interrupt while its kernel runs.*word 1 is"}),
    Variant("frame-unchecked", "a frame that does not fit in the VM's memory is delivered anyway",
            "vmos/reflect.c", 0,
            frame("if (top < n * 4 || vm_copyout(vm, sp, frame, n * 4) < 0) {",
                  "if (vm_copyout(vm, sp, frame, n * 4) < 0 && 0) {"),
            {"frames: a frame that would begin below": r"expected 'cannot deliver'"}),
]


def region_with(path, lab, index, old, new):
    """The solution's LAB lab region `index` of path (in the tree) with old replaced:
    a wrong variant that differs from the solution in one place."""
    full = os.path.join(REPO_ROOT, path)
    text = open(full).read() if os.path.exists(full) else ""
    spans = regions(text, lab)
    code = text[spans[index][0]:spans[index][1]] if index < len(spans) else ""
    return code.replace(old, new) if old in code else "#error the variant no longer applies\n"


def lab2_region(index, old, new):
    """vmos/handback.c's LAB 2 region `index` with old replaced."""
    return region_with("vmos/handback.c", 2, index, old, new)


def lab2_variants():
    return [
        Variant("gate-none", "no device vector ever goes to the guest", "vmos/vidt.c", 0, "",
                {"the owner's own interrupts reach it directly": r"0 came directly"}, lab=2),
        Variant("gate-in-route", "device vectors go to the guest in route mode too",
                "vmos/vidt.c", 0, """
  if (guest_irqs & (1u << irq)) {
    sw_idt_direct(vm, v, te->handler, 0);
    vm->direct |= 1u << irq;
  }
""", {"route: the owner's own interrupts all enter": r"in route mode [1-9]\d* came directly"},
                lab=2),
        Variant("gate-dpl3", "a device vector's gate lets int from ring 3 through",
                "vmos/vidt.c", 0, """
  if (vm->irq_mode != IRQ_ROUTE && (guest_irqs & (1u << irq))) {
    sw_idt_direct(vm, v, te->handler, 3);
    vm->direct |= 1u << irq;
  }
""", {"a process cannot fake a device interrupt": r"expected the task killed by #GP"}, lab=2),
        Variant("invoke-defer-as-swap", "defer mode hands back like swap: the owner runs at once",
                "vmos/handback.c", 0, lab2_region(0, "vm->irq_mode == IRQ_DEFER", "0"),
                {"defer: a handed-back interrupt": r"waited 0 host ticks"}, lab=2),
        Variant("invoke-swap-as-defer", "swap mode only notes a handed-back interrupt",
                "vmos/handback.c", 0, lab2_region(0, "vm->irq_mode == IRQ_DEFER", "1"),
                {"swap: another VM's interrupt": r"waited [1-9]\d* host ticks"}, lab=2),
        Variant("swallow-no-blame", "the swallow check serves the owner but never blames",
                "vmos/handback.c", 1, lab2_region(1, "blame(vm, irq, owner);", ";"),
                {"swallow: a guest that keeps": r"warned 0 times"}, lab=2),
    ]


def lab3_region(path, index, old, new):
    """path's LAB 3 region `index` with old replaced."""
    return region_with(path, 3, index, old, new)


def lab3_variants():
    emul, idle, ring = "vmos/emul/emul.c", "vmos/idle.c", "vmos/vdev_blkring.c"
    return [
        Variant("modrm-no-disp", "a memory operand's displacement is skipped, not added",
                "vmos/emul/decode.c", 0, lab3_region("vmos/emul/decode.c", 0,
                "    ea += (u32)(int)(signed char)code[(*i)++];", "    (*i)++;"),
                {"decoder:": r"invlpg with SIB and displacement"}, lab=3),
        Variant("ring-none", "instructions from ring 3 are emulated too", emul, 0, "",
                {"ring check:": r"from ring 3 was carried out"}, lab=3),
        Variant("sti-no-shadow", "sti sets the virtual IF but opens no shadow", emul, 1,
                lab3_region(emul, 1, "    vm->sti_eip = next;", ""),
                {"decoder:": r"sti shadow"}, lab=3),
        Variant("idle-blind", "HC_IDLE blocks without looking at what is pending", idle, 0,
                lab3_region(idle, 0, "  if (vm->pending)\n    return IDLE_IRQ;", ""),
                {"never slept through": r"idles with a tick pending"}, lab=3),
        Variant("idle-no-deadline", "HC_IDLE forgets its deadline: only an interrupt wakes it",
                idle, 0, lab3_region(idle, 0, "  vm->idle_deadline = deadline;",
                                     "  vm->idle_deadline = 0;"),
                {"wakes from HC_IDLE at its deadline": r"budget of \d+ host ticks"}, lab=3),
        Variant("ring-count-unbounded", "a ring request may ask for any number of sectors",
                ring, 0, lab3_region(ring, 0, " || q->count > BLK_MAX_SECTORS", ""),
                {"disk ring:": r"'too-many-sectors': 129"}, lab=3),
    ]


def regions(text, lab):
    """(start, end) offsets of the code inside each LAB lab region of text."""
    out = []
    for m in re.finditer(r"/\* LAB %d: BEGIN \*/\n(.*?)^[ \t]*/\* LAB %d: END \*/" % (lab, lab),
                         text, re.S | re.M):
        out.append((m.start(1), m.end(1)))
    return out


_base = {}
_base_lock = threading.Lock()


def base_tree(t):
    """A copy of the solution tree, built, shared by every variant of this run."""
    with _base_lock:
        if "dir" in _base:
            return _base["dir"]
        d = os.path.join(os.path.dirname(t.log_dir), "solution-tree")
        shutil.rmtree(d, ignore_errors=True)
        files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True)
        t.check(files.returncode == 0, "graders: the solution tree is not a git checkout: %s"
                % files.stderr.decode().strip())
        for f in files.stdout.decode().split("\0"):
            src = os.path.join(REPO_ROOT, f)
            if f and os.path.isfile(src):
                os.makedirs(os.path.join(d, os.path.dirname(f)), exist_ok=True)
                shutil.copy2(src, os.path.join(d, f))
        if os.path.isdir(os.path.join(REPO_ROOT, "out")):
            shutil.copytree(os.path.join(REPO_ROOT, "out"), os.path.join(d, "out"),
                            symlinks=True)
        b = t.spawn(["make", "-s", "all", "out/grade/probe.elf"], cwd=d, name="make")
        t.check(b.wait_exit() == 0, "graders: the copy of the solution tree does not build:\n"
                + b.output)
        _base["dir"] = d
        return d


def check_variant(t, v):
    base = base_tree(t)
    tree = os.path.join(t.log_dir, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(base, tree, symlinks=True)
    path = os.path.join(tree, v.path)
    text = open(path).read()
    spans = regions(text, v.lab)
    t.check(v.index < len(spans), "%s has %d LAB %d regions, the variant needs region %d"
            % (v.path, len(spans), v.lab, v.index))
    a, b = spans[v.index]
    with open(path, "w") as f:
        f.write(text[:a] + v.code.lstrip("\n") + text[b:])
    m = t.spawn(["make", "-s", "all", "out/grade/probe.elf"], cwd=tree, name="make")
    t.check(m.wait_exit() == 0, "the variant '%s' does not build:\n%s" % (v.name, m.output))
    args = [sys.executable, os.path.join(tree, "grade", "grade.py"), "-j", "1",
            "--log-dir", os.path.join(t.log_dir, "inner")]
    for words in v.catches:
        args += ["-k", words]
    g = t.spawn(args + ["lab%d" % v.lab], cwd=tree, name="grade.py")
    g.wait_exit()
    got = parse_verdicts(g.output)
    for words, sentence in v.catches.items():
        name = [n for n in got if words in n]
        t.check(name, "the lab %d grader has no test named '...%s...'" % (v.lab, words))
        verdict, said = got[name[0]]
        t.check(verdict == "FAIL", "'%s' gave %s for a solution in which %s, expected FAIL "
                "at once%s" % (name[0], verdict, v.why, (": " + said) if said else ""))
        t.check(re.search(sentence, said), "'%s' failed for a solution in which %s, but said "
                "'%s', expected a sentence matching /%s/" % (name[0], v.why, said, sentence))
    shutil.rmtree(tree, ignore_errors=True)     # kept only when the test fails


def lab4_variants():
    sh = "vmos/shadow.c"
    return [
        Variant("walk-frame-unchecked", "the walk lets a page's frame lie outside the VM",
                sh, 0, region_with(sh, 4, 0, """  *bad = PTE_ADDR(pte);
  if (PTE_ADDR(pte) >= vm->mem_size)
    return WALK_BAD;
""", ""), {"fault: an entry pointing outside the VM": r"the host stopped VM pgtest-bad"},
                lab=4),
        Variant("fill-no-protect", "a local entry is kept without protecting its guest tables",
                sh, 3, region_with(sh, 4, 3, """      else if (protect(vm, vm->gcr3) < 0 || (table != SRC_NONE && protect(vm, table) < 0))
        s->unsafe = 1;
""", ""), {"fault: a write to a protected guest table": r"0 write-protect faults"}, lab=4),
        Variant("pgdir-never-hit", "a directory load never finds its kept shadow", sh, 4,
                region_with(sh, 4, 4, "    if (c->gcr3 == vm->gcr3)\n      s = c;",
                            "    if (0)\n      s = c;"),
                {"policy: reloading a recently used directory": r"2 loads: 0 hits"}, lab=4),
    ]


def variant_test(v):
    test("lab %d, %s: %s; fails %s" % (v.lab, v.name, v.why,
                                        " and ".join("'%s'" % w for w in v.catches)),
         timeout=180)(lambda t: check_variant(t, v))


for _v in LAB1 + lab2_variants() + lab3_variants() + lab4_variants():
    variant_test(_v)
