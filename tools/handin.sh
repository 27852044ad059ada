#!/bin/bash
# handin.sh LAB: pack lab LAB's hand-in (make handin): labs/answers-labLAB.txt
# and the student's changes against the handout (tag handout-labLAB, which
# tools/handout.sh made: every change of the working tree, committed or not,
# new files included, out/ and grade/logs/ left out) into handin-labLAB.tar.gz.
# Refuses without answers: a hand-in is the code and the answers.
set -e
lab=$1
if [ -z "$lab" ] && [ -f .handout ]; then
  lab=$(sed -n 's/^lab \([0-9]*\)$/\1/p' .handout)
fi
case "$lab" in
  ''|*[!0-9]*) echo "usage: make handin LAB=n (a student tree knows its lab: .handout)" >&2
               exit 2;;
esac
answers=labs/answers-lab$lab.txt
tag=handout-lab$lab
if [ ! -s "$answers" ]; then
  echo "handin: no answers: write them in $answers (the questions are in" \
       "$(ls labs/lab"$lab"-*.md 2>/dev/null | head -1)), numbered 1., 2., ..." >&2
  exit 1
fi
if ! command -v git >/dev/null 2>&1 || ! git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
  echo "handin: no git tag $tag here: make handin works in the student tree that" \
       "make handout wrote (a git repository)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every change against the handout, without touching the student's own index.
cp "$(git rev-parse --git-dir)/index" "$work/index" 2>/dev/null || true
GIT_INDEX_FILE="$work/index" git add -A .
GIT_INDEX_FILE="$work/index" git diff --cached "$tag" -- . ':!out' ':!grade/logs' \
  ':!handin-lab*.tar.gz' > "$work/lab$lab.diff"
mkdir "$work/handin-lab$lab"
cp "$answers" "$work/lab$lab.diff" "$work/handin-lab$lab/"
tar -czf "handin-lab$lab.tar.gz" -C "$work" "handin-lab$lab"
echo "handin: handin-lab$lab.tar.gz: $answers and lab$lab.diff" \
     "($(grep -c '^diff --git' "$work/lab$lab.diff" || true) files changed since $tag)"
