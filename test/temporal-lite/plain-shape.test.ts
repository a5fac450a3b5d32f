// The Plain shape (temporal-lite/grpc/plain.ts) is what decoding really gives: int64 as numbers,
// enums by name, bytes as Buffers, unset fields absent (not null), Any with its snake_case field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryEvent } from '../../temporal-lite/grpc/api.js';
import { messageCodec, packAny, unpackAny } from '../../temporal-lite/grpc/proto.js';

describe('decoded messages have their Plain shape', () => {
  const codec = messageCodec('temporal.api.history.v1.HistoryEvent');

  it('int64 as number, enum by name, bytes as Buffer, unset fields left out', () => {
    const event: HistoryEvent = {
      eventId: 7,
      eventTime: { seconds: 1_700_000_000, nanos: 5 },
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
      taskId: 2 ** 40,
      activityTaskCompletedEventAttributes: {
        scheduledEventId: 5,
        result: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') }] },
      },
    };
    const decoded = codec.decode(codec.encode(event));
    assert.deepEqual(decoded, event);
    assert.equal(typeof decoded.taskId, 'number');
    assert.ok(Buffer.isBuffer(decoded.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data));
    assert.equal('workflowExecutionStartedEventAttributes' in decoded, false);
    assert.equal(decoded.activityTaskCompletedEventAttributes?.identity, undefined);
  });

  it('Any: packs and unpacks the expected types, names others, refuses what does not decode', () => {
    const packed = packAny('temporal.api.update.v1.Rejection', { rejectedRequestMessageId: 'm1', failure: { message: 'no' } });
    assert.equal(packed.type_url, 'type.googleapis.com/temporal.api.update.v1.Rejection');
    assert.deepEqual(unpackAny(packed, ['temporal.api.update.v1.Rejection']), {
      typeName: 'temporal.api.update.v1.Rejection',
      message: { rejectedRequestMessageId: 'm1', failure: { message: 'no' } },
    });
    assert.deepEqual(unpackAny(packed, ['temporal.api.update.v1.Acceptance']), { otherType: 'temporal.api.update.v1.Rejection' });
    assert.equal(unpackAny({ type_url: packed.type_url, value: Buffer.from([0xff, 0xff]) }, ['temporal.api.update.v1.Rejection']), undefined);
    assert.equal(unpackAny({ type_url: 'type.googleapis.com/no.such.Type', value: Buffer.from([8, 1]) }, ['temporal.api.update.v1.Rejection']), undefined);
    assert.equal(unpackAny(undefined, ['temporal.api.update.v1.Rejection']), undefined);
  });
});
