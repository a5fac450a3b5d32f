// The all-in-one hub killed (SIGKILL) while a webhook delivery is being retried, its third attempt in
// flight (the receiver refused two and holds the third open), then started again on the same data
// directory: every event of the job reaches the receiver at least once, in the job's order, each with
// the webhook-id it had before the kill (receivers dedupe on it) and a valid signature; none is lost.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.js';
import { registryFor } from '../helpers/service-sdk.js';
import { receiverCa, startWebhookReceiver, type WebhookReceiver } from '../webhooks/helpers/receiver.js';
import { cliJson } from './helpers/cli.js';
import { allInOneEnv, HubProcess, type StartedHub } from './helpers/hub-process.js';
import { pollUntil } from './helpers/poll.js';

const SECRET = 'kill-receiver-secret';
const EVENTS = ['job.created', 'job.started', 'job.completed'];
const JOB = 'hooked-kill';

interface DeliveryJson {
  id: string;
  status: string;
  attempts: number;
}

describe('SIGKILL of the all-in-one hub during a webhook delivery', () => {
  const dir = makeTempDir('iothub-kill-hooks-');
  let receiver: WebhookReceiver | undefined;
  after(async () => {
    await receiver?.close();
    dir.remove();
  });

  it('after a restart every event is delivered with its webhook-id, in order, none lost', async () => {
    let killed = false;
    // Before the kill: the first two attempts refused, the third held open (in flight at the kill); after it, accepted.
    receiver = await startWebhookReceiver(SECRET, (_request, index) => (killed ? 200 : index < 2 ? 503 : 'hang'));
    const caFile = join(dir.path, 'receiver-ca.pem');
    writeFileSync(caFile, receiverCa());
    const env = await allInOneEnv(join(dir.path, 'hub'), { HUB_WEBHOOKS_CA_FILE: caFile });
    const first = await HubProcess.start(env);
    let second: StartedHub | undefined;
    try {
      const address = { port: first.banner.httpsPort!, ca: readFileSync(first.banner.caFile, 'utf8') };
      const registry = registryFor(first.banner.connectionString, address);
      for (const deviceId of ['hk-1', 'hk-2']) await registry.create({ deviceId });
      const hubDir = env.HUB_DATA_DIR!;
      await cliJson(hubDir, ['hooks', 'add', 'killed', '--url', receiver.url, '--events', EVENTS.join(','), '--secret', SECRET]);
      await cliJson(hubDir, ['job', 'schedule-twin', '--job-id', JOB, '--query', "STARTSWITH(deviceId, 'hk-')", '--tags', '{"hooked":1}']);

      await receiver.received(3);
      assert.deepEqual(
        receiver.requests.map((request) => [request.event.type, request.answered]),
        [
          ['job.created', 503],
          ['job.created', 503],
          ['job.created', 'hang'],
        ],
        'killed while the third attempt at the first event is in flight',
      );
      assert.equal((await first.stop('SIGKILL')).signal, 'SIGKILL');
      killed = true;
      const beforeKill = receiver.requests.length;

      second = await HubProcess.start(env);
      // The attempt in flight at the kill is retried once its start-to-close timeout (30 s) runs out.
      await pollUntil(
        async () => receiver!.accepted().some((request) => request.event.type === 'job.completed') || undefined,
        'the last event accepted',
        120_000,
        250,
      );

      const expectedIds = EVENTS.map((type, n) => `${JOB}.${n + 1}.${type}`);
      const accepted = receiver.accepted().map((request) => request.event.id as string);
      assert.deepEqual([...new Set(accepted)], expectedIds, 'every event accepted, in order (deduplicated by id)');
      for (const request of receiver.requests) {
        assert.ok(request.verified, `the signature of ${request.event.id} verifies`);
        assert.equal(request.headers['webhook-id'], request.event.id);
        assert.ok(expectedIds.includes(request.event.id), `${request.event.id} is one of the job's events`);
      }
      const retried = receiver.requests.slice(beforeKill).find((request) => request.event.type === 'job.created');
      assert.equal(retried?.headers['webhook-id'], `${JOB}.1.job.created`, 'the event in flight at the kill is sent again with the same webhook-id');

      const deliveries = await pollUntil(
        async () => {
          const listed = await cliJson<DeliveryJson[]>(hubDir, ['hooks', 'deliveries', 'killed', '--json']);
          return listed.length === EVENTS.length && listed.every((delivery) => delivery.status === 'delivered') ? listed : undefined;
        },
        'every delivery recorded as delivered',
        30_000,
        500,
      );
      assert.ok(deliveries.find((delivery) => delivery.id === expectedIds[0])!.attempts >= 4, 'the first event took its attempts before and after the kill');
      assert.deepEqual(await second.stop('SIGINT'), { code: 0, signal: null }, second.output);
    } finally {
      for (const hub of [first, second]) if (hub && hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop('SIGKILL');
    }
  });
});
