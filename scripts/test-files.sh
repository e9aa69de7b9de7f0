#!/bin/sh
# Prints the compiled test files `npm test` runs: test/reliability first, then the rest
# alphabetically. The reliability files are the longest (they restart PostgreSQL, kill workers and
# wait for queues to settle: up to two minutes each, mostly waiting), so they were meant to start
# first. Node 20's `node --test` sorts the paths it is given, though, so it starts them in plain
# path order whatever this prints (checked with two files given in reverse order, 2026-12-07);
# starting them first needs entry files whose names sort first.
{
  find test/reliability -name '*.test.ts' | sort
  find test -name '*.test.ts' ! -path 'test/reliability/*' | sort
} | sed 's|^\(.*\)\.ts$|.build/\1.js|'
