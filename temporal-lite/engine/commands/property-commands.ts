import type { Memo, Payload } from '../../grpc/api.js';
import { applySearchAttributeUpsert } from '../../visibility/index.js';
import { appendEvent } from '../history.js';
import { commandHandler } from './command.js';

/** Merges memo fields; an empty payload (no data) removes the key. */
function mergeMemo(current: Memo | undefined, update: Memo | undefined): Memo | undefined {
  const merged: Record<string, Payload> = { ...(current?.fields ?? {}) };
  for (const [key, payload] of Object.entries(update?.fields ?? {})) {
    if (!payload || !payload.data || payload.data.length === 0 || Buffer.from(payload.data).toString() === 'null') delete merged[key];
    else merged[key] = payload;
  }
  return Object.keys(merged).length ? { fields: merged } : undefined;
}

export const recordMarker = commandHandler({
  attributes: 'recordMarkerCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES',
  validate: (attrs) => (attrs.markerName ? undefined : 'MarkerName is not set on RecordMarkerCommand.'),
  apply(ctx, attrs) {
    appendEvent(ctx.engine, ctx.run, 'MARKER_RECORDED', {
      markerName: attrs.markerName,
      details: attrs.details,
      header: attrs.header,
      failure: attrs.failure,
      workflowTaskCompletedEventId: ctx.completedEventId,
    });
  },
});

export const upsertSearchAttributes = commandHandler({
  attributes: 'upsertWorkflowSearchAttributesCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES',
  validate(attrs, batch) {
    if (!attrs.searchAttributes?.indexedFields) return 'SearchAttributes are not set on UpsertWorkflowSearchAttributesCommand.';
    try {
      batch.engine.validateSearchAttributes(batch.run.core.namespace, attrs.searchAttributes);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    return undefined;
  },
  apply(ctx, attrs) {
    const run = ctx.run;
    const searchAttributes = ctx.engine.typeSearchAttributes(run.core.namespace, attrs.searchAttributes);
    appendEvent(ctx.engine, run, 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { searchAttributes, workflowTaskCompletedEventId: ctx.completedEventId });
    const merged = applySearchAttributeUpsert(run.core.searchAttributes?.indexedFields, searchAttributes?.indexedFields);
    run.core.searchAttributes = Object.keys(merged).length ? { indexedFields: merged } : undefined;
    run.touchProps();
    run.touch();
    ctx.engine.visibility.record(run.core);
  },
});

export const modifyProperties = commandHandler({
  attributes: 'modifyWorkflowPropertiesCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES',
  validate: (attrs) => (attrs.upsertedMemo ? undefined : 'UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.'),
  apply(ctx, attrs) {
    const run = ctx.run;
    appendEvent(ctx.engine, run, 'WORKFLOW_PROPERTIES_MODIFIED', { upsertedMemo: attrs.upsertedMemo, workflowTaskCompletedEventId: ctx.completedEventId });
    run.core.memo = mergeMemo(run.core.memo, attrs.upsertedMemo);
    run.touchProps();
    run.touch();
    ctx.engine.visibility.record(run.core);
  },
});
