// Where the built Web UI is: the `temporal-ui` workspace's build output (npm run build), or a
// directory given with --ui-asset-path. Its stamp file says which @temporalio/ui it was built from.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FALLBACK_PAGE } from './static-files.js';

/** Written by the UI build beside its output. */
export const BUILD_STAMP = 'temporal-ui.json';

export interface UiAssets {
  dir: string;
  /** The @temporalio/ui version it was built from. */
  uiVersion: string;
}

/** The temporal-ui workspace's build directory (which may not be built yet). */
export function defaultUiAssetsDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('temporal-ui/package.json')), 'build');
  } catch {
    return undefined;
  }
}

/** The built UI in `dir`; undefined when there is none (not built). */
export function readUiAssets(dir: string | undefined): UiAssets | undefined {
  if (!dir || !existsSync(join(dir, FALLBACK_PAGE))) return undefined;
  let uiVersion = '';
  try {
    const stamp: unknown = JSON.parse(readFileSync(join(dir, BUILD_STAMP), 'utf8'));
    if (typeof stamp === 'object' && stamp !== null && 'uiVersion' in stamp && typeof stamp.uiVersion === 'string') uiVersion = stamp.uiVersion;
  } catch {
    // A build from elsewhere (--ui-asset-path) may have no stamp.
  }
  return { dir, uiVersion };
}
