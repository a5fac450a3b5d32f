import autoprefixer from 'autoprefixer';
import { fileURLToPath } from 'node:url';
import tailwindcss from 'tailwindcss';
import nesting from 'tailwindcss/nesting/index.js';

export default { plugins: [nesting(), tailwindcss(fileURLToPath(new URL('./tailwind.config.cjs', import.meta.url))), autoprefixer()] };
