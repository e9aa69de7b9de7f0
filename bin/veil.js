#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the `prepare` script).
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('veil: the build is missing; run `npm install` (or `npm run build`) first\n');
    process.exit(2);
  }
  throw error;
});
