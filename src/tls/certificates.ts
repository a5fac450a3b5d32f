import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
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

/**
 * A server certificate (2 years, serverAuth) for the given DNS names and IP addresses, with an ECDSA
 * P-256 key: the server signs every TLS handshake, and a P-256 signature costs a small fraction of an
 * RSA-2048 one, which dominated the hub's CPU when thousands of devices connect at once. The CA
 * (RSA) signs it, so clients verify the chain as cheaply as before and keep trusting the same ca.pem.
 */
export function issueServerCertificate(ca: KeyAndCertificate, hostNames: readonly string[]): KeyAndCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  // node-forge encodes RSA keys only: the template carries the CA's key until the EC key replaces it.
  const template = newCertificate(caCert.publicKey, 730);
  template.setSubject([{ name: 'commonName', value: hostNames[0] ?? 'localhost' }]);
  template.setIssuer(caCert.subject.attributes);
  const altNames = [...new Set(hostNames)].map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }));
  template.setExtensions([
    { name: 'basicConstraints', cA: false },
    // An ECDSA key only signs (ECDHE does the key exchange): no keyEncipherment (RFC 8446 §4.4.2.2).
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier', value: octetString(subjectKeyIdentifier(publicKey)) },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  return { certPem: signedByRsaCa(template, publicKey, ca.keyPem), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

const { asn1 } = forge;
const octetString = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const spkiOf = (key: KeyObject) => asn1.fromDer(key.export({ type: 'spki', format: 'der' }).toString('binary'));

/** SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1), as node-forge computes it for RSA keys. */
function subjectKeyIdentifier(publicKey: KeyObject): string {
  const bits = (spkiOf(publicKey).value as forge.asn1.Asn1[])[1]!.value as string; // BIT STRING: unused-bits byte, then the key
  return createHash('sha1')
    .update(Buffer.from(bits.slice(1), 'binary'))
    .digest('binary');
}

/**
 * The PEM certificate of `template` (a node-forge certificate with everything but its key) for
 * `publicKey`, signed sha256WithRSAEncryption by the CA's RSA key: the TBSCertificate (RFC 5280 §4.1)
 * is node-forge's with its subjectPublicKeyInfo, the 7th field, taken from Node's crypto, which also signs.
 */
function signedByRsaCa(template: forge.pki.Certificate, publicKey: KeyObject, caKeyPem: string): string {
  const caKey = createPrivateKey(caKeyPem);
  if (caKey.asymmetricKeyType !== 'rsa') throw new Error(`the CA key is ${caKey.asymmetricKeyType}, expected rsa`);
  template.siginfo.algorithmOid = template.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  const [tbs, signatureAlgorithm] = forge.pki.certificateToAsn1(template).value as forge.asn1.Asn1[];
  (tbs!.value as forge.asn1.Asn1[])[6] = spkiOf(publicKey);
  const signature = sign('sha256', Buffer.from(asn1.toDer(tbs!).getBytes(), 'binary'), caKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs!,
    signatureAlgorithm!,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${signature.toString('binary')}`),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(certificate).getBytes() });
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

/** Whether a PEM certificate's key is an elliptic-curve one (the generated server certificates' since ECDSA). */
export function hasEcKey(certPem: string): boolean {
  return new X509Certificate(certPem).publicKey.asymmetricKeyType === 'ec';
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
