import { Router, type Response } from 'express';
import { z } from 'zod';
import { requirePermission } from '../api/auth.js';
import { parseInput } from '../api/validate.js';
import { parseSasToken } from '../auth/sas-token.js';
import { JOB_ID } from '../jobs/request.js';
import type { JobWatcher } from './job-watcher.js';

/** Jobs one stream may watch (a page of the console's job list). */
export const MAX_WATCHED_JOBS = 100;
const KEEPALIVE_MS = 15_000;

export const jobEventsQuery = z.object({
  ids: z
    .string()
    .transform((text) => [...new Set(text.split(',').filter(Boolean))])
    .refine((ids) => ids.length >= 1 && ids.length <= MAX_WATCHED_JOBS, `expected 1 to ${MAX_WATCHED_JOBS} comma-separated job ids`)
    .refine((ids) => ids.every((id) => JOB_ID.test(id)), 'expected job ids (ASCII letters, digits and -)'),
});

/** One server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html): JSON has no raw newlines. */
const send = (res: Response, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * `GET /console/job-events?ids=a,b`: the console's live view of jobs as server-sent events, `job`
 * with a JobResponse whenever one changes and `error` when one cannot be read. Authenticated like
 * every route (a SAS token in the Authorization header, so the page reads it with fetch rather
 * than EventSource, which cannot send headers); the stream ends when the token expires, and the
 * page reconnects with a fresh one. Reads go through the shared JobWatcher: one poll per job
 * however many pages watch it.
 */
export function jobEventsRouter(watcher: JobWatcher): Router {
  const router = Router();
  router.get('/console/job-events', requirePermission('RegistryRead', 'ServiceConnect'), (req, res) => {
    const { ids } = parseInput(jobEventsQuery, req.query, 'query parameters');
    // Authenticated already: the header holds a well-formed, unexpired token.
    const expiresAt = Number(parseSasToken(req.get('authorization')!).se) * 1000;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const listener = { job: (job: unknown) => send(res, 'job', job), error: (jobId: string, error: unknown) => send(res, 'error', { jobId, error }) };
    const unsubscribes = ids.map((id) => watcher.subscribe(id, listener));
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    const expiry = setTimeout(
      () => {
        send(res, 'expired', { at: new Date(expiresAt).toISOString() });
        res.end();
      },
      Math.max(0, Math.min(expiresAt - Date.now(), 2 ** 31 - 1)),
    );
    res.on('close', () => {
      clearInterval(keepalive);
      clearTimeout(expiry);
      for (const unsubscribe of unsubscribes) unsubscribe();
    });
  });
  return router;
}
