// Conformance: Schedules through the SDK's ScheduleClient — create, describe, list, update,
// pause/unpause, trigger, backfill, delete, matching times; spec times with time zones;
// remaining actions; overlap policies; pause-on-failure; the search attributes and ids of the
// workflows a schedule starts; and the errors Temporal answers.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleOptions,
} from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { status } from '@grpc/grpc-js';
import Long from 'long';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from './helpers/harness.js';
import { conformanceSuiteInBothModes, type ScenarioContext } from './helpers/scenarios.js';

const CUSTOM_KEYWORD = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
/** Waits for what the schedule does in the background (wall time in durable mode, jumps with time skipping). */
const ACTION_TIMEOUT_MS = 30_000;
/** A workflow id a schedule gives its workflows: the action's id, '-', the nominal time in RFC 3339 (whole seconds, UTC). */
const SCHEDULED_ID = /^(.+)-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/;

type Action = ScheduleOptions['action'];

const grpcCode = (err: unknown): unknown => (err instanceof Error && 'code' in err ? err.code : undefined);

/** A schedule for the scenario, deleted when `use` ends (so no schedule outlives its scenario). */
async function withSchedule(
  ctx: ScenarioContext,
  name: string,
  options: Omit<ScheduleOptions, 'scheduleId' | 'action'> & { action?: Partial<Action> },
  use: (handle: ScheduleHandle, scheduleId: string, workflowId: string) => Promise<void>,
): Promise<void> {
  const scheduleId = ctx.id(name, false);
  const workflowId = ctx.id(`${name}-wf`);
  const handle = await ctx.client.schedule.create({
    ...options,
    scheduleId,
    action: { type: 'startWorkflow', workflowType: 'greeting', args: ['schedule'], taskQueue: ctx.taskQueue, workflowId, ...options.action } as Action,
  });
  try {
    await use(handle, scheduleId, workflowId);
  } finally {
    await handle.delete().catch(() => undefined);
  }
}

async function describedWhen(handle: ScheduleHandle, what: string, ready: (d: ScheduleDescription) => boolean): Promise<ScheduleDescription> {
  return waitFor(
    what,
    async () => {
      const description = await handle.describe();
      return ready(description) ? description : undefined;
    },
    ACTION_TIMEOUT_MS,
  );
}

/** The workflow ids of the schedule's recent actions. */
const startedIds = (d: ScheduleDescription) => d.info.recentActions.map((action) => action.action.workflow.workflowId);

/** The status of the run the schedule's `index`th recent action started (two starts in one second share their workflow id). */
async function startedStatus(client: Client, d: ScheduleDescription, index: number): Promise<string> {
  const { workflowId, firstExecutionRunId } = d.info.recentActions[index].action.workflow;
  return (await client.workflow.getHandle(workflowId, firstExecutionRunId).describe()).status.name;
}

