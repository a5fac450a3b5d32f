// Conformance: behaviours where temporal-lite used to differ from Temporal's servers (hangs,
// wrong results, errors without their detail), in temporal-lite's durable and time-skipping modes.
import { ActivityCompletionError, ActivityNotFoundError, Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, NamespaceNotFoundError, type Payload } from '@temporalio/common';
import { status } from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import protobuf from 'protobufjs';
import { eventTypes, startWorker } from './helpers/harness.js';
import { conformanceSuiteInBothModes } from './helpers/scenarios.js';

// Temporal server's task token (proto/internal/temporal/server/api/token/v1/message.proto), as a
// client or tool that builds or reads one sees it.
const TaskToken = protobuf
  .parse(
    `syntax = "proto3";
     package temporal.server.api.token.v1;
     message Task {
       string namespace_id = 1; string workflow_id = 2; string run_id = 3; int64 scheduled_event_id = 4; int32 attempt = 5;
       string activity_id = 6; string workflow_type = 7; string activity_type = 8; int64 started_event_id = 10;
     }`,
  )
  .root.lookupType('temporal.server.api.token.v1.Task');

const TEST_SERVER_ATTRIBUTES = [
  'CustomKeywordField=Keyword',
  'CustomStringField=Text',
  'CustomTextField=Text',
  'CustomIntField=Int',
  'CustomDatetimeField=Datetime',
  'CustomDoubleField=Double',
  'CustomBoolField=Bool',
];

const grpcCode = (err: unknown): unknown => (err instanceof Error && 'code' in err ? err.code : undefined);

