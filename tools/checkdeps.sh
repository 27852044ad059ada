#!/bin/sh
# checkdeps.sh: does this machine have what vmos builds, runs, debugs and grades
# with? Called by every `make`. Run as root on Debian, it installs what is missing
# with apt-get (unless VMOS_NO_INSTALL is set); otherwise it names each missing tool with the command that
# installs it and fails.
missing_pkgs=""
report=""

need() {   # need TOOL PACKAGE [WHY]
  if ! command -v "$1" >/dev/null 2>&1; then
    missing_pkgs="$missing_pkgs $2"
    report="$report\n  $1 (Debian package $2)${3:+: $3}"
  fi
}

can_m32() {   # can gcc build 32-bit x86 code?
  printf 'int f(int x) { return x + 1; }\n' |
    gcc -m32 -ffreestanding -c -x c -o /dev/null - >/dev/null 2>&1
}

check() {
  missing_pkgs=""
  report=""
  need gcc gcc
  need ld binutils
  need objdump binutils
  need nm binutils
  need make make
  need qemu-system-i386 qemu-system-x86 "runs vmos"
  need gdb gdb "for make gdb"
  need python3 python3 "runs the graders"
  if command -v gcc >/dev/null 2>&1 && ! can_m32; then
    missing_pkgs="$missing_pkgs gcc-multilib"
    report="$report\n  gcc -m32 support (Debian package gcc-multilib)"
  fi
}

check
[ -z "$missing_pkgs" ] && exit 0

if [ "$(id -u)" = 0 ] && [ -z "$VMOS_NO_INSTALL" ] && command -v apt-get >/dev/null 2>&1; then
  echo "vmos: installing missing packages:$missing_pkgs"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq $missing_pkgs >/dev/null
  check
  [ -z "$missing_pkgs" ] && exit 0
  printf "vmos: still missing after apt-get install:$report\n" >&2
  exit 1
fi

printf "vmos: missing tools:$report\n" >&2
echo "vmos: install them with: sudo apt-get install$missing_pkgs" >&2
exit 1
