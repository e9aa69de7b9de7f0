#!/bin/sh
# Prints the compiled test files `npm test` runs, the longest first: those scripts/test-order.txt
# names, in its order, then the rest in path order. Started late, a long file (a PostgreSQL restart,
# a review queue waiting on OCR) ends the run alone while the other slots sit idle.
#
# `node --test` sorts the paths it is given, so the order is carried by names: each file is given
# through a symlink .build/test-order/NNN-<its path, / as _>.js, NNN its place. Node loads the file
# the link points to, so import.meta.url and the file's relative imports are those of the file in
# .build/test/ (checked: a linked file's import.meta.url names its target).
set -eu
order=.build/test-order
rm -rf "$order"
mkdir -p "$order"
{
  # The listed files first (those that still exist), then every other test file in path order.
  find test -name '*.test.ts' | sort >"$order/all"
  grep -v -e '^#' -e '^$' scripts/test-order.txt | awk 'NR == FNR { all[$0] = 1; next } ($0 in all) && !seen[$0]++' "$order/all" -
  grep -v -x -F -f scripts/test-order.txt "$order/all"
} | awk '!seen[$0]++' | {
  n=0
  while read -r file; do
    n=$((n + 1))
    compiled=${file%.ts}.js
    link=$(printf '%s/%03d-%s' "$order" "$n" "$(echo "$compiled" | tr / _)")
    ln -s "../$compiled" "$link"
    echo "$link"
  done
}
rm "$order/all"
