// Where the conformance scenarios run. By default on a temporal-lite server each suite starts;
// with TEMPORAL_ADDRESS=host:port on that Temporal server instead (namespace TEMPORAL_NAMESPACE,
// else 'default'), which then serves as the reference temporal-lite is held to.

export type ConformanceTarget = { kind: 'temporal-lite' } | { kind: 'temporal-server'; address: string; namespace: string };

/** TEMPORAL_ADDRESS as host:port (a name, an IPv4 address or a bracketed IPv6 address, and a port 1-65535). */
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** The target named by the environment; throws naming the variable when it is malformed. */
export function conformanceTarget(env: Readonly<Record<string, string | undefined>>): ConformanceTarget {
  const address = env.TEMPORAL_ADDRESS?.trim();
  if (!address) return { kind: 'temporal-lite' };
  const match = HOST_PORT.exec(address);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new Error(`TEMPORAL_ADDRESS must be host:port of a Temporal server's frontend (e.g. 127.0.0.1:7233), not '${address}'`);
  }
  const namespace = env.TEMPORAL_NAMESPACE?.trim() || 'default';
  return { kind: 'temporal-server', address, namespace };
}

export function describeTarget(target: ConformanceTarget): string {
  return target.kind === 'temporal-lite' ? 'temporal-lite' : `the Temporal server at ${target.address} (namespace ${target.namespace})`;
}
