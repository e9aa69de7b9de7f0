#!/bin/sh
# Prints the temp directory `npm test` and `npm run test:times` give the test files: TMPDIR when it
# is set; else /dev/shm when it is a memory file system with at least 2 GiB free (a container's
# default 64 MiB is not); else /tmp. Every PGlite a test opens starts as a 40 MB copy of a template
# in the temp directory and writes its WAL there: on a memory file system the copy costs the kernel
# a tenth of the CPU and nothing waits for a disk.
if [ -n "${TMPDIR:-}" ]; then
  echo "$TMPDIR"
  exit 0
fi
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
  free_kib=$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')
  if [ "${free_kib:-0}" -ge 2097152 ]; then
    echo /dev/shm
    exit 0
  fi
fi
echo /tmp
