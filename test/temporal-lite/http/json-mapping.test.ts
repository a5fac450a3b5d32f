// The proto3 JSON mapping of the HTTP API, field kind by field kind: golden JSON for messages
// encoded by the reflection (the wire form handlers' answers take), and the way back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcError } from '../../../temporal-lite/grpc/errors.js';
import { messageCodec, TO_OBJECT } from '../../../temporal-lite/grpc/proto.js';
import { messageFromJson } from '../../../temporal-lite/http/json-input.js';
import { encodedMessageToJson, type Json } from '../../../temporal-lite/http/json-output.js';
import { reflectedType } from '../../../temporal-lite/http/reflection.js';

const FULL = { payloadShorthand: false };
const SHORTHAND = { payloadShorthand: true };
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A message given in its Plain shape, as the HTTP API writes it. */
function toJson(typeName: string, plain: object, options = FULL): Json {
  return encodedMessageToJson(reflectedType(typeName), messageCodec(typeName).encode(plain as never), options);
}

/** JSON read as a message of `typeName`, in the Plain shape handlers get. */
function fromJson(typeName: string, json: Json, options = FULL): Record<string, unknown> {
  const type = reflectedType(typeName);
  return type.toObject(type.fromObject(messageFromJson(type, json, options)), TO_OBJECT);
}

const jsonPayload = (value: unknown) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });

