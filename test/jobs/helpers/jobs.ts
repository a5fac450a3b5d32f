import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import type { JobsService } from '../../../src/jobs/service.js';
import type { DeviceJobRecord } from '../../../src/registry/job-records.js';
import { parentHistoryBound, shardRunHistoryBound } from '../../../workflows/history-bounds.js';
import type { JobResponse, JobTuning } from '../../../workflows/types.js';
import { jobsWorkflowBundle } from './bundle.js';
import { jobRecords } from './records.js';
import type { JobsTestEngine } from './workflow-env.js';

const { History } = proto.temporal.api.history.v1;
const { EventType } = proto.temporal.api.enums.v1;

/** Polls GET until `done(job)` holds; returns that job. */
export async function waitForJob(
  service: Pick<JobsService, 'get'>,
  jobId: string,
  done: (job: JobResponse) => boolean,
  timeoutMs = 15_000,
): Promise<JobResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: JobResponse | undefined;
  for (;;) {
    last = await service.get(jobId);
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for job ${jobId}; last seen ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The statistics invariant: the counts sum to deviceCount. */
export function assertStatisticsConsistent(job: JobResponse): void {
  const s = job.deviceJobStatistics;
  if (!s) return;
  assert.equal(s.failedCount + s.succeededCount + s.runningCount + s.pendingCount, s.deviceCount, JSON.stringify(s));
  for (const value of Object.values(s)) assert.ok(Number.isInteger(value) && value >= 0, JSON.stringify(s));
}

/**
 * Starts a job, cancels it once some devices succeeded, and checks the end: cancelled with
 * consistent statistics, some devices completed, the undispatched ones canceled (counted failed),
 * none left pending or running.
 */
export async function cancelWhileRunning(engine: JobsTestEngine, jobId: string, body: Record<string, unknown>, deviceCount: number): Promise<void> {
  await engine.createJob(jobId, body);
  const running = await waitForJob(engine.service, jobId, (job) => job.status === 'running' && job.deviceJobStatistics!.succeededCount > 0, 20_000);
  assertStatisticsConsistent(running);
  assert.equal((await engine.service.cancel(jobId)).status, 'cancelled');
  const done = (await engine.env.client.workflow.getHandle(jobId).result()) as JobResponse;
  assert.equal(done.status, 'cancelled');
  assert.equal(done.statusMessage, 'Cancelled: the devices not called yet were canceled');
  assertStatisticsConsistent(done);
  const statuses = [...(await jobRecords(engine.hub.hub.store, jobId)).values()].map((r) => r.status);
  assert.equal(statuses.length, deviceCount);
  assert.ok(statuses.includes('completed') && statuses.includes('canceled'), statuses.join());
  assert.ok(!statuses.includes('pending') && !statuses.includes('running'), statuses.join());
  assert.equal(done.deviceJobStatistics!.failedCount, statuses.filter((s) => s === 'canceled').length);
}

/**
 * Runs a method job with maxExecutionTimeInSeconds 1 and checks it failed for it, with consistent
 * statistics; returns its device records.
 */
export async function expireMethodJob(
  engine: JobsTestEngine,
  jobId: string,
  queryCondition: string,
  method: Record<string, unknown>,
): Promise<Map<string, DeviceJobRecord>> {
  await engine.createJob(jobId, { type: 'scheduleDeviceMethod', queryCondition, maxExecutionTimeInSeconds: 1, cloudToDeviceMethod: method });
  const done = (await engine.env.client.workflow.getHandle(jobId).result()) as JobResponse;
  assert.equal(done.status, 'failed');
  assert.match(done.failureReason ?? '', /maxExecutionTimeInSeconds \(1\)/);
  assert.equal(done.statusMessage, done.failureReason);
  assertStatisticsConsistent(done);
  return jobRecords(engine.hub.hub.store, jobId);
}

export interface RunHistory {
  workflowId: string;
  runId: string;
  history: proto.temporal.api.history.v1.IHistory;
}

/** Every run of a job's workflows (the job, its shards and its wait for offline devices, continued runs included), with its history. */
export async function jobRunHistories(client: Client, jobId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${jobId}' OR WorkflowId STARTS_WITH '${jobId}/'` })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    runs.push({ workflowId: execution.workflowId, runId: execution.runId, history });
  }
  return runs;
}

/** Every run of a job within the bounds of workflows/history-bounds.ts: the job's own, and its shards' runs. */
export function assertWithinHistoryBounds(runs: readonly RunHistory[], jobId: string, deviceCount: number, tuning: JobTuning, rollout = false): void {
  for (const run of runs) {
    const events = run.history.events?.length ?? 0;
    const bound = run.workflowId === jobId ? parentHistoryBound(deviceCount, tuning, rollout) : shardRunHistoryBound(tuning, rollout);
    assert.ok(events <= bound, `${run.workflowId} (${run.runId}) has ${events} events, over its bound ${bound}`);
  }
}

/** Replays histories with the current workflow bundle; fails on any nondeterminism. */
export async function replayHistories(histories: ReadonlyArray<{ workflowId: string; history: unknown }>): Promise<void> {
  const results = Worker.runReplayHistories({ workflowBundle: await jobsWorkflowBundle() }, histories as never);
  let replayed = 0;
  for await (const result of results) {
    assert.equal(result.error, undefined, `replay of ${result.workflowId} failed: ${result.error?.message}`);
    replayed++;
  }
  assert.equal(replayed, histories.length);
}

/** Replays every run of the given jobs (and, when recording, keeps them as fixtures named `name`). */
export async function replayJobHistories(client: Client, jobIds: readonly string[], name: string): Promise<void> {
  const histories = (await Promise.all(jobIds.map((jobId) => jobRunHistories(client, jobId)))).flat();
  assert.ok(histories.length >= jobIds.length);
  await replayHistories(histories);
  recordHistoryFixtures(name, histories);
}

const FIXTURES = new URL('../fixtures/histories/', import.meta.url);

/**
 * With JOBS_RECORD_HISTORIES=1, keeps the given runs as replay fixtures (fixtures/histories/
 * <name>-<n>.binpb, the History protobuf), replayed by replay-fixtures.test.ts. Binary, because
 * SDK 1.24's historyToJSON mixes two protobufjs majors and throws.
 */
export function recordHistoryFixtures(name: string, runs: readonly RunHistory[]): void {
  if (process.env.JOBS_RECORD_HISTORIES !== '1') return;
  mkdirSync(FIXTURES, { recursive: true });
  runs.forEach((run, n) => {
    writeFileSync(new URL(`${name}-${n}.binpb`, FIXTURES), History.encode(History.fromObject(run.history)).finish());
  });
}

/** The recorded fixtures. */
export function historyFixtures(): Array<{ workflowId: string; history: unknown }> {
  return readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.binpb'))
    .sort()
    .map((file) => ({ workflowId: file, history: History.decode(readFileSync(new URL(file, FIXTURES))) }));
}

/** History events that close an activity. */
export const ACTIVITY_CLOSED = [
  EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
];

/** The most things open at once in a run's history: `opens` events start one, `closes` end one. */
export function mostAtOnce(run: RunHistory, opens: readonly number[], closes: readonly number[]): number {
  let open = 0;
  let most = 0;
  for (const event of run.history.events ?? []) {
    const type = Number(event.eventType);
    if (opens.includes(type)) most = Math.max(most, ++open);
    else if (closes.includes(type)) open -= 1;
  }
  return most;
}
