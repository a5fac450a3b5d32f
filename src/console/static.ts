import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { Router, type Response } from 'express';

/** Where the console is served on the REST ports. */
export const CONSOLE_PATH = '/ui/';

/** What the page needs before sign-in (nothing secret): the hub's name for SAS `sr`, the Temporal Web UI. */
export interface ConsoleSettings {
  hostName: string;
  /** Base URL of a Temporal Web UI showing the jobs' workflows, and their namespace. */
  temporalUi?: { url: string; namespace: string };
}

/**
 * Scripts and styles only from the console's own files (no inline script, no eval), requests
 * only to this origin (the REST API), never framed (https://developer.mozilla.org/docs/Web/HTTP/CSP).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** The hub-console workspace's build output (npm run build), which may not be built yet. */
export function consoleAssetsDir(): string | undefined {
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve('hub-console/package.json')), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

const secured = (res: Response) => res.set(SECURITY_HEADERS);

/**
 * The operator's console as static files at /ui/ (before the API's api-version check and SAS
 * authentication: the page holds no data; everything it shows it reads from the API with the
 * user's token). Files under assets/ carry content hashes in their names and are cached for good.
 */
export function consoleRouter(settings: ConsoleSettings, dir = consoleAssetsDir()): Router {
  // Strict: `/ui` (redirected) and `/ui/` (the page) are different paths.
  const router = Router({ strict: true });
  router.get('/ui', (_req, res) => res.redirect(301, CONSOLE_PATH));
  router.get(`${CONSOLE_PATH}settings.json`, (_req, res) => {
    secured(res).set('Cache-Control', 'no-store').json(settings);
  });
  if (dir) {
    router.use(
      CONSOLE_PATH,
      express.static(dir, {
        index: 'index.html',
        setHeaders(res, path) {
          for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
          res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
  }
  const missing = dir ? 'No such file in the console.' : 'The console is not built: run `npm run build` in the hub repository, then restart the hub.';
  router.use(CONSOLE_PATH, (_req, res) => {
    secured(res).status(404).type('text/plain').send(`${missing}\n`);
  });
  return router;
}
