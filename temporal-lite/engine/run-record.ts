// How a run is stored. Its changing state is plain JSON rewritten on every change, so it leaves
// out what carries payloads or never changes: the start attributes (the attributes of event 1),
// the memo and search attributes (a column of their own, written when they change), and each
// pending activity's ActivityTaskScheduled attributes (the event its id names).
import { fromJson, toJson } from '../persistence/json-codec.js';
import type { StoredRunRow } from '../persistence/store.js';
import { decodeEvent } from './event-codec.js';
import type { ActivityState, RunCore } from './types.js';

export function stateJson(core: RunCore): string {
  const { start: _start, memo: _memo, searchAttributes: _searchAttributes, ...state } = core;
  return JSON.stringify(state);
}

export function propsJson(core: RunCore): string {
  return toJson({ memo: core.memo, searchAttributes: core.searchAttributes });
}

/** The run's core from its row and its first (WorkflowExecutionStarted) event. */
export function restoreCore(row: StoredRunRow, firstEvent: Buffer): RunCore {
  const props = row.props ? fromJson<Pick<RunCore, 'memo' | 'searchAttributes'>>(row.props) : {};
  const start = decodeEvent(firstEvent).workflowExecutionStartedEventAttributes;
  return { ...(JSON.parse(row.state) as RunCore), ...props, start };
}

export function activityRecord(a: ActivityState): object {
  const { attrs: _attrs, ...record } = a;
  return record;
}

/** An activity from its record and its ActivityTaskScheduled event. */
export function restoreActivity(record: object, scheduledEvent: Buffer): ActivityState {
  return { ...(record as ActivityState), attrs: decodeEvent(scheduledEvent).activityTaskScheduledEventAttributes };
}
