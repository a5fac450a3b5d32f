// How a run is stored. Its changing state is plain JSON rewritten on every change, so it leaves
// out what carries payloads or never changes: the start attributes and user metadata (those of event 1),
// the memo and search attributes (a column of their own, written when they change), and each
// pending activity's ActivityTaskScheduled attributes (the event its id names). Each pending
// item (activity, timer, child, external request, update, buffered event) is a row of its own.
import { jsonCodec, plainJsonCodec } from '../persistence/json-codec.js';
import type { StoredRunRow } from '../persistence/store.js';
import { decodeEvent } from './event-codec.js';
import type { ActivityState, BufferedEvent, ChildState, ExternalRequestState, ItemKind, RunCore, TimerState, UpdateState } from './types.js';

type RunState = Omit<RunCore, 'start' | 'userMetadata' | 'memo' | 'searchAttributes'>;
type RunProps = Pick<RunCore, 'memo' | 'searchAttributes'>;
type ActivityRecord = Omit<ActivityState, 'attrs'>;

const runState = plainJsonCodec<RunState>();
const runProps = jsonCodec<RunProps>();
const activityRecord = jsonCodec<ActivityRecord>();
const timerRecord = jsonCodec<TimerState>();
const childRecord = jsonCodec<ChildState>();
const externalRecord = jsonCodec<ExternalRequestState>();
const updateRecord = jsonCodec<UpdateState>();
const bufferedRecord = jsonCodec<BufferedEvent>();

export function stateJson(core: RunCore): string {
  const { start: _start, userMetadata: _userMetadata, memo: _memo, searchAttributes: _searchAttributes, ...state } = core;
  return runState.encode(state);
}

export function propsJson(core: RunCore): string {
  return runProps.encode({ memo: core.memo, searchAttributes: core.searchAttributes });
}

/** The run's core from its row and its first (WorkflowExecutionStarted) event. */
export function restoreCore(row: StoredRunRow, firstEvent: Buffer): RunCore {
  const props = row.props ? runProps.decode(row.props) : {};
  const started = decodeEvent(firstEvent);
  return { ...runState.decode(row.state), ...props, start: started.workflowExecutionStartedEventAttributes ?? {}, userMetadata: started.userMetadata };
}

/** The in-memory collections a run's items live in. */
export interface RunItems {
  readonly events: Buffer[];
  readonly activities: Map<number, ActivityState>;
  readonly timers: Map<string, TimerState>;
  readonly children: Map<number, ChildState>;
  readonly externals: Map<number, ExternalRequestState>;
  readonly updates: Map<string, UpdateState>;
}

/** The stored form of one item, or undefined if the run no longer has it. */
export function itemJson(run: RunItems, kind: ItemKind, key: string): string | undefined {
  switch (kind) {
    case 'activity': {
      const activity = run.activities.get(Number(key));
      if (!activity) return undefined;
      const { attrs: _attrs, ...record } = activity;
      return activityRecord.encode(record);
    }
    case 'timer':
      return encodeIfPresent(timerRecord.encode, run.timers.get(key));
    case 'child':
      return encodeIfPresent(childRecord.encode, run.children.get(Number(key)));
    case 'external':
      return encodeIfPresent(externalRecord.encode, run.externals.get(Number(key)));
    case 'update':
      return encodeIfPresent(updateRecord.encode, run.updates.get(key));
  }
}

function encodeIfPresent<T>(encode: (value: T) => string, value: T | undefined): string | undefined {
  return value === undefined ? undefined : encode(value);
}

export const bufferedEventJson = (event: BufferedEvent): string => bufferedRecord.encode(event);

/** Puts a stored item back into its collection; returns a buffered event instead of keeping it. */
export function restoreItem(run: RunItems, kind: string, key: string, data: string): BufferedEvent | undefined {
  switch (kind) {
    case 'activity': {
      // Its ActivityTaskScheduled attributes are the event its key names.
      const attrs = decodeEvent(run.events[Number(key) - 1]).activityTaskScheduledEventAttributes ?? {};
      run.activities.set(Number(key), { ...activityRecord.decode(data), attrs });
      return undefined;
    }
    case 'timer':
      run.timers.set(key, timerRecord.decode(data));
      return undefined;
    case 'child':
      run.children.set(Number(key), childRecord.decode(data));
      return undefined;
    case 'external':
      run.externals.set(Number(key), externalRecord.decode(data));
      return undefined;
    case 'update':
      run.updates.set(key, updateRecord.decode(data));
      return undefined;
    case 'buffer':
      return bufferedRecord.decode(data);
    default:
      throw new Error(`unknown kind of stored run item '${kind}'`);
  }
}

/** A stored update of a closed run (closed runs keep their completed updates). */
export const decodeUpdate = (data: string): UpdateState => updateRecord.decode(data);
