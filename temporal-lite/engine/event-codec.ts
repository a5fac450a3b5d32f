// History events in their encoded form, and the attributes field each event type uses.
import type { EventAttributesField, EventType, HistoryEvent } from '../grpc/api.js';
import { messageCodec } from '../grpc/proto.js';

const historyEvent = messageCodec('temporal.api.history.v1.HistoryEvent');

const fieldNames = new Map<string, string>();

/** 'WORKFLOW_TASK_SCHEDULED' → 'workflowTaskScheduledEventAttributes'. */
export function attributesField<T extends EventType>(eventType: T): EventAttributesField<T> {
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
  // The same spelling rule as EventAttributesField (api.ts), computed at run time.
  return field as EventAttributesField<T>;
}

export function encodeEvent(event: HistoryEvent): Buffer {
  return historyEvent.encode(event);
}

export function decodeEvent(bytes: Uint8Array): HistoryEvent {
  return historyEvent.decode(bytes);
}
