import type { Msg } from '../../grpc/proto.js';
import { applySearchAttributeUpsert } from '../../visibility/index.js';
import { appendEvent } from '../history.js';
import type { CommandHandler } from './command.js';

/** Merges memo fields; an empty payload (no data) removes the key. */
function mergeMemo(current: Msg | undefined, update: Msg | undefined): Msg | undefined {
  const merged: Msg = { ...(current?.fields ?? {}) };
  for (const [k, v] of Object.entries<Msg>(update?.fields ?? {})) {
    if (!v || !v.data || v.data.length === 0 || Buffer.from(v.data).toString() === 'null') delete merged[k];
    else merged[k] = v;
  }
  return Object.keys(merged).length ? { fields: merged } : undefined;
}

export const recordMarker: CommandHandler = {
  attributes: 'recordMarkerCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES',
  validate: (a) => (a?.markerName ? undefined : 'MarkerName is not set on RecordMarkerCommand.'),
  apply(ctx, a) {
    appendEvent(ctx.e, ctx.run, 'MARKER_RECORDED', {
      markerName: a.markerName,
      details: a.details,
      header: a.header,
      failure: a.failure,
      workflowTaskCompletedEventId: ctx.completedEventId,
    });
  },
};

export const upsertSearchAttributes: CommandHandler = {
  attributes: 'upsertWorkflowSearchAttributesCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES',
  validate(a, batch) {
    if (!a?.searchAttributes?.indexedFields) return 'SearchAttributes are not set on UpsertWorkflowSearchAttributesCommand.';
    try {
      batch.e.validateSearchAttributes(batch.run.core.namespace, a.searchAttributes);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    return undefined;
  },
  apply(ctx, a) {
    const run = ctx.run;
    appendEvent(ctx.e, run, 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { searchAttributes: a.searchAttributes, workflowTaskCompletedEventId: ctx.completedEventId });
    const merged = applySearchAttributeUpsert(run.core.searchAttributes?.indexedFields, a.searchAttributes.indexedFields);
    run.core.searchAttributes = Object.keys(merged).length ? { indexedFields: merged } : undefined;
    run.touchProps();
    run.touch();
    ctx.e.visibility.record(run.core);
  },
};

export const modifyProperties: CommandHandler = {
  attributes: 'modifyWorkflowPropertiesCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES',
  validate: (a) => (a?.upsertedMemo ? undefined : 'UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.'),
  apply(ctx, a) {
    const run = ctx.run;
    appendEvent(ctx.e, run, 'WORKFLOW_PROPERTIES_MODIFIED', { upsertedMemo: a.upsertedMemo, workflowTaskCompletedEventId: ctx.completedEventId });
    run.core.memo = mergeMemo(run.core.memo, a.upsertedMemo);
    run.touchProps();
    run.touch();
    ctx.e.visibility.record(run.core);
  },
};
