import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The admin console: a single-page app served by the gateway at /admin/ (src/api/console-static.ts),
// built into dist/web with every dependency bundled (no CDN, nothing fetched at run time).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline script or style anywhere: the CSP allows neither.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 200,
  },
});