conformanceSuiteInBothModes(
  'temporal-lite conformance: schedules',
  {
    'create, describe, list and delete; a taken id raises ScheduleAlreadyRunning, a missing one ScheduleNotFoundError': async (ctx) => {
      await withSchedule(
        ctx,
        'schedDescribe',
        {
          spec: { cronExpressions: ['30 9 * * mon-fri'], intervals: [{ every: '1 day', offset: '3 hours' }], timezone: 'America/New_York', jitter: '1 minute' },
          memo: { owner: 'jobs' },
          typedSearchAttributes: [{ key: CUSTOM_KEYWORD, value: 'nightly' }],
          policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '5 minutes' },
          state: { paused: true, note: 'created paused' },
        },
        async (handle, scheduleId, workflowId) => {
          const described = await handle.describe();
          assert.equal(described.scheduleId, scheduleId);
          assert.deepEqual(described.spec.calendars?.[0]?.hour, [{ start: 9, end: 9, step: 1 }]);
          assert.deepEqual(described.spec.calendars?.[0]?.minute, [{ start: 30, end: 30, step: 1 }]);
          assert.deepEqual(described.spec.calendars?.[0]?.dayOfWeek, [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
          assert.deepEqual(described.spec.intervals, [{ every: 24 * 3600_000, offset: 3 * 3600_000 }]);
          assert.equal(described.spec.timezone, 'America/New_York');
          assert.equal(described.spec.jitter, 60_000);
          assert.deepEqual(described.memo, { owner: 'jobs' });
          assert.equal(described.typedSearchAttributes.get(CUSTOM_KEYWORD), 'nightly');
          assert.deepEqual(described.policies, { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: 300_000, pauseOnFailure: false });
          assert.deepEqual(described.state, { paused: true, note: 'created paused', remainingActions: undefined });
          assert.equal(described.action.type, 'startWorkflow');
          assert.equal(described.action.workflowId, workflowId);
          assert.deepEqual(described.action.args, ['schedule']);
          assert.ok(described.info.createdAt instanceof Date);
          assert.equal(described.info.numActionsTaken, 0);
          assert.equal(described.info.nextActionTimes.length, 10);

          const listed = await waitFor(
            'the schedule in the list',
            async () => {
              for await (const summary of ctx.client.schedule.list()) if (summary.scheduleId === scheduleId) return summary;
              return undefined;
            },
            ACTION_TIMEOUT_MS,
          );
          assert.deepEqual(listed.memo, { owner: 'jobs' });
          assert.equal(listed.state.paused, true);
          assert.equal(listed.state.note, 'created paused');
          assert.equal(listed.action?.workflowType, 'greeting');

          await assert.rejects(
            ctx.client.schedule.create({
              scheduleId,
              spec: { intervals: [{ every: '1 hour' }] },
              action: { type: 'startWorkflow', workflowType: 'greeting', taskQueue: ctx.taskQueue },
            }),
            ScheduleAlreadyRunning,
          );
          await handle.delete();
          await assert.rejects(handle.describe(), ScheduleNotFoundError);
          await assert.rejects(handle.pause(), ScheduleNotFoundError);
        },
      );
    },

    'spec times: a calendar in a time zone, and ListScheduleMatchingTimes agrees with the next action times': async (ctx) => {
      await withSchedule(
        ctx,
        'schedCalendar',
        { spec: { calendars: [{ hour: 3, minute: 30, dayOfWeek: 'MONDAY' }], timezone: 'Europe/Berlin' }, state: { paused: true } },
        async (handle, scheduleId) => {
          const { info } = await handle.describe();
          assert.equal(info.nextActionTimes.length, 10);
          for (const time of info.nextActionTimes) {
            const berlin = new Intl.DateTimeFormat('en-GB', {
              timeZone: 'Europe/Berlin',
              weekday: 'short',
              hour: '2-digit',
              minute: '2-digit',
              hourCycle: 'h23',
            }).format(time);
            assert.equal(berlin, 'Mon 03:30', time.toISOString());
          }
          const first = info.nextActionTimes[0];
          const last = info.nextActionTimes[9];
          const matching = await ctx.client.workflowService.listScheduleMatchingTimes({
            namespace: ctx.namespace,
            scheduleId,
            startTime: { seconds: Long.fromNumber(Math.floor(first.getTime() / 1000) - 1) },
            endTime: { seconds: Long.fromNumber(Math.floor(last.getTime() / 1000)) },
          });
          assert.deepEqual(
            (matching.startTime ?? []).map((t) => Number(t.seconds) * 1000),
            info.nextActionTimes.map((t) => t.getTime()),
          );
        },
      );
    },

    'trigger now: the workflow id carries the nominal time; TemporalScheduledById / StartTime and the action memo are set': async (ctx) => {
      await withSchedule(
        ctx,
        'schedTrigger',
        {
          spec: { intervals: [{ every: '1 day' }] },
          state: { paused: true },
          action: { memo: { from: 'schedule' }, typedSearchAttributes: [{ key: CUSTOM_KEYWORD, value: 'scheduled' }] },
        },
        async (handle, scheduleId, workflowId) => {
          await handle.trigger();
          const described = await describedWhen(handle, 'the triggered action', (d) => d.info.numActionsTaken === 1);
          const [startedId] = startedIds(described);
          const match = SCHEDULED_ID.exec(startedId);
          assert.ok(match, startedId);
          assert.equal(match[1], workflowId);
          const started = ctx.client.workflow.getHandle(startedId);
          assert.equal(await started.result(), 'Hello, schedule!');
          const workflow = await started.describe();
          assert.equal(workflow.searchAttributes.TemporalScheduledById?.[0], scheduleId);
          const scheduledAt = workflow.searchAttributes.TemporalScheduledStartTime?.[0];
          assert.ok(scheduledAt instanceof Date);
          assert.equal(scheduledAt.toISOString().replace('.000Z', 'Z'), match[2]);
          assert.equal(workflow.typedSearchAttributes.get(CUSTOM_KEYWORD), 'scheduled');
          assert.deepEqual(await workflow.memo, { from: 'schedule' });
        },
      );
    },

    "each workflow gets the previous one's result as its last completion result": async (ctx) => {
      await withSchedule(
        ctx,
        'schedLastResult',
        { spec: { intervals: [{ every: '1 day' }] }, state: { paused: true }, action: { workflowType: 'countsScheduledRuns', args: [] } },
        async (handle) => {
          for (const expected of [1, 2]) {
            await handle.trigger(ScheduleOverlapPolicy.SKIP);
            const described = await describedWhen(handle, `action ${expected}`, (d) => d.info.numActionsTaken === expected);
            const { workflowId, firstExecutionRunId } = described.info.recentActions[expected - 1].action.workflow;
            assert.equal(await ctx.client.workflow.getHandle(workflowId, firstExecutionRunId).result(), expected);
            await describedWhen(handle, `action ${expected} no longer running`, (d) => d.info.runningActions.length === 0);
          }
        },
      );
    },

    'an interval schedule takes its remaining actions, then stops': async (ctx) => {
      await withSchedule(ctx, 'schedLimited', { spec: { intervals: [{ every: '1 second' }] }, state: { remainingActions: 2 } }, async (handle) => {
        const described = await describedWhen(handle, 'two actions', (d) => d.info.numActionsTaken === 2);
        assert.equal(described.state.remainingActions, 0);
        assert.deepEqual(described.info.nextActionTimes, []);
        for (const id of startedIds(described)) assert.equal(await ctx.client.workflow.getHandle(id).result(), 'Hello, schedule!');
      });
    },

    'pause and unpause keep their notes; update replaces the spec and records the update time': async (ctx) => {
      await withSchedule(ctx, 'schedUpdate', { spec: { intervals: [{ every: '1 day' }] }, state: { paused: true } }, async (handle) => {
        await handle.pause('maintenance window');
        assert.deepEqual((await handle.describe()).state, { paused: true, note: 'maintenance window', remainingActions: undefined });
        await handle.unpause('back to work');
        await handle.pause('paused again');
        const unpaused = await handle.describe();
        assert.equal(unpaused.state.note, 'paused again');
        await handle.update((previous) => ({ ...previous, spec: { calendars: [{ hour: 12, dayOfMonth: 1 }] }, state: { paused: true, note: 'updated' } }));
        const updated = await handle.describe();
        assert.deepEqual(updated.spec.intervals, []);
        assert.deepEqual(updated.spec.calendars?.[0]?.dayOfMonth, [{ start: 1, end: 1, step: 1 }]);
        assert.equal(updated.state.note, 'updated');
        assert.ok(updated.info.lastUpdatedAt instanceof Date);
        for (const time of updated.info.nextActionTimes) assert.deepEqual([time.getUTCDate(), time.getUTCHours(), time.getUTCMinutes()], [1, 12, 0]);
      });
    },

    'times that pass while paused are skipped, not caught up when unpaused': async (ctx) => {
      await withSchedule(
        ctx,
        'schedUnpause',
        { spec: { intervals: [{ every: '1 second' }] }, state: { paused: true, remainingActions: 1 } },
        async (handle) => {
          const { createdAt } = (await handle.describe()).info;
          // Spec times pass while paused (on the server's clock, which never runs slower than the wall's).
          await delay(2500);
          await handle.unpause('resumed');
          const described = await describedWhen(handle, 'the one action', (d) => d.info.numActionsTaken === 1);
          const scheduledAt = described.info.recentActions[0].scheduledAt;
          assert.ok(
            scheduledAt.getTime() >= createdAt.getTime() + 2000,
            `took ${scheduledAt.toISOString()}, a time while paused (created ${createdAt.toISOString()})`,
          );
        },
      );
    },

    'backfill starts one workflow per spec time in the range (start inclusive), even while paused': async (ctx) => {
      await withSchedule(ctx, 'schedBackfill', { spec: { calendars: [{ hour: '*' }] }, state: { paused: true } }, async (handle, _scheduleId, workflowId) => {
        await handle.backfill({ start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-01T03:00:00Z'), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
        const described = await describedWhen(handle, 'four backfilled actions', (d) => d.info.numActionsTaken === 4);
        assert.deepEqual(
          startedIds(described).sort(),
          ['00', '01', '02', '03'].map((hour) => `${workflowId}-2024-01-01T${hour}:00:00Z`),
        );
      });
    },

    'overlap BUFFER_ONE: one waits for the running workflow, the next is skipped': async (ctx) => {
      await withSchedule(
        ctx,
        'schedBufferOne',
        { spec: { intervals: [{ every: '1 day' }] }, state: { paused: true }, action: { workflowType: 'runForever', args: [] } },
        async (handle) => {
          for (let i = 0; i < 3; i++) await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
          const first = await describedWhen(handle, 'one running, one skipped', (d) => d.info.numActionsTaken === 1 && d.info.numActionsSkippedOverlap === 1);
          assert.equal(first.info.runningActions.length, 1);
          await ctx.client.workflow.getHandle(startedIds(first)[0]).terminate('let the buffered one start');
          const second = await describedWhen(handle, 'the buffered start taken', (d) => d.info.numActionsTaken === 2);
          assert.equal(second.info.runningActions.length, 1);
          await ctx.client.workflow.getHandle(second.info.runningActions[0].workflow.workflowId).terminate('done');
        },
      );
    },

    'overlap TERMINATE_OTHER: the running workflow is terminated for the new one': async (ctx) => {
      await withSchedule(
        ctx,
        'schedTerminate',
        { spec: { intervals: [{ every: '1 day' }] }, state: { paused: true }, action: { workflowType: 'runForever', args: [] } },
        async (handle) => {
          await handle.trigger(ScheduleOverlapPolicy.TERMINATE_OTHER);
          const first = await describedWhen(handle, 'the first running', (d) => d.info.runningActions.length === 1);
          await handle.trigger(ScheduleOverlapPolicy.TERMINATE_OTHER);
          const second = await describedWhen(handle, 'the second running', (d) => d.info.numActionsTaken === 2 && d.info.runningActions.length === 1);
          assert.deepEqual(second.info.recentActions[0].action, first.info.recentActions[0].action);
          assert.equal(await startedStatus(ctx.client, second, 0), 'TERMINATED');
          assert.equal(await startedStatus(ctx.client, second, 1), 'RUNNING');
          assert.deepEqual(second.info.runningActions[0].workflow, second.info.recentActions[1].action.workflow);
          await ctx.client.workflow.getHandle(startedIds(second)[1]).terminate('done');
        },
      );
    },

    'pause on failure: a failed workflow pauses the schedule with a note naming it': async (ctx) => {
      await withSchedule(
        ctx,
        'schedPauseOnFailure',
        {
          spec: { intervals: [{ every: '1 day' }] },
          state: { paused: true },
          policies: { pauseOnFailure: true },
          action: { workflowType: 'failing', args: [] },
        },
        async (handle) => {
          await handle.unpause('running');
          await handle.trigger(ScheduleOverlapPolicy.SKIP);
          const paused = await describedWhen(handle, 'paused by the failure', (d) => d.state.paused);
          const [failedId] = startedIds(paused);
          assert.match(paused.state.note ?? '', new RegExp(`^paused due to workflow failure: ${failedId}: `));
          assert.equal(await startedStatus(ctx.client, paused, 0), 'FAILED');
        },
      );
    },

    'a create retried with its request id succeeds; another request id for the same schedule id is ALREADY_EXISTS': async (ctx) => {
      const scheduleId = ctx.id('schedRetried', false);
      const request = {
        namespace: ctx.namespace,
        scheduleId,
        requestId: randomUUID(),
        schedule: {
          spec: { interval: [{ interval: { seconds: Long.fromNumber(3600) } }] },
          action: { startWorkflow: { workflowId: ctx.id('schedRetried-wf'), workflowType: { name: 'greeting' }, taskQueue: { name: ctx.taskQueue } } },
          state: { paused: true },
        },
      };
      try {
        await ctx.client.workflowService.createSchedule(request);
        await ctx.client.workflowService.createSchedule(request);
        await assert.rejects(
          ctx.client.workflowService.createSchedule({ ...request, requestId: randomUUID() }),
          (err: unknown) => grpcCode(err) === status.ALREADY_EXISTS,
        );
      } finally {
        await ctx.client.schedule.getHandle(scheduleId).delete();
      }
    },

    'bad specs are refused (the client raises TypeError) and nothing is created': async (ctx) => {
      const scheduleId = ctx.id('schedInvalid', false);
      const action = { type: 'startWorkflow', workflowType: 'greeting', taskQueue: ctx.taskQueue } as const;
      await assert.rejects(ctx.client.schedule.create({ scheduleId, spec: { cronExpressions: ['not a cron'] }, action }), TypeError);
      await assert.rejects(
        ctx.client.schedule.create({ scheduleId, spec: { intervals: [{ every: '1 hour' }], timezone: 'Mars/Olympus_Mons' }, action }),
        TypeError,
      );
      await assert.rejects(ctx.client.schedule.create({ scheduleId, spec: { cronExpressions: ['0 25 * * *'] }, action }), TypeError);
      await assert.rejects(ctx.client.schedule.getHandle(scheduleId).describe(), ScheduleNotFoundError);
    },
  },
  {
    durable: { server: { searchAttributes: ['CustomKeywordField=Keyword'] } },
    timeSkipping: { server: { searchAttributes: ['CustomKeywordField=Keyword'] } },
  },
);
