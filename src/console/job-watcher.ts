import { isHubError } from '../errors/hub-error.js';
import type { JobResponse } from '../../workflows/types.js';

/** What a viewer of a job hears: its state whenever it changes, or why it cannot be read. */
export interface JobListener {
  job(job: JobResponse): void;
  error(jobId: string, error: JobError): void;
}

export interface JobError {
  code: string;
  message: string;
}

interface Watch {
  listeners: Set<JobListener>;
  last?: JobResponse;
  lastJson?: string;
  /** Why the job cannot be read, when it is not found. */
  lastError?: JobError;
  timer?: NodeJS.Timeout;
  /** A final state (or a job that does not exist) is not polled again. */
  settled: boolean;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * One poll per watched job, shared by every viewer: the first subscriber starts reading the job
 * every `intervalMs` (reads never overlap: one slower than that is followed at once by the next),
 * each change goes to all subscribers, and the last one leaving stops it. A job that has ended is
 * read no more; a late subscriber gets the last state at once. Twice a second by default, so a
 * job whose counts move every second (the most often a job tells its progress) shows each move.
 */
export class JobWatcher {
  private readonly watches = new Map<string, Watch>();
  private closed = false;

  constructor(
    private readonly read: (jobId: string) => Promise<JobResponse>,
    private readonly intervalMs = 500,
  ) {}

  /** Polls running (for tests and benchmarks). */
  get activePolls(): number {
    return [...this.watches.values()].filter((watch) => !watch.settled).length;
  }

  subscribe(jobId: string, listener: JobListener): () => void {
    let watch = this.watches.get(jobId);
    if (!watch) {
      watch = { listeners: new Set(), settled: false };
      this.watches.set(jobId, watch);
      void this.poll(jobId, watch);
    } else if (watch.last) listener.job(watch.last);
    else if (watch.lastError) listener.error(jobId, watch.lastError);
    watch.listeners.add(listener);
    const joined = watch;
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size > 0 || this.watches.get(jobId) !== joined) return;
      clearTimeout(joined.timer);
      this.watches.delete(jobId);
    };
  }

  close(): void {
    this.closed = true;
    for (const watch of this.watches.values()) clearTimeout(watch.timer);
    this.watches.clear();
  }

  private async poll(jobId: string, watch: Watch): Promise<void> {
    const started = Date.now();
    try {
      const job = await this.read(jobId);
      const json = JSON.stringify(job);
      if (json !== watch.lastJson) {
        watch.last = job;
        watch.lastJson = json;
        for (const listener of watch.listeners) listener.job(job);
      }
      watch.settled = FINAL.has(job.status);
    } catch (err) {
      const error: JobError = isHubError(err)
        ? { code: err.code, message: err.message }
        : { code: 'ServerError', message: 'The job could not be read; retrying' };
      for (const listener of watch.listeners) listener.error(jobId, error);
      watch.settled = isHubError(err) && err.httpStatus === 404;
      if (watch.settled) watch.lastError = error;
    }
    if (this.closed || watch.settled || this.watches.get(jobId) !== watch) return;
    watch.timer = setTimeout(() => void this.poll(jobId, watch), Math.max(0, started + this.intervalMs - Date.now()));
    watch.timer.unref();
  }
}
