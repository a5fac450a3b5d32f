import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHubError } from '../../src/errors/hub-error.js';
import { matchesCondition, parseQuery, parseQueryCondition, type Query } from '../../src/query/index.js';
import { encodeContinuation } from '../../src/query/paging.js';
import { newDevice } from '../../src/registry/device/identity.js';
import type { SqlHubStore } from '../../src/registry/sql/sql-hub-store.js';
import { newTwin } from '../../src/registry/twin/document.js';
import { jobRecords, twins } from '../query/query-arbitraries.js';
import { STORE_VARIANTS } from '../helpers/store-variants.js';
import { openTestStore, type TestStore } from '../helpers/store.js';
import { shortlyReported } from './report.js';
import { conditionText, continuationCase, queryText, type ContinuationCase } from './query-texts.js';

/**
 * The query fuzz: random and mutated texts through the real store path (parse, compile, SQL on
 * SQLite and, with DATABASE_URL, PostgreSQL). Each text either runs or is refused with a HubError
 * whose status is 4xx; nothing else may escape (no SQL error, no TypeError, no stack overflow).
 * With both stores, what one runs the other runs too, with the same page (a differential check).
 * Job queryConditions go the jobs engine's way (parseQueryCondition, then the snapshot statement)
 * and must pick exactly the devices the reference evaluator picks.
 */
export interface FuzzStore {
  name: string;
  store: SqlHubStore;
}

export interface QueryFuzzFigures {
  cases: number;
  queriesRun: number;
  queriesRefused: number;
  conditionsRun: number;
  conditionsRefused: number;
  /** Cases answered by two stores and compared. */
  compared: number;
  slowestMs: number;
}

const CREATED = '2024-05-10T07:11:30.9707312Z';
const SNAPSHOT_JOB = 'fuzz-snapshot';
const SNAPSHOT_LIMIT = 1000;

/** Every store variant available here (SQLite always, PostgreSQL with DATABASE_URL), migrated and empty. */
export async function openFuzzStores(): Promise<{ stores: FuzzStore[]; dispose(): Promise<void> }> {
  const opened: TestStore[] = [];
  const stores: FuzzStore[] = [];
  for (const variant of STORE_VARIANTS.filter((v) => v.skip === false)) {
    const test = await openTestStore(variant);
    opened.push(test);
    stores.push({ name: variant.name, store: test.store });
  }
  return { stores, dispose: async () => void (await Promise.all(opened.map((test) => test.dispose()))) };
}

/** Twin documents for the fleet: a real new twin overlaid with generated content (tags, properties, odd ids). */
function fleetTwins(seed: number): Record<string, unknown>[] {
  const base = newTwin(newDevice({ deviceId: 'placeholder' }), CREATED);
  const byId = new Map<string, Record<string, unknown>>();
  for (const sample of fc.sample(twins, { seed, numRuns: 4 })) {
    for (const doc of sample) byId.set(String(doc.deviceId), { ...base, ...doc });
  }
  return [...byId.values()];
}

