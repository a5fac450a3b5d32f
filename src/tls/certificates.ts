import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyAndCertificate {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** RSA keys come from Node's native generator (fast); node-forge builds and signs the certificates. */
function rsaKeyPair() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { keyPem, privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function newCertificate(publicKey: forge.pki.PublicKey, validDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: clear the top bit of 16 random bytes.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + validDays * DAY_MS);
  return cert;
}

/** A self-signed CA (10 years) that signs the hub's server certificates. */
export function createCertificateAuthority(commonName = 'iothub-jobs local CA'): KeyAndCertificate {
  const { keyPem, privateKey, publicKey } = rsaKeyPair();
  const cert = newCertificate(publicKey, 3650);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** A server certificate (2 years, serverAuth) for the given DNS names and IP addresses. */
export function issueServerCertificate(ca: KeyAndCertificate, hostNames: readonly string[]): KeyAndCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { keyPem, publicKey } = rsaKeyPair();
  const cert = newCertificate(publicKey, 730);
  cert.setSubject([{ name: 'commonName', value: hostNames[0] ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [...new Set(hostNames)].map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/**
 * Whether a server certificate can serve these names: signed by the CA, matching its key, valid for
 * at least another week, with every name in its SAN.
 */
export function serverCertificateFits(server: KeyAndCertificate, caPem: string, hostNames: readonly string[]): boolean {
  try {
    const cert = new X509Certificate(server.certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (!cert.checkPrivateKey(createPrivateKey(server.keyPem))) return false;
    if (new Date(cert.validTo).getTime() < Date.now() + 7 * DAY_MS) return false;
    return hostNames.every((name) => (isIP(name) ? cert.checkIP(name) : cert.checkHost(name)) !== undefined);
  } catch {
    return false;
  }
}

/**
 * A device's client certificate (1 year, clientAuth) with the device id as its CN: signed by `ca`
 * (for 'certificateAuthority' devices) or self-signed when no CA is given (for 'selfSigned' ones).
 */
export function issueDeviceCertificate(deviceId: string, ca?: KeyAndCertificate): KeyAndCertificate {
  const { keyPem, privateKey, publicKey } = rsaKeyPair();
  const cert = newCertificate(publicKey, 365);
  const subject = [{ name: 'commonName', value: deviceId }];
  cert.setSubject(subject);
  cert.setIssuer(ca ? forge.pki.certificateFromPem(ca.certPem).subject.attributes : subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(ca ? forge.pki.privateKeyFromPem(ca.keyPem) : privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** The SHA-1 and SHA-256 thumbprints (hex, upper case) of a PEM certificate, as IoT Hub shows them. */
export function certificateThumbprints(certPem: string): { sha1: string; sha256: string } {
  const cert = new X509Certificate(certPem);
  return { sha1: cert.fingerprint.replaceAll(':', ''), sha256: cert.fingerprint256.replaceAll(':', '') };
}
