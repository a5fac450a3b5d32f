import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, createServer, type PeerCertificate } from 'node:tls';
import forge from 'node-forge';
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

/** What a client that trusts `ca` sees of a TLS server with the material: protocol, key exchange, server key. */
async function negotiated(material: TlsMaterial) {
  const server = createServer({ key: material.key, cert: material.cert }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<{ protocol: string | null; keyExchange: string | undefined; serverKey: PeerCertificate['asn1Curve'] }>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: 'localhost', ca: material.ca }, () => {
        const keyExchange = socket.getEphemeralKeyInfo();
        resolve({
          protocol: socket.getProtocol(),
          keyExchange: keyExchange && 'name' in keyExchange ? keyExchange.name : undefined,
          serverKey: socket.getPeerCertificate().asn1Curve,
        });
        socket.end();
      });
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

/** An RSA server certificate for localhost from the CA, as earlier versions generated them. */
function rsaServerCertificate(ca: { certPem: string; keyPem: string }): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
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
    assert.deepEqual(cert.publicKey.asymmetricKeyDetails, { namedCurve: 'prime256v1' });
    const validDays = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (24 * 3600_000);
    assert.ok(validDays > 700 && validDays < 740, `valid for ${validDays} days`);
    for (const file of ['ca-key.pem', 'server-key.pem']) assert.equal(statSync(join(dir.path, 'tls', file)).mode & 0o777, 0o600);
    assert.equal(material.caFile, join(dir.path, 'tls', 'ca.pem'));
    assert.equal(await handshake(material, 'localhost'), 'trusted');
    assert.equal(await handshake(material, 'myhub.example'), 'trusted');
    assert.match(await handshake(material, 'elsewhere.example'), /altnames/);
  });

  it('serves TLS 1.3 with X25519 key exchange and the ECDSA P-256 key', async () => {
    const material = ensureTlsMaterial({ dir: join(dir.path, 'tls') });
    assert.deepEqual(await negotiated(material), { protocol: 'TLSv1.3', keyExchange: 'X25519', serverKey: 'prime256v1' });
  });

  it('reissues as ECDSA, from the same CA, an RSA server certificate that an earlier version generated (not one placed without the CA key)', async () => {
    const tlsDir = join(dir.path, 'rsa', 'tls');
    const generated = ensureTlsMaterial({ dir: tlsDir });
    const rsa = rsaServerCertificate({ certPem: generated.ca, keyPem: readFileSync(join(tlsDir, 'ca-key.pem'), 'utf8') });
    writeFileSync(generated.certFile, rsa.certPem);
    writeFileSync(generated.keyFile, rsa.keyPem);
    assert.equal(new X509Certificate(rsa.certPem).checkIssued(new X509Certificate(generated.ca)), true);

    const reissued = ensureTlsMaterial({ dir: tlsDir });
    assert.equal(reissued.ca, generated.ca);
    assert.notEqual(reissued.cert, rsa.certPem);
    assert.equal(new X509Certificate(reissued.cert).publicKey.asymmetricKeyType, 'ec');
    assert.equal(await handshake(reissued, 'localhost'), 'trusted');

    // Without the CA key (material placed by hand) a fitting RSA certificate is used as it is.
    writeFileSync(generated.certFile, rsa.certPem);
    writeFileSync(generated.keyFile, rsa.keyPem);
    rmSync(join(tlsDir, 'ca-key.pem'));
    assert.equal(ensureTlsMaterial({ dir: tlsDir }).cert, rsa.certPem);
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
