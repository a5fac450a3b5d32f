import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** TypeScript in components (types stripped by vite); component styles extracted into the CSS file. */
export default { preprocess: vitePreprocess(), compilerOptions: { css: 'external' } };