conformanceSuiteInBothModes(
  'temporal-lite conformance: fidelity',
  {
    'an accepted update still running when the workflow completes fails with AcceptedUpdateCompletedWorkflow': async ({ client, taskQueue, id }) => {
      const handle = await client.workflow.start('updateOutlivesWorkflow', { taskQueue, workflowId: id('updateOutlives') });
      const update = await handle.startUpdate('stall', { waitForStage: 'ACCEPTED' });
      await handle.signal('done');
      assert.equal(await handle.result(), 'done');
      const err = await update.result().catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
      assert.equal(err.cause.type, 'AcceptedUpdateCompletedWorkflow');
      assert.equal(err.cause.nonRetryable, true);
    },

    "a child's execution timeout reaches the parent with retry state TIMEOUT": async ({ client, taskQueue, id }) => {
      assert.equal(await client.workflow.execute('childExecutionTimeout', { taskQueue, workflowId: id('childTimeout') }), 'TIMEOUT: TimeoutFailure');
    },

    'an unknown namespace: NOT_FOUND with NamespaceNotFoundFailure, raised as NamespaceNotFoundError': async ({ client, taskQueue, id }) => {
      const namespace = `no-such-namespace-${randomUUID()}`;
      const elsewhere = new Client({ connection: client.connection, namespace });
      const err = await elsewhere.workflow.start('greeting', { taskQueue, workflowId: id('nowhere', false), args: ['x'] }).catch((e: unknown) => e);
      assert.ok(err instanceof NamespaceNotFoundError, String(err));
      assert.equal(err.namespace, namespace);
    },

    "task tokens in Temporal's format: one naming no activity is NOT_FOUND, an undecodable one INVALID_ARGUMENT": async ({ client, namespace, id }) => {
      const namespaceId = (await client.workflowService.describeNamespace({ namespace })).namespaceInfo?.id;
      assert.ok(namespaceId);
      const token = TaskToken.encode(
        TaskToken.fromObject({
          namespaceId,
          workflowId: id('noSuchWorkflow', false),
          runId: randomUUID(),
          scheduledEventId: 5,
          attempt: 1,
          activityId: '1',
          workflowType: 'greeting',
          activityType: 'greet',
        }),
      ).finish();
      await assert.rejects(client.activity.complete(token, 'late'), ActivityNotFoundError);
      const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff]);
      await assert.rejects(client.activity.complete(garbage, 'x'), ActivityCompletionError);
      const raw = await client.workflowService.respondActivityTaskCompleted({ namespace, taskToken: garbage }).catch((e: unknown) => e);
      assert.equal(grpcCode(raw), status.INVALID_ARGUMENT, String(raw));
    },

    "the test server's custom search attributes, typed for the workflow (Datetime as Date), BuildIds in describe": async ({ client, taskQueue, id }) => {
      const handle = await client.workflow.start('searchAttributeKinds', {
        taskQueue,
        workflowId: id('saKinds'),
        searchAttributes: {
          CustomKeywordField: ['keyword'],
          CustomStringField: ['some text'],
          CustomTextField: ['other text'],
          CustomIntField: [1],
          CustomDatetimeField: [new Date('2029-05-06T07:08:09Z')],
          CustomDoubleField: [1.5],
          CustomBoolField: [true],
        },
      });
      assert.deepEqual(await handle.result(), {
        CustomKeywordField: 'string',
        CustomStringField: 'string',
        CustomTextField: 'string',
        CustomIntField: 'number',
        CustomDatetimeField: 'Date',
        CustomDoubleField: 'number',
        CustomBoolField: 'boolean',
      });
      const { searchAttributes } = await handle.describe();
      assert.deepEqual(searchAttributes.CustomDatetimeField, [new Date('2030-01-02T03:04:05Z')]);
      assert.deepEqual(searchAttributes.CustomKeywordField, ['upserted']);
      assert.deepEqual(searchAttributes.CustomBoolField, [false]);
      // An unversioned worker with the SDK's default build id: the sentinel, then that build.
      assert.equal(searchAttributes.BuildIds?.length, 2, String(searchAttributes.BuildIds));
      assert.equal(searchAttributes.BuildIds[0], 'unversioned');
      assert.match(String(searchAttributes.BuildIds[1]), /^unversioned:@temporalio\/worker@/);
    },

    'currentBuildId: a new worker replaying reports the build that ran each task, then its own once it completes one': async ({
      env,
      client,
      namespace,
      taskQueue,
      cached,
      id,
    }) => {
      const buildQueue = `${taskQueue}-builds`;
      const workflowId = id('currentBuildId');
      const handle = client.workflow.getHandle(workflowId);
      const first = await startWorker(env, buildQueue, cached, { buildId: 'build-1.0' });
      try {
        await client.workflow.start('reportsCurrentBuildId', { taskQueue: buildQueue, workflowId });
        assert.equal(await handle.query<string>('currentBuildId'), 'build-1.0');
      } finally {
        await first.stop();
      }
      await client.workflowService.resetStickyTaskQueue({ namespace, execution: { workflowId } });
      const second = await startWorker(env, buildQueue, cached, { buildId: 'build-1.1' });
      try {
        assert.equal(await handle.query<string>('currentBuildId'), 'build-1.0', "replaying the first worker's task");
        await handle.signal('done');
        assert.equal(await handle.query<string>('currentBuildId'), 'build-1.1', 'after completing a task of its own');
        await handle.signal('done');
        assert.equal(await handle.result(), 'build-1.1');
      } finally {
        await second.stop();
      }
      const { searchAttributes } = await handle.describe();
      assert.deepEqual(searchAttributes.BuildIds, ['unversioned', 'unversioned:build-1.0', 'unversioned:build-1.1']);
    },

    'user metadata: the static summary and details of the workflow, its timers, activities and children, in describe and history': async ({
      client,
      taskQueue,
      id,
    }) => {
      const handle = await client.workflow.start('withUserMetadata', {
        taskQueue,
        workflowId: id('metadata'),
        staticSummary: 'the workflow',
        staticDetails: 'workflow details',
      });
      assert.equal(await handle.result(), 'child got metadata');
      const described = await handle.describe();
      assert.equal(await described.staticSummary(), 'the workflow');
      assert.equal(await described.staticDetails(), 'workflow details');
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      const types = eventTypes(history);
      const metadataOf = (type: string) => {
        const event = events[types.indexOf(type)];
        assert.ok(event, type);
        const text = (payload: unknown) => (payload ? defaultPayloadConverter.fromPayload<string>(payload as Payload) : undefined);
        return { summary: text(event.userMetadata?.summary), details: text(event.userMetadata?.details) };
      };
      assert.deepEqual(metadataOf('WORKFLOW_EXECUTION_STARTED'), { summary: 'the workflow', details: 'workflow details' });
      assert.deepEqual(metadataOf('TIMER_STARTED'), { summary: 'short nap', details: undefined });
      assert.deepEqual(metadataOf('ACTIVITY_TASK_SCHEDULED'), { summary: 'say hello', details: undefined });
      assert.deepEqual(metadataOf('START_CHILD_WORKFLOW_EXECUTION_INITIATED'), { summary: 'the child', details: 'child details' });
      const childId = events.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)?.startChildWorkflowExecutionInitiatedEventAttributes
        ?.workflowId;
      assert.ok(childId);
      const childDescription = await client.workflow.getHandle(childId).describe();
      assert.equal(await childDescription.staticSummary(), 'the child');
      assert.equal(await childDescription.staticDetails(), 'child details');
    },
  },
  { durable: { server: { searchAttributes: TEST_SERVER_ATTRIBUTES } } },
);
