import { ApiError, type HubApi } from './api.js';
import { parseEvent } from './sse.js';
import type { Job } from './types.js';

export interface JobEventHandlers {
  job(job: Job): void;
  error(jobId: string, error: { code: string; message: string }): void;
  /** The stream's state: live, retrying after a drop, or refused by the hub (with its reason). */
  connection(state: 'live' | 'retrying' | 'refused', message?: string): void;
}

/**
 * Live states of jobs from the hub's `GET /console/job-events` stream. Read with fetch, not
 * EventSource: EventSource cannot send the Authorization header, and a token in the URL would
 * end up in logs and history. The stream ends when its token expires; it is reopened with a
 * fresh one, and after a drop with a growing delay. Returns the function that stops it.
 */
export function watchJobs(api: HubApi, ids: readonly string[], handlers: JobEventHandlers): () => void {
  const abort = new AbortController();
  void (async () => {
    let delayMs = 500;
    while (!abort.signal.aborted) {
      try {
        const response = await api.fetch('/console/job-events', {
          query: { ids: ids.join(',') },
          signal: abort.signal,
          headers: { Accept: 'text/event-stream' },
        });
        handlers.connection('live');
        delayMs = 500;
        await readEvents(response, handlers);
        continue; // ended by the hub (token expiry): reopen at once
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof ApiError && err.status < 500) {
          handlers.connection('refused', err.message);
          return;
        }
        handlers.connection('retrying', err instanceof Error ? err.message : String(err));
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 15_000);
    }
  })();
  return () => abort.abort();
}

async function readEvents(response: Response, handlers: JobEventHandlers): Promise<void> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const parsed = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      if (!parsed) continue;
      const data: unknown = JSON.parse(parsed.data);
      if (parsed.event === 'job') handlers.job(data as Job);
      else if (parsed.event === 'error') {
        const { jobId, error } = data as { jobId: string; error: { code: string; message: string } };
        handlers.error(jobId, error);
      }
    }
  }
}