describe('HTTP API JSON mapping: messages to JSON', () => {
  it('scalars: int64 as a string, int32 and bool as JSON values, strings, bytes in base64, enums by name', () => {
    const json = toJson('temporal.api.history.v1.HistoryEvent', {
      eventId: 9007199254740991,
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
      taskId: 42,
      workerMayIgnore: true,
      activityTaskStartedEventAttributes: { scheduledEventId: 5, identity: 'worker-1', requestId: 'r', attempt: 3 },
    });
    assert.deepEqual(json, {
      eventId: '9007199254740991',
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
      taskId: '42',
      workerMayIgnore: true,
      activityTaskStartedEventAttributes: { scheduledEventId: '5', identity: 'worker-1', requestId: 'r', attempt: 3 },
    });
    assert.deepEqual(toJson('temporal.api.workflowservice.v1.PollActivityTaskQueueResponse', { taskToken: Buffer.from([0, 1, 2, 250, 255]) }), {
      taskToken: 'AAEC+v8=',
    });
  });

  it('fields at their default value are left out; empty messages are kept', () => {
    assert.deepEqual(
      toJson('temporal.api.workflow.v1.PendingActivityInfo', {
        activityId: '',
        attempt: 0,
        state: 'PENDING_ACTIVITY_STATE_UNSPECIFIED',
        activityType: {},
        heartbeatDetails: { payloads: [] },
      }),
      { activityType: {}, heartbeatDetails: {} },
    );
  });

  it('Timestamps in RFC 3339 UTC with 0, 3, 6 or 9 fraction digits; Durations as seconds with "s"', () => {
    const times = [
      [{ seconds: 1714557600, nanos: 0 }, '2024-05-01T10:00:00Z'],
      [{ seconds: 1714557600, nanos: 250_000_000 }, '2024-05-01T10:00:00.250Z'],
      [{ seconds: 1714557600, nanos: 1_000 }, '2024-05-01T10:00:00.000001Z'],
      [{ seconds: 0, nanos: 1 }, '1970-01-01T00:00:00.000000001Z'],
    ] as const;
    for (const [timestamp, text] of times)
      assert.deepEqual(toJson('temporal.api.history.v1.HistoryEvent', { eventId: 1, eventTime: timestamp }), { eventId: '1', eventTime: text });
    const durations = [
      [{ seconds: 10, nanos: 0 }, '10s'],
      [{ seconds: 1, nanos: 500_000_000 }, '1.500s'],
      [{ seconds: 0, nanos: 1_500 }, '0.000001500s'],
      [{ seconds: -2, nanos: -500_000_000 }, '-2.500s'],
    ] as const;
    for (const [duration, text] of durations)
      assert.deepEqual(toJson('temporal.api.common.v1.RetryPolicy', { initialInterval: duration }), { initialInterval: text });
  });

  it('doubles and floats: numbers, the shortest float32 decimal, NaN and infinities as strings', () => {
    assert.deepEqual(toJson('temporal.api.common.v1.RetryPolicy', { backoffCoefficient: 1.5, maximumAttempts: 3 }), {
      backoffCoefficient: 1.5,
      maximumAttempts: 3,
    });
    assert.deepEqual(toJson('temporal.api.common.v1.RetryPolicy', { backoffCoefficient: Infinity }), { backoffCoefficient: 'Infinity' });
    assert.deepEqual(toJson('temporal.api.common.v1.RetryPolicy', { backoffCoefficient: NaN }), { backoffCoefficient: 'NaN' });
    assert.deepEqual(toJson('temporal.api.common.v1.Priority', { fairnessWeight: 0.1 }), { fairnessWeight: 0.1 });
  });

  it('repeated fields as arrays, maps as objects (integer keys as strings), wrappers as their value', () => {
    assert.deepEqual(toJson('temporal.api.common.v1.RetryPolicy', { nonRetryableErrorTypes: ['A', 'B'] }), { nonRetryableErrorTypes: ['A', 'B'] });
    assert.deepEqual(toJson('temporal.api.workflowservice.v1.DescribeTaskQueueResponse', { statsByPriorityKey: { 3: { approximateBacklogCount: 7 } } }), {
      statsByPriorityKey: { 3: { approximateBacklogCount: '7' } },
    });
    assert.deepEqual(toJson('temporal.api.taskqueue.v1.TaskQueueMetadata', { maxTasksPerSecond: { value: 2.5 } }), { maxTasksPerSecond: 2.5 });
  });

  it('FieldMask as one comma-separated string of camelCase paths; Empty as {}', () => {
    assert.deepEqual(
      toJson('temporal.api.workflowservice.v1.UpdateActivityOptionsRequest', { updateMask: { paths: ['retry_policy.initial_interval', 'task_queue'] } }),
      { updateMask: 'retryPolicy.initialInterval,taskQueue' },
    );
    assert.deepEqual(toJson('temporal.api.common.v1.ResetOptions', { firstWorkflowTask: {} }), { firstWorkflowTask: {} });
  });

  it('Any with "@type" and the message fields inline', () => {
    const body = messageCodec('temporal.api.update.v1.Request').encode({ meta: { updateId: 'u1' }, input: { name: 'add' } });
    assert.deepEqual(
      toJson('temporal.api.protocol.v1.Message', { id: 'm', body: { type_url: 'type.googleapis.com/temporal.api.update.v1.Request', value: body } }),
      {
        id: 'm',
        body: { '@type': 'type.googleapis.com/temporal.api.update.v1.Request', meta: { updateId: 'u1' }, input: { name: 'add' } },
      },
    );
  });

  it('payloads: the full form (base64 metadata and data) without shorthand', () => {
    assert.deepEqual(toJson('temporal.api.common.v1.Payloads', { payloads: [jsonPayload({ n: 1 })] }), {
      payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('{"n":1}') }],
    });
  });

  it('payloads with shorthand: JSON values, null for binary/null, _protoMessageType for protobuf JSON, the full form otherwise', () => {
    const binaryNull = { metadata: { encoding: Buffer.from('binary/null') } };
    const protoJson = { metadata: { encoding: Buffer.from('json/protobuf'), messageType: Buffer.from('my.Msg') }, data: Buffer.from('{"a":1}') };
    assert.deepEqual(toJson('temporal.api.common.v1.Payloads', { payloads: [jsonPayload({ n: 1 }), binaryNull, protoJson] }, SHORTHAND), [
      { n: 1 },
      null,
      { a: 1, _protoMessageType: 'my.Msg' },
    ]);
    const encrypted = { metadata: { encoding: Buffer.from('binary/encrypted') }, data: Buffer.from([1, 2]) };
    assert.deepEqual(toJson('temporal.api.common.v1.Payloads', { payloads: [jsonPayload('x'), encrypted] }, SHORTHAND), {
      payloads: ['x', { metadata: { encoding: b64('binary/encrypted') }, data: 'AQI=' }],
    });
    const extraMetadata = { metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') }, data: Buffer.from('"k"') };
    assert.deepEqual(toJson('temporal.api.common.v1.SearchAttributes', { indexedFields: { A: extraMetadata } }, SHORTHAND), {
      indexedFields: { A: { metadata: { encoding: b64('json/plain'), type: b64('Keyword') }, data: b64('"k"') } },
    });
    assert.deepEqual(toJson('temporal.api.common.v1.Memo', { fields: { note: jsonPayload('hi') } }, SHORTHAND), { fields: { note: 'hi' } });
  });
});

