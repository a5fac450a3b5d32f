// Counting schedules the way Temporal's Web UI does: CountWorkflowExecutions scoped to the
// scheduler namespace division (Temporal's server runs each schedule as a workflow there) counts
// the namespace's schedules, filtered by the query's other conditions; other counts are unchanged.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startEnv, type Env } from './helpers/harness.js';

const SCHEDULERS = 'TemporalNamespaceDivision="TemporalScheduler" AND ExecutionStatus="Running"';

describe('CountWorkflowExecutions of the scheduler division', () => {
  let env: Env;
  const prefix = `count-${randomUUID().slice(0, 8)}`;

  const count = async (query: string): Promise<number> =>
    Number((await env.client.workflowService.countWorkflowExecutions({ namespace: 'default', query })).count);

  before(async () => {
    env = await startEnv();
    for (const [suffix, paused] of [
      ['a', false],
      ['b', true],
    ] as const) {
      await env.client.schedule.create({
        scheduleId: `${prefix}-${suffix}`,
        spec: { intervals: [{ every: '1h' }] },
        action: { type: 'startWorkflow', workflowType: 'greeting', args: ['count'], taskQueue: 'nobody-polls' },
        state: { paused },
      });
    }
  });
  after(() => env?.close());

  it('counts the schedules, filtered by the other conditions', async () => {
    assert.equal(await count(SCHEDULERS), 2);
    assert.equal(await count(`${SCHEDULERS} AND TemporalSchedulePaused=true`), 1);
    assert.equal(await count(`${SCHEDULERS} AND ScheduleId="${prefix}-a"`), 1);
    await env.client.schedule.getHandle(`${prefix}-a`).delete();
    assert.equal(await count(SCHEDULERS), 1);
  });

  it('leaves counts of ordinary workflows alone', async () => {
    assert.equal(await count('ExecutionStatus="Running"'), 0);
  });

  it('refuses a filter schedule lists do not support, naming it', async () => {
    await assert.rejects(count(`${SCHEDULERS} AND StartTime > "2020-01-01T00:00:00Z"`), /invalid query/);
  });
});
