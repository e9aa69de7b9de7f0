#!/bin/sh
# Prints the compiled test files `npm test` runs, in the order it starts them: test/reliability
# first, then the rest alphabetically. The reliability files are the longest (they restart
# PostgreSQL, kill workers and wait for queues to settle: up to two minutes each, mostly waiting), so
# started last they would run on alone after every other file had finished.
{
  find test/reliability -name '*.test.ts' | sort
  find test -name '*.test.ts' ! -path 'test/reliability/*' | sort
} | sed 's|^\(.*\)\.ts$|.build/\1.js|'
