import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createCertificateAuthority, hasEcKey, issueServerCertificate, serverCertificateFits } from './certificates.js';

/** The hub's TLS material, shared by the HTTPS API and the MQTTS gateway. */
export interface TlsMaterial {
  /** PEM texts, ready for `https.createServer({ key, cert })` / `tls.createServer`. */
  key: string;
  cert: string;
  /** The CA clients must trust (the server certificate itself when none was given). */
  ca: string;
  keyFile: string;
  certFile: string;
  caFile: string;
}

export interface TlsOptions {
  /** Where generated material lives: `<dataDir>/tls` (ca.pem, ca-key.pem, server.pem, server-key.pem). */
  dir: string;
  /** Names the server certificate must cover besides localhost, 127.0.0.1 and ::1 (the hub's host name). */
  hostNames?: readonly string[];
  /** Operator-provided certificate and key (and CA); used as they are, nothing is generated. */
  given?: { certFile: string; keyFile: string; caFile?: string };
}

const FILES = { caFile: 'ca.pem', caKeyFile: 'ca-key.pem', certFile: 'server.pem', keyFile: 'server-key.pem' } as const;

const filesIn = (dir: string) => ({
  caFile: join(dir, FILES.caFile),
  caKeyFile: join(dir, FILES.caKeyFile),
  certFile: join(dir, FILES.certFile),
  keyFile: join(dir, FILES.keyFile),
});

const writePrivate = (file: string, pem: string): void => writeFileSync(file, pem, { mode: 0o600 });

/** Replaces a file in one step, so a concurrently starting process never reads half of it. */
function replaceFile(file: string, text: string, mode = 0o644): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, file);
}

/**
 * First start: generate everything in a private directory, then move it into place with one rename.
 * When several processes start together on one data directory, exactly one set wins and all use it.
 */
function createAll(dir: string, hostNames: readonly string[]): void {
  mkdirSync(dirname(dir), { recursive: true });
  const temp = mkdtempSync(join(dirname(dir), `.${basename(dir)}-`));
  try {
    const ca = createCertificateAuthority();
    const server = issueServerCertificate(ca, hostNames);
    const files = filesIn(temp);
    writeFileSync(files.caFile, ca.certPem);
    writePrivate(files.caKeyFile, ca.keyPem);
    writeFileSync(files.certFile, server.certPem);
    writePrivate(files.keyFile, server.keyPem);
    try {
      renameSync(temp, dir); // succeeds when `dir` is absent or empty
    } catch {
      // `dir` exists with content: another process won, or files were placed there by hand.
      if (existsSync(join(dir, FILES.caFile))) return;
      for (const name of Object.values(FILES)) renameSync(join(temp, name), join(dir, name));
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

const loadFiles = (files: { keyFile: string; certFile: string; caFile: string }): TlsMaterial => ({
  ...files,
  key: readFileSync(files.keyFile, 'utf8'),
  cert: readFileSync(files.certFile, 'utf8'),
  ca: readFileSync(files.caFile, 'utf8'),
});

/**
 * Returns the hub's TLS material, creating a CA and a server certificate on first start and reusing
 * them afterwards. A server certificate that no longer fits (a new host name, near expiry), or has an
 * RSA key, is reissued by the same CA, so clients keep trusting `ca.pem`.
 */
export function ensureTlsMaterial(options: TlsOptions): TlsMaterial {
  if (options.given) {
    const { certFile, keyFile, caFile = options.given.certFile } = options.given;
    return loadFiles({ certFile, keyFile, caFile });
  }
  const hostNames = [...new Set(['localhost', '127.0.0.1', '::1', ...(options.hostNames ?? []).map((name) => name.toLowerCase())])];
  const files = filesIn(options.dir);
  if (!existsSync(files.caFile)) createAll(options.dir, hostNames);
  let material = loadFiles(files);
  const fits = serverCertificateFits({ certPem: material.cert, keyPem: material.key }, material.ca, hostNames);
  // Earlier versions generated an RSA server key: reissued as ECDSA (far cheaper handshakes) when the CA key is here.
  const outdated = fits && !hasEcKey(material.cert) && existsSync(files.caKeyFile);
  if (!fits || outdated) {
    if (!existsSync(files.caKeyFile)) {
      throw new Error(`${files.certFile} does not cover ${hostNames.join(', ')} and ${files.caKeyFile} is missing, so it cannot be reissued`);
    }
    const server = issueServerCertificate({ certPem: material.ca, keyPem: readFileSync(files.caKeyFile, 'utf8') }, hostNames);
    replaceFile(files.keyFile, server.keyPem, 0o600);
    replaceFile(files.certFile, server.certPem);
    material = loadFiles(files);
  }
  return material;
}
