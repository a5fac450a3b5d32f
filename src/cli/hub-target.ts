import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { serviceConnectionString } from '../auth/policies.js';
import { readHubFile, type HubFile } from '../config/hub-file.js';
import { CliError, UsageError } from './command.js';
import { parseServiceConnectionString, type ServiceConnectionString } from './connection-string.js';

/** The hub a CLI invocation talks to, and how. */
export interface HubTarget {
  connection: ServiceConnectionString;
  /** Address to dial: the HostName. */
  host: string;
  httpsPort: number;
  mqttsPort: number;
  /** PEM of the CA to trust; undefined: the system's (and NODE_EXTRA_CA_CERTS). */
  ca?: string;
  /** TLS server name (none for IP addresses). */
  servername?: string;
  /** The port of the hub's Temporal Web UI, when hub.json knows it. */
  temporalUiPort?: number;
}

export interface TargetOptions {
  connectionString?: string;
  caFile?: string;
  httpsPort?: number;
  mqttsPort?: number;
  dataDir?: string;
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the CA certificate ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function hubFileIn(dataDir: string): HubFile | undefined {
  try {
    return readHubFile(dataDir);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/**
 * Resolves the hub from, in order: the flags, IOTHUB_CONNECTION_STRING, and `<data dir>/hub.json`
 * (`--data-dir`, else HUB_DATA_DIR, else ./data), which a local hub writes. hub.json's ports and CA
 * apply only when it describes the same hub (same host name and one of its keys).
 */
export function resolveHubTarget(options: TargetOptions, env: NodeJS.ProcessEnv): HubTarget {
  const hubFile = hubFileIn(options.dataDir ?? env.HUB_DATA_DIR ?? './data');
  let text = options.connectionString ?? env.IOTHUB_CONNECTION_STRING;
  if (!text && hubFile) {
    const owner = hubFile.sharedAccessPolicies.find((policy) => policy.keyName === 'iothubowner') ?? hubFile.sharedAccessPolicies[0]!;
    text = serviceConnectionString(hubFile.hostName, owner);
  }
  if (!text) {
    throw new UsageError(
      "no hub to talk to: pass --connection-string or set IOTHUB_CONNECTION_STRING (or run where the hub's data/hub.json is, or give --data-dir)",
    );
  }
  const connection = parseServiceConnectionString(text);
  const sameHub =
    hubFile !== undefined &&
    hubFile.hostName.toLowerCase() === connection.hostName &&
    hubFile.sharedAccessPolicies.some((policy) => policy.primaryKey === connection.key || policy.secondaryKey === connection.key);
  const known = sameHub ? hubFile : undefined;
  const caFile = options.caFile ?? known?.caFile;
  return {
    connection,
    host: connection.hostName,
    httpsPort: options.httpsPort ?? connection.port ?? known?.ports.https ?? 443,
    mqttsPort: options.mqttsPort ?? known?.ports.mqtts ?? 8883,
    ca: caFile === undefined ? undefined : readCa(caFile),
    servername: isIP(connection.hostName) ? undefined : connection.hostName,
    ...(known?.ports.temporalUi !== undefined && { temporalUiPort: known.ports.temporalUi }),
  };
}