describe('HTTP API JSON mapping: JSON to messages', () => {
  it('reads every scalar kind, in camelCase or .proto names, 64-bit integers as strings or numbers', () => {
    assert.deepEqual(
      fromJson('temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest', {
        namespace: 'default',
        execution: { workflow_id: 'w', runId: 'r' },
        maximumPageSize: 5,
        waitNewEvent: true,
        nextPageToken: 'AAEC',
        historyEventFilterType: 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT',
      }),
      {
        namespace: 'default',
        execution: { workflowId: 'w', runId: 'r' },
        maximumPageSize: 5,
        waitNewEvent: true,
        nextPageToken: Buffer.from([0, 1, 2]),
        historyEventFilterType: 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT',
      },
    );
    assert.deepEqual(fromJson('temporal.api.history.v1.HistoryEvent', { eventId: '12', taskId: 7, eventType: 10 }), {
      eventId: 12,
      taskId: 7,
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
    });
  });

  it('reads Timestamps with offsets, Durations, FieldMasks, wrappers and floats in their JSON forms', () => {
    assert.deepEqual(fromJson('temporal.api.history.v1.HistoryEvent', { eventTime: '2024-05-01T12:00:00.5+02:00' }), {
      eventTime: { seconds: 1714557600, nanos: 500_000_000 },
    });
    assert.deepEqual(fromJson('temporal.api.common.v1.RetryPolicy', { initialInterval: '1.5s', backoffCoefficient: 'Infinity' }), {
      initialInterval: { seconds: 1, nanos: 500_000_000 },
      backoffCoefficient: Infinity,
    });
    assert.deepEqual(fromJson('temporal.api.workflowservice.v1.UpdateActivityOptionsRequest', { updateMask: 'retryPolicy.initialInterval,taskQueue' }), {
      updateMask: { paths: ['retry_policy.initial_interval', 'task_queue'] },
    });
    assert.deepEqual(fromJson('temporal.api.taskqueue.v1.TaskQueueMetadata', { maxTasksPerSecond: 2.5 }), { maxTasksPerSecond: { value: 2.5 } });
  });

  it('reads enums by their shorthand too, as the Web UI sends them (AllowAll)', () => {
    const trigger = (overlapPolicy: Json) => fromJson('temporal.api.schedule.v1.TriggerImmediatelyRequest', { overlapPolicy });
    assert.deepEqual(trigger('AllowAll'), { overlapPolicy: 'SCHEDULE_OVERLAP_POLICY_ALLOW_ALL' });
    assert.deepEqual(trigger('Unspecified'), {}, 'the default value, as proto3 leaves it out');
    assert.deepEqual(trigger('SCHEDULE_OVERLAP_POLICY_SKIP'), { overlapPolicy: 'SCHEDULE_OVERLAP_POLICY_SKIP' });
    for (const wrong of ['allowAll', 'ALLOW_ALL', 'AllowAllX']) assert.throws(() => trigger(wrong), RpcError, wrong);
  });

  it('reads payloads in shorthand or full form, and Any with "@type"', () => {
    const query = { queryType: 'state', queryArgs: [{ n: 1 }, null] };
    assert.deepEqual(fromJson('temporal.api.query.v1.WorkflowQuery', query, SHORTHAND), {
      queryType: 'state',
      queryArgs: { payloads: [jsonPayload({ n: 1 }), { metadata: { encoding: Buffer.from('binary/null') } }] },
    });
    const full = { queryType: 'state', queryArgs: { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"x"') }] } };
    assert.deepEqual(fromJson('temporal.api.query.v1.WorkflowQuery', full, SHORTHAND), { queryType: 'state', queryArgs: { payloads: [jsonPayload('x')] } });
    assert.deepEqual(fromJson('temporal.api.query.v1.WorkflowQuery', full, FULL), { queryType: 'state', queryArgs: { payloads: [jsonPayload('x')] } });
    const message = fromJson('temporal.api.protocol.v1.Message', {
      body: { '@type': 'type.googleapis.com/temporal.api.update.v1.Request', meta: { updateId: 'u1' } },
    });
    assert.deepEqual(message, {
      body: {
        type_url: 'type.googleapis.com/temporal.api.update.v1.Request',
        value: messageCodec('temporal.api.update.v1.Request').encode({ meta: { updateId: 'u1' } }),
      },
    });
  });

  it('a value that does not fit its field is INVALID_ARGUMENT naming the field', () => {
    const cases: Array<[string, Json, RegExp]> = [
      ['temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest', { maximumPageSize: 'ten' }, /field 'maximumPageSize': expected an integer/],
      ['temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest', { waitNewEvent: 'yes' }, /field 'waitNewEvent': expected true or false/],
      [
        'temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest',
        { execution: { workflowId: 5 } },
        /field 'execution.workflowId': expected a string/,
      ],
      [
        'temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest',
        { historyEventFilterType: 'CLOSE' },
        /field 'historyEventFilterType': expected one of/,
      ],
      ['temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest', { maximumPageSize: 2 ** 31 }, /expected a int32/],
      ['temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest', { nextPageToken: '***' }, /expected base64 bytes/],
      ['temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest', { bogus: 1 }, /unknown field 'bogus'/],
      ['temporal.api.history.v1.HistoryEvent', { eventTime: 'yesterday' }, /field 'eventTime': expected an RFC 3339 timestamp/],
      ['temporal.api.common.v1.RetryPolicy', { initialInterval: '10 seconds' }, /expected a duration like "1.5s"/],
      ['temporal.api.common.v1.RetryPolicy', { nonRetryableErrorTypes: 'A' }, /field 'nonRetryableErrorTypes': expected a JSON array/],
    ];
    for (const [typeName, json, message] of cases) {
      assert.throws(
        () => fromJson(typeName, json),
        (err: unknown) => err instanceof RpcError && err.code === 3 && message.test(err.message),
        `${JSON.stringify(json)}`,
      );
    }
  });
});
