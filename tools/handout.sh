#!/bin/bash
# handout.sh LAB DIR: write the student tree for lab LAB into DIR (make handout).
# The solution is the tree itself (design.md section 11): in every C or assembly
# source, each block between `/* LAB n: BEGIN */` and `/* LAB n: END */` with
# n >= LAB is replaced by one line
# `/* LAB n: your code here */` at the same indentation, so the student's tree
# builds but does not yet do what lab LAB asks. One exception, KEEP_EARLIER:
# a later lab whose code the earlier labs run on keeps its solution in their
# handouts. Lab 4's blocks are shadow paging itself, and every paged guest of
# labs 1-3 (xv6a, lab 2's pass-mode disks, lab 3's xv6a-trap) runs on it; a
# lab 1-3 tree without it could not boot them. Lab 4's handout cuts them. Only files git tracks are copied
# (with their uncommitted changes), but never what is the solution tree's alone:
# the staff's answers (labs/answers-lab*.txt), the graders' own tests
# (grade/graders.py) and the suites that need the solution (lines of
# grade/suites.txt marked "solution tree only").
# The student tree is a git repository with one commit, tagged handout-labN, so
# that `make handin` can pack the student's changes; its .handout file says
# which lab it is for, and in it this script refuses to run.
set -e
KEEP_EARLIER="4"          # labs whose blocks earlier labs' handouts keep (above)
lab=$1
dir=$2
if [ -z "$lab" ] || [ -z "$dir" ]; then
  echo "usage: tools/handout.sh LAB DIR" >&2
  exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -f .handout ]; then
  echo "handout: this is a student tree ($(head -1 .handout)); handouts are made from" \
       "the solution tree" >&2
  exit 2
fi
labs=$(ls labs/lab*-*.md 2>/dev/null | sed 's|labs/lab\([0-9]*\)-.*|\1|' | sort -n | tr '\n' ' ')
case "$lab" in
  ''|*[!0-9]*) echo "handout: LAB must be a number; the labs are: ${labs% }" >&2; exit 2;;
esac
if ! ls labs/lab"$lab"-*.md >/dev/null 2>&1 || [ ! -f grade/lab"$lab".py ]; then
  echo "handout: there is no lab $lab (no labs/lab$lab-*.md and grade/lab$lab.py);" \
       "the labs are: ${labs% }" >&2
  exit 2
fi
if ! git rev-parse --show-toplevel >/dev/null 2>&1; then
  echo "handout: $top is not a git checkout: the handout copies the files git tracks" >&2
  exit 2
fi
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
  echo "handout: $dir exists and is not empty: remove it or choose another (HANDOUT=dir)" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
git ls-files -z | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue
  case "$f" in
    labs/answers-lab*.txt|grade/graders.py) continue;;
  esac
  mkdir -p "$dir/$(dirname "$f")"
  if [ "$f" = grade/suites.txt ]; then
    grep -v 'solution tree only' "$f" > "$dir/$f"
  elif case "$f" in *.c|*.S|*.h) true;; *) false;; esac &&
       grep -q 'LAB [0-9]*: BEGIN' "$f" 2>/dev/null; then
    awk -v lab="$lab" -v file="$f" -v keep="$KEEP_EARLIER" '
      BEGIN { split(keep, k, " "); for (i in k) kept[k[i]] = 1 }
      match($0, /\/\* LAB [0-9]+: BEGIN \*\//) {
        n = substr($0, RSTART + 7) + 0
        if (n == lab || (n > lab && !(n in kept))) {
          indent = substr($0, 1, RSTART - 1)
          print indent "/* LAB " n ": your code here */"
          skipping = n
          next
        }
      }
      skipping && match($0, /\/\* LAB [0-9]+: END \*\//) {
        skipping = 0
        next
      }
      !skipping { print }
      END { if (skipping) { print "handout: " file ": LAB " skipping " BEGIN without END" > "/dev/stderr"; exit 1 } }
    ' "$f" > "$dir/$f"
  else
    cp -p "$f" "$dir/$f"
  fi
done
commit=$(git rev-parse --short HEAD)
{
  echo "lab $lab"
  echo "# The student tree for lab $lab of vmos, written by tools/handout.sh from commit"
  echo "# $commit of the solution tree. make handin packs your work against the tag"
  echo "# handout-lab$lab; make grade grades it."
} > "$dir/.handout"
cd "$dir"
git init -q
git add -A
git -c user.name="vmos handout" -c user.email="handout@vmos.invalid" \
    commit -q -m "lab $lab handout (from solution commit $commit)"
git tag handout-lab"$lab"
echo "handout: lab $lab written to $dir"
