// The Temporal Web UI as a static single-page app: SvelteKit renders every route in the browser
// (ssr is off in the root layout), adapter-static writes the bundle and one fallback page, which
// temporal-lite serves for any path that names no file.
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    prerender: { entries: [] },
    // Only the page's own (hashed) start-up script runs; what it loads is trusted through it.
    csp: { mode: 'auto', directives: { 'script-src': ['strict-dynamic'] } },
    version: { pollInterval: 0 },
  },
};
