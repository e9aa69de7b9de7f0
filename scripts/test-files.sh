#!/bin/sh
# Prints the compiled test files `npm test` runs, in the order it starts them: test/reliability and
# test/web first, then the rest alphabetically. Those are the longest files (the reliability ones
# restart PostgreSQL, kill workers and wait for queues to settle, up to two minutes each; the web
# ones drive Chromium through the console), so started last they would run on alone after every
# other file had finished.
{
  find test/reliability test/web -name '*.test.ts' | sort
  find test -name '*.test.ts' ! -path 'test/reliability/*' ! -path 'test/web/*' | sort
} | sed 's|^\(.*\)\.ts$|.build/\1.js|'
