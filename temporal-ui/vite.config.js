import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The UI library reads these at build time: its API is on the page's own origin (temporal-lite
// serves both), and it runs as a local (not Temporal Cloud) UI.
process.env.VITE_API = '';
process.env.VITE_TEMPORAL_UI_BUILD_TARGET = 'local';

export default defineConfig({
  plugins: [sveltekit()],
  logLevel: 'warn',
  build: {
    // The UI's pages are large; a warning per chunk says nothing here.
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
});
