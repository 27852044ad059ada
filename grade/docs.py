# docs.py: the project's own documents stay true to the tree (suite docs; issue
# 8, section 5). labs/design.md is the architecture the code cites as "design.md
# section N": every file it names in backquotes must be in the tree, every
# function it names as `name()` must be defined there, every name with an
# underscore it quotes (a constant, a field, a label) must occur in the source,
# and every file with a lab block must be named in it. And no file may send
# readers to the shared design notes outside the project, which a student's tree
# does not have. No QEMU: these tests read files.
import os
import re
import subprocess

from gradelib import test, REPO_ROOT

DESIGN = "labs/design.md"
TOP = ("Makefile", "README.md", ".ci", "kernel", "vmos", "guests", "user", "grade",
       "labs", "tools")
# Named in DESIGN but not part of the tree, and why.
NOT_IN_TREE = {
    "labs/answers-lab1.txt": "the student writes it (lab 1's questions)",
}
SOURCE_EXT = (".c", ".h", ".S", ".py", ".ld", ".mk", ".sh", ".tmpl")
OUTSIDE = re.compile(r"\.\./shared/|shared/DESIGN\.md")   # escaped: it does not match itself
LAB_BLOCK = re.compile(r"/\* LAB \d+: BEGIN \*/")


def git(*args):
    try:
        r = subprocess.run(["git"] + list(args), cwd=REPO_ROOT, capture_output=True,
                           text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout if r.returncode == 0 else None


def tree_files():
    """The project's files: what git tracks, or (a handout tree has no git) every file
    but build output, logs and handouts."""
    out = git("ls-files") if os.path.isdir(os.path.join(REPO_ROOT, ".git")) or \
        os.path.isfile(os.path.join(REPO_ROOT, ".git")) else None
    if out is not None:
        return [f for f in out.splitlines() if os.path.isfile(os.path.join(REPO_ROOT, f))]
    files = []
    for root, dirs, names in os.walk(REPO_ROOT):
        rel = os.path.relpath(root, REPO_ROOT)
        dirs[:] = [d for d in dirs if not (rel == "." and (d in ("out", ".git") or
                                                            d.startswith("handout-")))
                   and not (rel == "grade" and d == "logs")]
        files += [os.path.normpath(os.path.join(rel, n)) for n in names]
    return files


def read(path):
    with open(os.path.join(REPO_ROOT, path), errors="replace") as f:
        return f.read()


def quoted():
    """Every `...` span of DESIGN, with the number of the line it is on."""
    spans = []
    for i, line in enumerate(read(DESIGN).splitlines(), 1):
        spans += [(i, m.group(1)) for m in re.finditer(r"`([^`]+)`", line)]
    return spans


def is_path(s):
    return re.fullmatch(r"[\w.\-]+(/[\w.\-]*)*", s) is not None and s.split("/")[0] in TOP


def definition_patterns(name):
    """Regexes (one line each, for Python and for git grep -E) that find where name
    is defined: a C function at the start of a line (its return type on the line
    before, or before it on the line; its body on the next lines or after it on the
    line), a macro, an assembly label, a Python def."""
    n = re.escape(name)
    return [r"^([A-Za-z_][A-Za-z0-9_ *]*[ *])?%s\(([^;]*|[^)]*\)[ \t]*\{.*)$" % n,
            r"^#[ \t]*define[ \t]+%s\(" % n, r"^%s:" % n, r"^[ \t]*def %s\(" % n]


@test("design: every file labs/design.md names is in the tree", timeout=60)
def t_paths(t):
    files = set(tree_files())
    dirs = set()
    for f in files:
        while "/" in f:
            f = f.rsplit("/", 1)[0]
            dirs.add(f)
    missing = []
    for line, s in quoted():
        if not is_path(s) or s in NOT_IN_TREE:
            continue
        p = s.rstrip("/")
        if p in files or p in dirs:
            continue
        missing.append("`%s` (line %d)" % (s, line))
    t.check(not missing, "labs/design.md names %d path(s) that are not in the tree: %s"
            % (len(missing), ", ".join(missing)))


@test("design: every function labs/design.md names as name() is defined in the tree",
      timeout=60)
def t_functions(t):
    texts = {f: read(f) for f in tree_files() if f.endswith(SOURCE_EXT)}
    missing = []
    for line, s in quoted():
        m = re.fullmatch(r"([A-Za-z_]\w*)\(\)", s)
        if not m:
            continue
        pats = definition_patterns(m.group(1))
        if any(re.search(p, text, re.M) for text in texts.values() for p in pats):
            continue
        missing.append("%s (line %d)" % (s, line))
    t.check(not missing, "labs/design.md names %d function(s) that nothing in the tree "
            "defines: %s" % (len(missing), ", ".join(missing)))


@test("design: every name with an underscore labs/design.md quotes (a constant, a field, "
      "a label) occurs in the source", timeout=60)
def t_identifiers(t):
    words = set()
    for f in tree_files():
        if f.endswith(SOURCE_EXT) or os.path.basename(f) == "Makefile":
            words.update(re.findall(r"[A-Za-z_]\w*", read(f)))
    missing = []
    for line, s in quoted():
        if not re.fullmatch(r"[A-Za-z]\w*_\w*", s) or s in words:
            continue
        missing.append("`%s` (line %d)" % (s, line))
    t.check(not missing, "labs/design.md quotes %d name(s) that no source file has: %s"
            % (len(missing), ", ".join(missing)))


@test("design: every file with a lab block is named in section 11 of labs/design.md",
      timeout=60)
def t_lab_blocks(t):
    m = re.search(r"^## 11\..*?(?=^## 12\.)", read(DESIGN), re.M | re.S)
    t.check(m, "labs/design.md has no section 11 (labs) followed by section 12")
    design = m.group(0)
    unnamed = [f for f in tree_files()
               if f.endswith(SOURCE_EXT) and LAB_BLOCK.search(read(f))
               and "`%s`" % f not in design]
    t.check(not unnamed, "these files hold LAB blocks, but section 11 of labs/design.md "
            "does not name them: %s" % ", ".join(unnamed))


@test("docs: no file of the tree points readers outside it (the shared design notes)",
      timeout=60)
def t_no_outside(t):
    bad = []
    for f in tree_files():
        try:
            text = read(f)
        except OSError:
            continue
        for i, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                bad.append("%s:%d" % (f, i))
    t.check(not bad, "these lines refer to files outside the project, which a student's "
            "tree does not have (say it in labs/design.md instead): %s" % ", ".join(bad))
