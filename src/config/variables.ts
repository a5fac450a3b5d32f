/**
 * Every configuration variable of a hub process, with the command-line flag that sets the same
 * value, its default and what it does. `npm start -- --help` and the README's table come from here;
 * the validation lives in settings.ts, run-settings.ts, src/gateway/settings.ts and src/jobs/settings.ts.
 */
export interface ConfigVariable {
  name: string;
  flag: string;
  /** As shown to people; empty when unset means something (described). */
  default: string;
  description: string;
}

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  {
    name: 'HUB_DATA_DIR',
    flag: '--data-dir',
    default: './data',
    description: 'keys (hub.json), TLS material (tls/), the SQLite database and the embedded Temporal database',
  },
  { name: 'HUB_HOSTNAME', flag: '--hostname', default: 'localhost', description: 'the name in connection strings, SAS tokens and the server certificate' },
  { name: 'HUB_BIND_ADDRESS', flag: '--bind-address', default: '127.0.0.1', description: 'address the servers listen on (0.0.0.0 in containers)' },
  { name: 'HUB_HTTPS_PORT', flag: '--https-port', default: '8443', description: 'REST API over HTTPS (the official service SDK always dials 443)' },
  { name: 'HUB_HTTP_PORT', flag: '--http-port', default: '8080', description: 'REST API over plain HTTP for local tools; 0 turns it off' },
  { name: 'HUB_MQTTS_PORT', flag: '--mqtts-port', default: '8883', description: 'device gateway, MQTT over TLS' },
  {
    name: 'HUB_MQTT_WSS_PORT',
    flag: '--mqtt-wss-port',
    default: '',
    description: 'MQTT over secure WebSockets on a port of its own (unset: off; the HTTPS port serves /$iothub/websocket anyway)',
  },
  {
    name: 'HUB_DEVICE_CA_FILE',
    flag: '--device-ca-file',
    default: '',
    description: "CA certificates (PEM) that X.509 'certificateAuthority' devices' certificates must chain to",
  },
  {
    name: 'HUB_ROLES',
    flag: '--roles',
    default: 'api,worker,gateway',
    description: 'what this process runs: api (REST incl. jobs), worker (Temporal worker), gateway (MQTT broker)',
  },
  {
    name: 'TEMPORAL_ADDRESS',
    flag: '--temporal-address',
    default: '',
    description: 'host:port of a Temporal server (unset: start the embedded temporal-lite)',
  },
  { name: 'HUB_TEMPORAL_PORT', flag: '--temporal-port', default: '7233', description: 'port of the embedded temporal-lite (only without TEMPORAL_ADDRESS)' },
  {
    name: 'HUB_TEMPORAL_UI_PORT',
    flag: '--temporal-ui-port',
    default: '8233',
    description: "the Temporal Web UI of the embedded temporal-lite, where every job's workflow can be read (off: no UI)",
  },
  {
    name: 'HUB_TEMPORAL_UI_WRITE_ACTIONS',
    flag: '--temporal-ui-write-actions',
    default: 'false',
    description: 'true lets the Web UI terminate, cancel, signal and reset workflows (it has no login)',
  },
  {
    name: 'HUB_TEMPORAL_UI_URL',
    flag: '--temporal-ui-url',
    default: '',
    description: "a Temporal Web UI the console links each job's workflow to (unset: the embedded one's, when served)",
  },
  { name: 'TEMPORAL_NAMESPACE', flag: '--temporal-namespace', default: 'default', description: 'Temporal namespace of the jobs' },
  {
    name: 'TEMPORAL_CONNECT_TIMEOUT',
    flag: '--temporal-connect-timeout',
    default: '60',
    description: 'seconds to wait at start for TEMPORAL_ADDRESS and its namespace',
  },
  {
    name: 'HUB_MAX_ACTIVE_JOBS',
    flag: '--max-active-jobs',
    default: '100',
    description: 'jobs queued, scheduled or running at once; more are refused with 429',
  },
  { name: 'HUB_JOB_RETENTION_DAYS', flag: '--job-retention-days', default: '30', description: 'finished jobs and their device records are kept this long' },
  {
    name: 'HUB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS',
    flag: '--webhooks-allow-private-networks',
    default: 'false',
    description: 'true lets hooks target private-network addresses (10/8, 172.16/12, 192.168/16, fc00::/7, link-local); loopback is always allowed',
  },
  {
    name: 'HUB_WEBHOOKS_CA_FILE',
    flag: '--webhooks-ca-file',
    default: '',
    description: "CA certificates (PEM) trusted for hooks' https targets, besides the public ones (e.g. a receiver's self-signed certificate)",
  },
  {
    name: 'HUB_RECONNECT_GRACE_SECONDS',
    flag: '--reconnect-grace-seconds',
    default: '60',
    description:
      'after a gateway process restarts (a crash too), method jobs wait this long for the devices it had connected before counting them offline (DeviceNotOnline); 0: no wait',
  },
  {
    name: 'HUB_JOB_TUNING',
    flag: '--job-tuning',
    default: '',
    description:
      'fan-out of jobs per type as JSON, e.g. {"scheduleDeviceMethod":{"batchSize":50,"batchConcurrency":4}} (fields: shardSize, maxShards, shardConcurrency, batchSize, batchConcurrency, deviceConcurrency, …)',
  },
  { name: 'HUB_CACHE_DIR', flag: '--cache-dir', default: '<data dir>/cache', description: 'where a worker keeps its bundled workflow code between starts' },
  { name: 'DATABASE_URL', flag: '--database-url', default: '', description: 'postgres://… selects PostgreSQL (unset: SQLite in the data directory)' },
  {
    name: 'HUB_DATABASE_SCHEMA',
    flag: '--database-schema',
    default: '',
    description: "PostgreSQL schema for the hub's tables (unset: the connection's search_path)",
  },
  {
    name: 'REDIS_URL',
    flag: '--redis-url',
    default: '',
    description: 'redis://… routes direct methods and desired-property notifications between hub processes',
  },
  { name: 'HUB_REDIS_PREFIX', flag: '--redis-prefix', default: 'iothub:', description: 'Redis channel prefix, for several hubs on one Redis' },
  {
    name: 'HUB_TLS_CERT_FILE',
    flag: '--tls-cert-file',
    default: '',
    description: 'your server certificate (PEM) instead of the generated one; with HUB_TLS_KEY_FILE',
  },
  { name: 'HUB_TLS_KEY_FILE', flag: '--tls-key-file', default: '', description: "that certificate's private key (PEM)" },
  { name: 'LOG_LEVEL', flag: '--log-level', default: 'info', description: 'trace, debug, info, warn, error, fatal or silent' },
  {
    name: 'HUB_LOG_FORMAT',
    flag: '--log-format',
    default: 'auto',
    description: 'json (one JSON object per line), readable, or auto: readable on a terminal, JSON otherwise',
  },
  {
    name: 'HUB_METRICS_PORT',
    flag: '--metrics-port',
    default: '',
    description:
      'serve /metrics, /healthz and /readyz on this port alone (unset: on the REST API ports, or on HUB_HTTP_PORT in a process without the api role)',
  },
  {
    name: 'HUB_METRICS_POLICY',
    flag: '--metrics-policy',
    default: '',
    description: 'GET /metrics needs a SAS token of this shared access policy, e.g. registryRead (unset: open, like the probes)',
  },
  { name: 'HUB_TLS_CA_FILE', flag: '--tls-ca-file', default: '', description: 'the CA clients should trust for that certificate' },
];
