// The workloads: many one-activity workflows kept in flight, one workflow fanning out to many
// activities, and one-at-a-time workflows for latency. Every loop is bounded by a deadline.
import type { Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { TASK_QUEUE } from './stack.js';

const COUNT_INTERVAL_MS = 20;
const EAGER = process.env.EAGER !== '0';

function checkDeadline(deadline: number, what: string): void {
  if (performance.now() > deadline) throw new Error(`${what} did not finish within its time limit`);
}

/**
 * Completes `total` one-activity workflows, keeping up to `window` open. Starts are plain start
 * RPCs and completion is detected in bulk by counting the open ones, so the measurement adds
 * no result long poll per workflow. Calls `onProgress(completed)` after each count.
 */
export async function runWorkflows(
  client: Client,
  prefix: string,
  total: number,
  window: number,
  timeLimitMs: number,
  onProgress?: (completed: number) => void,
): Promise<void> {
  const deadline = performance.now() + timeLimitMs;
  const scope = `WorkflowId STARTS_WITH "${prefix}-"`;
  let started = 0;
  for (;;) {
    const open = (await client.workflow.count(`${scope} AND ExecutionStatus = "Running"`)).count;
    onProgress?.(started - open);
    if (started === total && open === 0) break;
    const starts = Math.min(window - open, total - started);
    const batch = Array.from({ length: Math.max(0, starts) }, (_, k) =>
      client.workflow.start('oneActivity', { taskQueue: TASK_QUEUE, workflowId: `${prefix}-${started + k}`, args: [started + k], requestEagerStart: EAGER }),
    );
    started += batch.length;
    await Promise.all(batch);
    await sleep(COUNT_INTERVAL_MS);
    checkDeadline(deadline, `${total} workflows (${prefix})`);
  }
  const completed = (await client.workflow.count(`${scope} AND ExecutionStatus = "Completed"`)).count;
  if (completed !== total) throw new Error(`${prefix}: only ${completed} of ${total} workflows completed`);
}

/** One workflow running `count` activities, `parallel` at a time. */
export async function fanOut(client: Client, workflowId: string, count: number, parallel: number, timeLimitMs: number): Promise<void> {
  const handle = await client.workflow.start('fanOut', { taskQueue: TASK_QUEUE, workflowId, args: [count, parallel] });
  const sum = await Promise.race([
    handle.result(),
    sleep(timeLimitMs, undefined, { ref: false }).then(() => {
      throw new Error(`fan-out of ${count} activities did not finish within its time limit`);
    }),
  ]);
  if (sum !== (count * (count - 1)) / 2) throw new Error(`fan-out returned ${sum}`);
}

/** Start-to-completion latencies (ms) of `count` one-activity workflows run one after another. */
export async function latencies(client: Client, prefix: string, count: number, timeLimitMs: number): Promise<number[]> {
  const deadline = performance.now() + timeLimitMs;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const result = await client.workflow.execute('oneActivity', { taskQueue: TASK_QUEUE, workflowId: `${prefix}-${i}`, args: [i] });
    out.push(performance.now() - t0);
    if (result !== i) throw new Error(`workflow ${prefix}-${i} returned ${result}`);
    checkDeadline(deadline, `latency run (${prefix})`);
  }
  return out;
}

export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
