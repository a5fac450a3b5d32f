import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Served by the hub at /ui/. Styles go to a .css file and scripts to hashed modules (the page's
// Content-Security-Policy allows no inline script or style); no module-preload polyfill, which
// every browser that has WebCrypto and fetch streams no longer needs.
export default defineConfig({
  base: '/ui/',
  plugins: [svelte()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
