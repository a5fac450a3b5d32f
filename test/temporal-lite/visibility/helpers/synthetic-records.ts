// Synthetic workflow runs with every kind of search attribute, as plain reference records and
// as the VisibilityRecords the engine would write, with payloads made by the SDK's own encoder.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { STATUS_NAMES, type ExecutionStatusName } from '../../../../temporal-lite/visibility/execution-status.js';
import type { VisibilityRecord } from '../../../../temporal-lite/visibility/index.js';

export const CUSTOM_ATTRIBUTES = {
  Kw: 'Keyword',
  Txt: 'Text',
  Num: 'Int',
  Dbl: 'Double',
  Flag: 'Bool',
  When: 'Datetime',
  Tags: 'KeywordList',
} as const;

export const KEYS = {
  Kw: defineSearchAttributeKey('Kw', SearchAttributeType.KEYWORD),
  Txt: defineSearchAttributeKey('Txt', SearchAttributeType.TEXT),
  Num: defineSearchAttributeKey('Num', SearchAttributeType.INT),
  Dbl: defineSearchAttributeKey('Dbl', SearchAttributeType.DOUBLE),
  Flag: defineSearchAttributeKey('Flag', SearchAttributeType.BOOL),
  When: defineSearchAttributeKey('When', SearchAttributeType.DATETIME),
  Tags: defineSearchAttributeKey('Tags', SearchAttributeType.KEYWORD_LIST),
};

export interface RefRecord {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: number;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  historyLength?: number;
  parentWorkflowId?: string;
  /** Custom values: Num as bigint, When as epoch nanoseconds. */
  values: { Kw?: string; Txt?: string; Num?: bigint; Dbl?: number; Flag?: boolean; When?: bigint; Tags?: string[] };
}

export const KEYWORDS = ['alpha', 'beta', 'gamma', 'Ünïcode', 'alp', ''];
export const WORDS = ['red', 'green', 'blue', 'fast', 'slow', 'Café'];
export const TAGS = ['t1', 't2', 't3', 'x y'];
export const TYPES = ['OrderWorkflow', 'PaymentWorkflow', 'Other'];
export const QUEUES = ['q1', 'q2'];
export const BASE_MS = Date.UTC(2024, 0, 1);

/** Deterministic PRNG (mulberry32), so a failing record set can be reproduced. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeRecords(count: number, seed = 1): RefRecord[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const maybe = <T>(make: () => T): T | undefined => (rnd() < 0.75 ? make() : undefined);
  return Array.from({ length: count }, (_, i) => {
    // Few distinct times, so that ties exercise the tie-breaking keys.
    const startTime = BASE_MS + Math.floor(rnd() * 40) * 60_000 + (rnd() < 0.3 ? 7 : 0);
    const status = 1 + Math.floor(rnd() * 7);
    const closed = status !== 1;
    const tags = maybe(() => TAGS.filter(() => rnd() < 0.4));
    return {
      workflowId: `wf-${String(i % 150).padStart(3, '0')}`,
      runId: `run-${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}-${i}`,
      workflowType: pick(TYPES),
      taskQueue: pick(QUEUES),
      status,
      startTime,
      executionTime: startTime + (rnd() < 0.2 ? 1000 : 0),
      closeTime: closed ? startTime + Math.floor(rnd() * 20) * 30_000 : undefined,
      historyLength: closed ? Math.floor(rnd() * 30) : undefined,
      parentWorkflowId: rnd() < 0.2 ? `wf-${String(Math.floor(rnd() * 150)).padStart(3, '0')}` : undefined,
      values: {
        Kw: maybe(() => pick(KEYWORDS)),
        Txt: maybe(() => `${pick(WORDS)} ${pick(WORDS)}-${pick(WORDS)}`),
        Num: maybe(() => BigInt(Math.floor(rnd() * 25) - 5)),
        Dbl: maybe(() => Math.round((rnd() * 12 - 2) * 4) / 4),
        Flag: maybe(() => rnd() < 0.5),
        When: maybe(() => BigInt(BASE_MS + Math.floor(rnd() * 30) * 86_400_000 + Math.floor(rnd() * 1000)) * 1_000_000n),
        Tags: tags && tags.length > 0 ? tags : undefined,
      },
    };
  });
}

/** The record as the engine would upsert it, search attributes encoded by the SDK. */
export function toVisibilityRecord(r: RefRecord, namespace = 'default'): VisibilityRecord {
  const pairs: SearchAttributeUpdatePair[] = [];
  const v = r.values;
  if (v.Kw !== undefined) pairs.push({ key: KEYS.Kw, value: v.Kw });
  if (v.Txt !== undefined) pairs.push({ key: KEYS.Txt, value: v.Txt });
  if (v.Num !== undefined) pairs.push({ key: KEYS.Num, value: Number(v.Num) });
  if (v.Dbl !== undefined) pairs.push({ key: KEYS.Dbl, value: v.Dbl });
  if (v.Flag !== undefined) pairs.push({ key: KEYS.Flag, value: v.Flag });
  if (v.When !== undefined) pairs.push({ key: KEYS.When, value: new Date(Number(v.When / 1_000_000n)) });
  if (v.Tags !== undefined) pairs.push({ key: KEYS.Tags, value: v.Tags });
  return {
    namespace,
    workflowId: r.workflowId,
    runId: r.runId,
    workflowType: r.workflowType,
    taskQueue: r.taskQueue,
    status: STATUS_NAMES[r.status] as ExecutionStatusName,
    startTime: r.startTime,
    executionTime: r.executionTime,
    closeTime: r.closeTime,
    historyLength: r.historyLength,
    parentExecution: r.parentWorkflowId ? { workflowId: r.parentWorkflowId, runId: 'parent-run' } : undefined,
    searchAttributes: { indexedFields: encodeUnifiedSearchAttributes(undefined, pairs) as never },
  };
}
