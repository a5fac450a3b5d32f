// The server's own metrics in Prometheus text format, named after the Temporal server's where one
// exists (service_requests, service_latency, persistence_latency, approximate_backlog_count:
// https://docs.temporal.io/references/cluster-metrics), prefixed temporal_lite_.
import { status } from '@grpc/grpc-js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 90];

export interface Backlog {
  workflow: number;
  activity: number;
}

export class ServerMetrics {
  readonly registry = new Registry();

  private readonly rpc = new Histogram({
    name: 'temporal_lite_service_latency_seconds',
    help: 'RPCs answered, by method and gRPC status code (long polls included; _count counts the requests)',
    labelNames: ['method', 'code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly persistence = new Histogram({
    name: 'temporal_lite_persistence_latency_seconds',
    help: 'Group commits: the transaction, and the WAL sync before answers',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor(backlog: () => Backlog) {
    new Gauge({
      name: 'temporal_lite_approximate_backlog_count',
      help: 'Tasks waiting in task queues for a poller, by kind (workflow, activity)',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        const { workflow, activity } = backlog();
        this.set({ kind: 'workflow' }, workflow);
        this.set({ kind: 'activity' }, activity);
      },
    });
  }

  /** One RPC answered: `method` as `WorkflowService/StartWorkflowExecution`. */
  rpcAnswered(method: string, code: status, seconds: number): void {
    this.rpc.observe({ method, code: status[code] ?? String(code) }, seconds);
  }

  persisted(operation: 'transaction' | 'sync', seconds: number): void {
    this.persistence.observe({ operation }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** GET /metrics of a standalone server (its --metrics-port); anything else 404. */
export function metricsHandler(metrics: ServerMetrics): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err instanceof Error ? err.message : String(err)}\n`),
    );
  };
}
