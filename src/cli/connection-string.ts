import { UsageError } from './command.js';

/** A service connection string: `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…`. */
export interface ServiceConnectionString {
  /** The hub's name (SAS `sr`, TLS server name), without a port. */
  hostName: string;
  /** A port written into HostName (`localhost:8443`), which the CLI accepts although the SDKs do not. */
  port?: number;
  keyName: string;
  key: string;
}

export function parseServiceConnectionString(text: string): ServiceConnectionString {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid connection string: '${part}' is not Name=value`);
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (fields.has('deviceid')) {
    throw new UsageError('that is a device connection string; iothub-jobs needs a service one (HostName=…;SharedAccessKeyName=…;SharedAccessKey=…)');
  }
  const required = (name: string) => {
    const value = fields.get(name.toLowerCase());
    if (!value) throw new UsageError(`invalid connection string: ${name} is missing`);
    return value;
  };
  const host = required('HostName');
  const match = /^([^:]+)(?::(\d{1,5}))?$/.exec(host);
  if (!match) throw new UsageError(`invalid connection string: HostName '${host}' is not a host name`);
  return {
    hostName: match[1]!.toLowerCase(),
    port: match[2] === undefined ? undefined : Number(match[2]),
    keyName: required('SharedAccessKeyName'),
    key: required('SharedAccessKey'),
  };
}
