#!/bin/bash
# gdbport.sh: print a TCP port that no socket on this machine uses, for QEMU's gdb
# stub (make qemu-gdb, make qemu-nox-gdb). A port derived from the user id is the
# same for every root user of a shared machine; a random one below the kernel's
# ephemeral range, checked against /proc/net/tcp{,6}, is not. Another program may
# still take it before QEMU does: QEMU then says the port is in use, and the next
# run picks another.
lo=25000 hi=32767
used=" "
for f in /proc/net/tcp /proc/net/tcp6; do
  [ -r "$f" ] || continue
  while read -r _ local _; do               # local is ADDRESS:PORT, both in hex
    [[ $local == *:* ]] && used+="$((16#${local##*:})) "
  done < "$f"
done
for _ in $(seq 200); do
  port=$(( lo + $(od -An -N4 -tu4 /dev/urandom) % (hi - lo + 1) ))
  if [[ $used != *" $port "* ]]; then
    echo "$port"
    exit 0
  fi
done
echo "gdbport.sh: no free port found in $lo-$hi" >&2
exit 1
