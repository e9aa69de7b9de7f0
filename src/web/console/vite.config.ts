// The console's build: Preact through Vite, into dist/console, served by `veil serve` at /console/.
// Run from the package root (`npm run build:console`). No inline script (the CSP forbids it), no
// module-preload polyfill (an inline helper in older set-ups), nothing fetched from elsewhere.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/web/console',
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    sourcemap: false,
  },
});
