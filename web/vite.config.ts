// The admin center's build: `vite build web` (npm run build) writes static files to dist/web/,
// which `postern serve` serves under a strict Content-Security-Policy (src/api/web.ts): no inline
// script, no inline style, so nothing here may emit either.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // The preload polyfill is only for browsers without <link rel=modulepreload>; keep the output plain.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
});
