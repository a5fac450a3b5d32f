// The CLI with --db-filename: state survives a restart; bad database files give one clear line.
import { Client, Connection } from '@temporalio/client';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startTemporalLite, StorageOpenError } from '../../temporal-lite/index.js';
import { binPath } from './helpers/bin.js';
import { spawnProcess, type Spawned } from './helpers/child-process.js';
import { historyTypes, quietRuntime, startWorker, type Env } from './helpers/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'temporal-lite-storage-'));

function startCli(args: string[]): Spawned {
  return spawnProcess(binPath(), ['server', 'start-dev', '--port', '0', ...args]);
}

async function connectCli(cli: Spawned): Promise<{ client: Client; connection: Connection; address: string }> {
  const [, address] = await cli.waitForLine(/listening on (\S+)\n/);
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), connection, address };
}

/** Runs the CLI expecting it to fail; returns its stderr. */
async function failingCli(args: string[]): Promise<string> {
  const cli = startCli(args);
  assert.equal(await cli.exited, 1, `exit code; stderr: ${cli.stderr()}`);
  return cli.stderr();
}

function assertOneClearLine(stderr: string, mentions: string): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got: ${stderr}`);
  assert.ok(lines[0].includes(mentions), `'${lines[0]}' should mention ${mentions}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('temporal-lite storage', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('server start-dev --db-filename keeps workflows across a restart', { timeout: 60_000 }, async () => {
    quietRuntime();
    const file = join(dir, 'restart.db');
    let cli = startCli(['--db-filename', file, '--namespace', 'extra', '--headless', '--log-level', 'warn', '--made-up-flag']);
    let { client, connection } = await connectCli(cli);
    assert.match(cli.stderr(), /warning: ignoring unknown flag '--made-up-flag'/);
    const waiting = await client.workflow.start('signalAndQuery', { taskQueue: 'restart', workflowId: 'restart-signals' });
    await waiting.signal('unblock', 'before restart');
    const other = await client.workflow.start('greeting', { taskQueue: 'restart', workflowId: 'restart-greeting', args: ['disk'] });
    await connection.close();
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);

    cli = startCli(['--db-filename', file]);
    const restarted = await connectCli(cli);
    ({ client, connection } = restarted);
    const { address } = restarted;
    const env = { nativeConnection: await (await import('@temporalio/worker')).NativeConnection.connect({ address }) } as Env;
    const worker = await startWorker(env, 'restart', true);
    try {
      const ns = await client.workflowService.describeNamespace({ namespace: 'extra' });
      assert.equal(ns.namespaceInfo?.name, 'extra');
      await client.workflow.getHandle('restart-signals').signal('unblock', 'after restart');
      assert.deepEqual(await client.workflow.getHandle('restart-signals').result(), ['before restart', 'after restart']);
      assert.equal(await client.workflow.getHandle(other.workflowId).result(), 'Hello, disk!');
      assert.equal((await historyTypes(client.workflow.getHandle('restart-signals'))).filter((t) => t === 'WORKFLOW_EXECUTION_SIGNALED').length, 2);
    } finally {
      await worker.stop();
      await env.nativeConnection.close();
      await connection.close();
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('a missing directory for --db-filename: one clear line, exit code 1', async () => {
    const file = join(dir, 'no-such-dir', 'x.db');
    assertOneClearLine(await failingCli(['--db-filename', file]), file);
  });

  it('a data directory that cannot be created: the library rejects naming it', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const dataDir = join(blocker, 'data');
    await assert.rejects(
      startTemporalLite({ dataDir }),
      (err: unknown) => err instanceof StorageOpenError && err.message.startsWith(`cannot create data directory ${dataDir}:`),
    );
  });

  it('a file that is not a database: one clear line, exit code 1; the library rejects', async () => {
    const file = join(dir, 'corrupt.db');
    writeFileSync(file, Buffer.alloc(8192, 'this is not sqlite '));
    assertOneClearLine(await failingCli(['--db-filename', file]), file);
    await assert.rejects(startTemporalLite({ dbFile: file }), (err: unknown) => err instanceof StorageOpenError && err.message.includes(file));
  });

  it('a database in use by another server: one clear line, exit code 1', async () => {
    const file = join(dir, 'locked.db');
    const first = await startTemporalLite({ dbFile: file });
    try {
      const stderr = await failingCli(['--db-filename', file]);
      assertOneClearLine(stderr, file);
      assert.match(stderr, /in use/);
    } finally {
      await first.close();
    }
  });

  it('bad CLI values: one clear line', async () => {
    const cli = spawnProcess(binPath(), ['server', 'start-dev', '--port', 'nope']);
    assert.equal(await cli.exited, 2);
    assertOneClearLine(cli.stderr(), "invalid port 'nope'");
  });
});
