// Unit tests of the webhook pieces: which targets a hook may have, the signature scheme as the README
// shows receivers to check it, and which events a hook wants.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { wantsEvent, type Webhook } from '../../src/webhooks/model.js';
import { signedHeaders, verifySignature } from '../../src/webhooks/signature.js';
import { addressRefusal, guardedLookup, urlRefusal } from '../../src/webhooks/target.js';

const STRICT = { allowPrivateNetworks: false };
const OPEN = { allowPrivateNetworks: true };

describe('webhook targets', () => {
  it('takes https to public and loopback addresses, http to loopback only', () => {
    for (const url of [
      'https://hooks.example.com/x',
      'https://8.8.8.8/',
      'https://[2001:4860::8888]/',
      'https://127.0.0.1:8443/',
      'http://127.0.0.1:9000/in',
      'http://localhost:3000/',
      'http://[::1]/',
      'http://api.localhost/',
    ]) {
      assert.equal(urlRefusal(url, STRICT), undefined, url);
    }
    assert.match(urlRefusal('http://hooks.example.com/', STRICT)!, /http is allowed to loopback addresses only/);
    assert.match(
      urlRefusal('http://8.8.8.8/', OPEN)!,
      /http is allowed to loopback addresses only .*\(8\.8\.8\.8 is public\)/,
      'even with private networks allowed',
    );
    assert.equal(urlRefusal('http://10.1.1.1/in', OPEN), undefined, 'http inside a private network, when allowed');
    assert.match(urlRefusal('http://10.1.1.1/in', STRICT)!, /private-network address/);
    assert.equal(urlRefusal('http://receiver.internal/in', OPEN), undefined, 'a name: its addresses are checked when delivering');
    assert.match(urlRefusal('ws://hooks.example.com/', STRICT)!, /scheme must be https/);
    assert.match(urlRefusal('/relative', STRICT)!, /not an absolute URL/);
    assert.match(urlRefusal('https://hooks.example.com/#x', STRICT)!, /fragment/);
  });

  it('refuses private-network addresses unless allowed, IPv4-mapped ones included', () => {
    for (const address of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      'fd12::1',
      'fe80::1',
      '::',
      '::ffff:10.0.0.1',
    ]) {
      assert.match(addressRefusal(address, 'https:', STRICT) ?? '', /private-network address/, address);
      assert.equal(addressRefusal(address, 'https:', OPEN), undefined, address);
    }
    for (const address of ['172.32.0.1', '11.0.0.1', '192.169.0.1', '2001:db8::1']) assert.equal(addressRefusal(address, 'https:', STRICT), undefined, address);
    assert.equal(addressRefusal('::ffff:127.0.0.1', 'http:', STRICT), undefined);
  });

  it('checks what a name resolves to when connecting', async () => {
    const resolve = (hostname: string, protocol: string) =>
      new Promise<string>((done) => guardedLookup(protocol, STRICT)(hostname, {}, (err, address) => done(err ? `refused: ${err.message}` : String(address))));
    assert.match(await resolve('localhost', 'http:'), /^(127\.0\.0\.1|::1)$/);
    assert.match(await resolve('127.0.0.1', 'https:'), /^127\.0\.0\.1$/);
    assert.match(await resolve('10.9.8.7', 'https:'), /^refused: Refused to connect to 10\.9\.8\.7: 10\.9\.8\.7 is a private-network address/);
    assert.match(await resolve('8.8.4.4', 'http:'), /^refused: .*http is allowed to loopback addresses only/);
  });
});

describe('webhook signatures', () => {
  it('signs "{id}.{timestamp}.{body}" with HMAC-SHA256 as Standard Webhooks, and verifies within the tolerance', () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const body = '{"specversion":"1.0","id":"j.job.completed"}';
    const headers = signedHeaders('a-secret-of-16-chars', 'j.job.completed', body, at);
    const expected = createHmac('sha256', 'a-secret-of-16-chars')
      .update(`j.job.completed.${at.getTime() / 1000}.${body}`)
      .digest('base64');
    assert.deepEqual(headers, { 'webhook-id': 'j.job.completed', 'webhook-timestamp': String(at.getTime() / 1000), 'webhook-signature': `v1,${expected}` });
    assert.ok(verifySignature('a-secret-of-16-chars', headers, body, at));
    assert.ok(verifySignature('a-secret-of-16-chars', headers, body, new Date(at.getTime() + 299_000)));
    assert.ok(!verifySignature('a-secret-of-16-chars', headers, body, new Date(at.getTime() + 301_000)), 'an old request (a replay) is refused');
    assert.ok(!verifySignature('another-secret-16ch', headers, body, at));
    assert.ok(!verifySignature('a-secret-of-16-chars', headers, `${body} `, at), 'a changed body is refused');
    assert.ok(
      !verifySignature('a-secret-of-16-chars', { ...headers, 'webhook-timestamp': String(at.getTime() / 1000 + 1) }, body, at),
      'so is a changed timestamp',
    );
  });
});

describe('which events a hook wants', () => {
  const hook: Webhook = {
    id: 'h',
    url: 'https://x.example/',
    events: ['job.failed'],
    jobFilter: { jobType: 'scheduleUpdateTwin', jobIdPrefix: 'nightly-' },
    createdTime: '',
    lastUpdatedTime: '',
  };
  it('its event types, of jobs matching its filter', () => {
    assert.ok(wantsEvent(hook, 'job.failed', { jobId: 'nightly-1', jobType: 'scheduleUpdateTwin' }));
    assert.ok(!wantsEvent(hook, 'job.completed', { jobId: 'nightly-1', jobType: 'scheduleUpdateTwin' }));
    assert.ok(!wantsEvent(hook, 'job.failed', { jobId: 'daily-1', jobType: 'scheduleUpdateTwin' }));
    assert.ok(!wantsEvent(hook, 'job.failed', { jobId: 'nightly-1', jobType: 'scheduleDeviceMethod' }));
    assert.ok(wantsEvent({ ...hook, jobFilter: undefined }, 'job.failed', { jobId: 'any', jobType: 'scheduleDeviceMethod' }));
  });
});
