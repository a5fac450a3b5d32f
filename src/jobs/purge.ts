import type { Logger } from '../logger.js';
import type { JobRecordStore } from '../registry/job-records.js';
import { formatHubTime } from '../registry/time.js';
import type { WebhookStore } from '../webhooks/store.js';

const DAY_MS = 24 * 3600_000;

/**
 * Deletes finished jobs (and their device records), and webhook delivery records, older than the
 * retention, now and then every `intervalMs`. Several workers may purge at once: deletes are idempotent. Returns a stopper that
 * also waits for a purge in progress.
 */
export function schedulePurge(
  store: Pick<JobRecordStore, 'purgeFinishedJobs'> & Pick<WebhookStore, 'purgeWebhookDeliveries'>,
  options: { retentionDays: number; intervalMs: number; log: Logger },
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const purge = () => {
    running = running.then(async () => {
      try {
        const cutoff = formatHubTime(new Date(Date.now() - options.retentionDays * DAY_MS));
        const { jobs, records } = await store.purgeFinishedJobs(cutoff);
        if (jobs > 0) options.log.info({ jobs, records }, `Purged ${jobs} jobs finished over ${options.retentionDays} days ago (${records} device records)`);
        await store.purgeWebhookDeliveries(cutoff);
      } catch (err) {
        options.log.error({ err }, 'Purging expired jobs failed');
      }
    });
  };
  purge();
  const timer = setInterval(purge, options.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
