#!/bin/bash
# handout.sh LAB DIR: write the student tree for lab LAB into DIR.
# The solution is the tree itself (DESIGN section 11): every block between
# `/* LAB n: BEGIN */` and `/* LAB n: END */` with n >= LAB is replaced by one line
# `/* LAB n: your code here */` at the same indentation, so the student's tree
# builds but does not yet do what lab LAB asks. Only files git tracks are copied
# (with their uncommitted changes).
set -e
lab=$1
dir=$2
if [ -z "$lab" ] || [ -z "$dir" ]; then
  echo "usage: tools/handout.sh LAB DIR" >&2
  exit 2
fi
case "$lab" in *[!0-9]*) echo "handout: LAB must be a number" >&2; exit 2;; esac
top=$(git rev-parse --show-toplevel)
cd "$top"
mkdir -p "$dir"
git ls-files -z | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue
  mkdir -p "$dir/$(dirname "$f")"
  if grep -q 'LAB [0-9]*: BEGIN' "$f" 2>/dev/null; then
    awk -v lab="$lab" -v file="$f" '
      match($0, /\/\* LAB [0-9]+: BEGIN \*\//) {
        n = substr($0, RSTART + 7) + 0
        if (n >= lab) {
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
echo "handout: lab $lab written to $dir"
