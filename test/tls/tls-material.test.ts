import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureTlsMaterial, type TlsMaterial } from '../../src/tls/material.js';
import { runScript } from '../helpers/child-script.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Does a TLS client that trusts `ca` and checks `servername` accept the material? */
async function handshake(material: TlsMaterial, servername: string): Promise<string> {
  const server = https.createServer({ key: material.key, cert: material.cert }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', servername, port: (server.address() as AddressInfo).port, ca: material.ca, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve('trusted'));
      });
      req.on('error', (err) => resolve(err.message));
      req.on('timeout', () => reject(new Error('timeout')));
    });
  } finally {
    server.close();
  }
}

describe('TLS material', () => {
  let dir: ReturnType<typeof makeTempDir>;
  before(() => {
    dir = makeTempDir('iothub-tls-');
  });
  after(() => dir.remove());

  it('is generated on first use: a CA and a serverAuth certificate for localhost, 127.0.0.1, ::1 and the host name', async () => {
    const material = ensureTlsMaterial({ dir: join(dir.path, 'tls'), hostNames: ['MyHub.Example'] });
    const cert = new X509Certificate(material.cert);
    const ca = new X509Certificate(material.ca);
    assert.ok(ca.ca);
    assert.ok(!cert.ca);
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
    assert.deepEqual(cert.subjectAltName?.split(', ').sort(), ['DNS:localhost', 'DNS:myhub.example', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:127.0.0.1']);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']); // serverAuth
    for (const file of ['ca-key.pem', 'server-key.pem']) assert.equal(statSync(join(dir.path, 'tls', file)).mode & 0o777, 0o600);
    assert.equal(material.caFile, join(dir.path, 'tls', 'ca.pem'));
    assert.equal(await handshake(material, 'localhost'), 'trusted');
    assert.equal(await handshake(material, 'myhub.example'), 'trusted');
    assert.match(await handshake(material, 'elsewhere.example'), /altnames/);
  });

  it('is reused on later starts', () => {
    const first = ensureTlsMaterial({ dir: join(dir.path, 'tls'), hostNames: ['myhub.example'] });
    const second = ensureTlsMaterial({ dir: join(dir.path, 'tls'), hostNames: ['myhub.example'] });
    assert.deepEqual(second, first);
  });

  it('reissues the server certificate from the same CA when the host name changes', async () => {
    const before = ensureTlsMaterial({ dir: join(dir.path, 'tls'), hostNames: ['myhub.example'] });
    const after = ensureTlsMaterial({ dir: join(dir.path, 'tls'), hostNames: ['renamed.example'] });
    assert.equal(after.ca, before.ca);
    assert.notEqual(after.cert, before.cert);
    assert.equal(await handshake(after, 'renamed.example'), 'trusted');
  });

  it('uses operator-provided files as they are', () => {
    const generated = ensureTlsMaterial({ dir: join(dir.path, 'tls') });
    const certFile = join(dir.path, 'given-cert.pem');
    const keyFile = join(dir.path, 'given-key.pem');
    writeFileSync(certFile, generated.cert);
    writeFileSync(keyFile, generated.key);
    const given = ensureTlsMaterial({ dir: join(dir.path, 'unused'), given: { certFile, keyFile } });
    assert.equal(given.cert, generated.cert);
    assert.equal(given.ca, generated.cert);
    assert.equal(given.caFile, certFile);
  });

  it('processes starting together on one data directory end up with one CA', async () => {
    const shared = join(dir.path, 'race', 'tls');
    const script = `import { ensureTlsMaterial } from './src/tls/material.ts';
      console.log(ensureTlsMaterial({ dir: ${JSON.stringify(shared)} }).ca);`;
    const outputs = await Promise.all([1, 2, 3].map((i) => runScript(dir.path, `tls-race-${i}`, script)));
    assert.equal(new Set(outputs).size, 1);
    assert.equal(outputs[0]!.trim(), ensureTlsMaterial({ dir: shared }).ca.trim());
  });
});
