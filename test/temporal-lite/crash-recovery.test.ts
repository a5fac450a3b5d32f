// Durability: SIGKILL a process running temporal-lite (with a data dir) and a worker while
// workflows sleep on timers, run activities and wait for signals; restart it and check that
// everything completes correctly, no signal is lost and finished activities do not rerun.
import { Client, Connection } from '@temporalio/client';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnProcess, type Spawned } from './helpers/child-process.js';
import { historyTypes, waitFor } from './helpers/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'temporal-lite-crash-'));
const activityLog = join(dir, 'activities.log');
writeFileSync(activityLog, '');

function startHost(): Spawned {
  return spawnProcess(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'crash-host.ts')], {
    CRASH_DATA_DIR: join(dir, 'data'),
    CRASH_ACTIVITY_LOG: activityLog,
  });
}

async function connect(host: Spawned): Promise<{ client: Client; connection: Connection }> {
  const [, address] = await host.waitForLine(/ready (\S+)\n/, 60_000);
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), connection };
}

const logLines = () => readFileSync(activityLog, 'utf8').split('\n').filter(Boolean);

describe('temporal-lite crash recovery', () => {
  let host: Spawned | undefined;
  after(() => {
    host?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('every workflow completes after SIGKILL and restart', { timeout: 120_000 }, async () => {
    host = startHost();
    let { client, connection } = await connect(host);
    const opts = { taskQueue: 'crash', workflowTaskTimeout: '2s' } as const;
    const sleepers = await Promise.all([0, 1, 2].map((i) => client.workflow.start('sleeper', { ...opts, workflowId: `sleeper-${i}`, args: [2500] })));
    const steppers = await Promise.all([0, 1].map((i) => client.workflow.start('crashSteps', { ...opts, workflowId: `steps-${i}` })));
    const waiters = await Promise.all([0, 1].map((i) => client.workflow.start('signalAndQuery', { ...opts, workflowId: `signals-${i}` })));
    for (const w of waiters) await w.signal('unblock', 'before crash');

    // Crash while the timers are pending, step b is running and the signal waiters wait.
    await waitFor('step b running in both workflows', () => logLines().filter((l) => / b start 1$/.test(l)).length === 2 || undefined, 20_000);
    for (const s of sleepers) assert.ok((await historyTypes(s)).includes('TIMER_STARTED'));
    for (const w of waiters) assert.ok((await historyTypes(w)).includes('WORKFLOW_EXECUTION_SIGNALED'));
    host.child.kill('SIGKILL');
    await host.exited;
    await connection.close();

    host = startHost();
    ({ client, connection } = await connect(host));
    for (const w of waiters) await client.workflow.getHandle(w.workflowId).signal('unblock', 'after restart');
    for (const s of sleepers) assert.ok((await client.workflow.getHandle(s.workflowId).result()) >= 2500);
    for (const s of steppers) assert.equal(await client.workflow.getHandle(s.workflowId).result(), 'a+b');
    for (const w of waiters) assert.deepEqual(await client.workflow.getHandle(w.workflowId).result(), ['before crash', 'after restart']);

    const lines = logLines();
    for (const s of steppers) {
      assert.equal(lines.filter((l) => l === `${s.workflowId} a done`).length, 1, `step a of ${s.workflowId} ran once: ${lines.join(' | ')}`);
      assert.ok(lines.includes(`${s.workflowId} b done`));
    }
    await connection.close();
    host.child.kill('SIGTERM');
    await host.exited;
    host = undefined;
  });
});
