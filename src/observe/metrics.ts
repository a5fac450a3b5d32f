import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets (seconds) for requests and device round trips: 1 ms … 60 s. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Store statements: 0.1 ms … 5 s. */
const QUERY_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** Exposition text from elsewhere (the Temporal SDK's runtime, the embedded temporal-lite), appended to a scrape. */
export type MetricsSource = () => Promise<string>;

/**
 * The metrics of one hub process (a registry of its own, so hubs started side by side in one test
 * process do not share series). Every label has a bounded set of values: route templates, job
 * types and statuses, outcome names, statement kinds; never a device id or a job id.
 * Names follow https://prometheus.io/docs/practices/naming/.
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly sources: MetricsSource[] = [];

  readonly httpRequestDuration = new Histogram({
    name: 'iothub_http_request_duration_seconds',
    help: 'REST requests by method, route template and status code (its _count counts the requests)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly storeQueryDuration = new Histogram({
    name: 'iothub_store_query_duration_seconds',
    help: "Statements run on the hub's store, by dialect and statement kind",
    labelNames: ['dialect', 'statement'] as const,
    buckets: QUERY_BUCKETS,
    registers: [this.registry],
  });

  readonly jobsCreated = new Counter({
    name: 'iothub_jobs_created_total',
    help: 'Jobs accepted by this process (api role), by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly jobsStarted = new Counter({
    name: 'iothub_jobs_started_total',
    help: 'Jobs whose devices this process (worker role) began resolving, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: 'iothub_jobs_finished_total',
    help: 'Jobs this process (worker role) recorded as finished, by type and final status',
    labelNames: ['type', 'status'] as const,
    registers: [this.registry],
  });

  readonly devicesProcessed = new Counter({
    name: 'iothub_job_devices_processed_total',
    help: 'Device outcomes of jobs written by this process (worker role), by job type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly methodRoundTrip = new Histogram({
    name: 'iothub_method_round_trip_seconds',
    help: 'Direct-method calls from this process (REST or jobs), request to answer, by outcome',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly twinWriteDuration = new Histogram({
    name: 'iothub_twin_write_duration_seconds',
    help: 'Twin writes to the store, by operation (service update, reported patch, twin job batch)',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  /** `process: true` adds prom-client's process and Node.js metrics (CPU, memory, event loop, GC). */
  constructor(options: { process?: boolean } = {}) {
    if (options.process) collectDefaultMetrics({ register: this.registry });
  }

  private readonly readFailures = new Counter({
    name: 'iothub_metrics_read_failures_total',
    help: 'Scrape-time reads that failed (e.g. Temporal unreachable for iothub_jobs), by metric; the metric is left out of that scrape',
    labelNames: ['metric'] as const,
    registers: [this.registry],
  });

  /** A gauge whose value is read at scrape time (`read` sets it; a failed read leaves it out of the scrape, the rest is served). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: (gauge: Gauge<L>) => Promise<void> | void): Gauge<L> {
    const failures = this.readFailures;
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          await read(this);
        } catch {
          this.reset();
          failures.inc({ metric: name });
        }
      },
    });
  }

  /** A counter kept elsewhere (e.g. the gateway's plain counters), copied in at scrape time. */
  counterFrom<L extends string>(name: string, help: string, labelNames: readonly L[], read: () => ReadonlyArray<[Partial<Record<L, string>>, number]>): void {
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, value] of read()) this.inc(labels, value);
      },
    });
  }

  addSource(source: MetricsSource): void {
    this.sources.push(source);
  }

  readonly contentType = this.registry.contentType;

  /** The exposition text: this registry's metrics, then each source's (a failing source is left out, noted in a comment). */
  async text(): Promise<string> {
    const parts = [await this.registry.metrics()];
    for (const source of this.sources) {
      parts.push(await source().catch((err: unknown) => `# source unavailable: ${err instanceof Error ? err.message : String(err)}\n`));
    }
    return parts.map((part) => (part.endsWith('\n') || part === '' ? part : `${part}\n`)).join('');
  }
}

/** Seconds since `start` (a performance.now() reading). */
export const secondsSince = (start: number): number => (performance.now() - start) / 1000;

/** Wraps an async function so each call's duration is observed (also when it throws). */
export function timed<A extends unknown[], R>(fn: (...args: A) => Promise<R>, observe: (seconds: number) => void): (...args: A) => Promise<R> {
  return async (...args) => {
    const start = performance.now();
    try {
      return await fn(...args);
    } finally {
      observe(secondsSince(start));
    }
  };
}