/** Loads the same generated fleet (twins and device-job records) into every store; returns the twins. */
export async function loadFleet(stores: readonly FuzzStore[], seed: number): Promise<Record<string, unknown>[]> {
  const docs = fleetTwins(seed);
  const records = fc.sample(jobRecords, { seed, numRuns: 3 }).flat();
  const uniqueRecords = [...new Map(records.map((r) => [`${r.jobId}\n${r.deviceId}`, r])).values()];
  for (const { store } of stores) {
    await store.db.transaction(async (tx) => {
      for (const doc of docs) {
        const device = { ...newDevice({ deviceId: 'placeholder' }), deviceId: doc.deviceId };
        await tx.execute('INSERT INTO devices (device_id, row_version, device, twin) VALUES ($1, 1, $2, $3)', [
          doc.deviceId,
          JSON.stringify(device),
          JSON.stringify(doc),
        ]);
      }
      for (const [seq, record] of uniqueRecords.entries()) {
        await tx.execute('INSERT INTO device_jobs (job_id, device_id, doc, seq, status) VALUES ($1, $2, $3, $4, $5)', [
          record.jobId,
          record.deviceId,
          JSON.stringify(record),
          seq,
          record.status,
        ]);
      }
    });
  }
  return docs;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

/** Runs `call`; a HubError with a 4xx status is a refusal, anything else thrown fails the case. */
async function outcomeOf<T>(what: string, call: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    if (isHubError(err) && err.httpStatus >= 400 && err.httpStatus < 500) return { ok: false, message: `${err.code}: ${err.message}` };
    throw new Error(`${what} threw ${isHubError(err) ? `HubError ${err.code} (${err.httpStatus})` : 'a non-HubError'}: ${String(err)}`, { cause: err });
  }
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** SUM and AVG may differ in the last bits between the engines' summation orders; all else must be equal. */
function assertSamePage(actual: unknown[], expected: unknown[], query: Query, what: string): void {
  const approximate = new Set(
    query.select === '*' ? [] : query.select.filter((p) => p.type === 'aggregate' && (p.name === 'SUM' || p.name === 'AVG')).map((p) => p.alias),
  );
  const tolerant = (rows: unknown[]) =>
    rows.map((row) =>
      approximate.size === 0 || typeof row !== 'object' || row === null
        ? row
        : Object.fromEntries(
            Object.entries(row).map(([key, value]) => [key, approximate.has(key) && typeof value === 'number' ? Number(value.toPrecision(9)) : value]),
          ),
    );
  assert.deepStrictEqual(tolerant(actual), tolerant(expected), what);
}

/** The continuation a case sends: forged ones are made for the parsed query itself, so they pass the fingerprint check. */
function continuationFor(text: string, continuation: ContinuationCase): string | undefined {
  if (continuation.kind === 'none') return undefined;
  if (continuation.kind === 'raw') return continuation.token;
  try {
    return encodeContinuation(parseQuery(text), { returned: continuation.returned, after: continuation.after });
  } catch {
    return undefined;
  }
}

export interface QueryFuzzOptions {
  stores: readonly FuzzStore[];
  /** The twins loadFleet wrote, for the evaluator's answer to job conditions. */
  fleet: readonly Record<string, unknown>[];
  runs: number;
  seed: number;
}

/** Runs the query fuzz; throws fast-check's report (seed, path, counterexample) on the first failure. */
export async function runQueryFuzz({ stores, fleet, runs, seed }: QueryFuzzOptions): Promise<QueryFuzzFigures> {
  const figures: QueryFuzzFigures = { cases: 0, queriesRun: 0, queriesRefused: 0, conditionsRun: 0, conditionsRefused: 0, compared: 0, slowestMs: 0 };
  const orderedFleet = [...fleet].sort((a, b) => byteOrder(String(a.deviceId), String(b.deviceId)));

  const queryCase = fc.record({
    kind: fc.constant('query' as const),
    text: queryText,
    pageSize: fc.integer({ min: 1, max: 1000 }),
    continuation: continuationCase,
  });
  const conditionCase = fc.record({ kind: fc.constant('condition' as const), text: conditionText });

  async function checkQuery(text: string, pageSize: number, continuation: ContinuationCase): Promise<void> {
    const token = continuationFor(text, continuation);
    const outcomes = [];
    for (const { name, store } of stores) outcomes.push(await outcomeOf(`query on ${name}`, () => store.query(text, { pageSize, continuation: token })));
    const [first, ...others] = outcomes;
    if (first!.ok) figures.queriesRun++;
    else figures.queriesRefused++;
    for (const [i, other] of others.entries()) {
      const names = `${stores[0]!.name} vs ${stores[i + 1]!.name}`;
      assert.equal(other.ok, first!.ok, `${names}: one store ran the query, the other refused it (${JSON.stringify([first, other]).slice(0, 400)})`);
      if (first!.ok && other.ok) {
        assert.equal(other.value.itemType, first!.value.itemType, names);
        assert.equal(other.value.continuation, first!.value.continuation, `${names}: continuation`);
        assertSamePage(other.value.items, first!.value.items, parseQuery(text), names);
        figures.compared++;
      }
    }
  }

  async function checkCondition(text: string): Promise<void> {
    const parsed = await outcomeOf('parseQueryCondition', () => parseQueryCondition(text));
    if (!parsed.ok) {
      figures.conditionsRefused++;
      return;
    }
    figures.conditionsRun++;
    const { collection, where } = parsed.value;
    const expected = collection === 'devices' ? orderedFleet.filter((doc) => matchesCondition(where, doc)).map((doc) => doc.deviceId) : [];
    for (const { name, store } of stores) {
      try {
        await store.snapshotJobDevices({ jobId: SNAPSHOT_JOB, jobType: 'scheduleUpdateTwin', queryCondition: text, createdTime: CREATED }, SNAPSHOT_LIMIT);
        const rows = await store.db.query<{ device_id: string }>('SELECT device_id FROM device_jobs WHERE job_id = $1 ORDER BY seq', [SNAPSHOT_JOB]);
        assert.deepStrictEqual(
          rows.map((row) => row.device_id),
          expected,
          `${name}: the job snapshot picked other devices than the evaluator`,
        );
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        throw new Error(`snapshot of an accepted queryCondition on ${name} failed: ${String(err)}`, { cause: err });
      } finally {
        await store.db.execute('DELETE FROM device_jobs WHERE job_id = $1', [SNAPSHOT_JOB]);
      }
    }
  }

  await fc.assert(
    fc.asyncProperty(shortlyReported(fc.oneof({ weight: 2, arbitrary: queryCase }, { weight: 1, arbitrary: conditionCase })), async (input) => {
      figures.cases++;
      const started = performance.now();
      if (input.kind === 'query') await checkQuery(input.text, input.pageSize, input.continuation);
      else await checkCondition(input.text);
      figures.slowestMs = Math.max(figures.slowestMs, performance.now() - started);
    }),
    { seed, numRuns: runs, endOnFailure: true, includeErrorInReport: true },
  );
  return figures;
}
