import { encodeMessage, decodeMessage, type Msg } from '../grpc/proto.js';

const HISTORY_EVENT = 'temporal.api.history.v1.HistoryEvent';

const fieldNames = new Map<string, string>();

/** 'WORKFLOW_TASK_SCHEDULED' → 'workflowTaskScheduledEventAttributes'. */
export function attributesField(eventType: string): string {
  let field = fieldNames.get(eventType);
  if (field === undefined) {
    const camel = eventType
      .toLowerCase()
      .split('_')
      .map((part, i) => (i === 0 ? part : part[0].toUpperCase() + part.slice(1)))
      .join('');
    field = `${camel}EventAttributes`;
    fieldNames.set(eventType, field);
  }
  return field;
}

export function encodeEvent(event: Msg): Buffer {
  return encodeMessage(HISTORY_EVENT, event);
}

export function decodeEvent(bytes: Uint8Array): Msg {
  return decodeMessage(HISTORY_EVENT, bytes);
}
