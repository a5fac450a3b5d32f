import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Absolute path of node_modules/.bin/temporal-lite; needs `npm run build` first. */
export function binPath(): string {
  const bin = join(root, 'node_modules', '.bin', 'temporal-lite');
  if (!existsSync(join(root, 'dist', 'temporal-lite', 'cli.js'))) throw new Error('dist/temporal-lite/cli.js is missing: run `npm run build` first');
  return bin;
}
