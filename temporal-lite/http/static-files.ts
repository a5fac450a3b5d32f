// The Web UI's files: a single-page app built with SvelteKit's adapter-static, whose pages load
// from `/_app/...`. A path that names no file gets the app's fallback page, which routes it.
import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** The app's fallback page: every route of the app is rendered by it in the browser. */
export const FALLBACK_PAGE = 'index.html';

function fileIn(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Sends the file `pathname` names under `root`, or the fallback page; false if neither exists. */
export function sendStaticFile(root: string, pathname: string, res: ServerResponse, headOnly: boolean): boolean {
  const asset = fileIn(root, pathname);
  // A missing script or style is a 404 (a page would only hide the mistake); anything else is a route of the app.
  const path = asset ?? (pathname.startsWith('/_app/') ? undefined : fileIn(root, `/${FALLBACK_PAGE}`));
  if (!path) return false;
  const { size } = statSync(path);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'Content-Length': size,
    // Files under _app/immutable have content hashes in their names; the rest may change with a rebuild.
    'Cache-Control': pathname.startsWith('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (headOnly) res.end();
  else createReadStream(path).pipe(res);
  return true;
}
