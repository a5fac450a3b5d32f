import { hubFilePath } from '../config/hub-file.js';
import { roleList } from '../config/run-settings.js';
import { CONSOLE_PATH } from '../console/static.js';
import type { HubNode } from './hub-node.js';

/**
 * What a started hub process prints: how to reach it. Tests and scripts read the lines by their
 * labels (`Service connection string:`, `CA certificate:`, …), so keep the labels stable.
 */
export function startBanner(node: HubNode): string {
  const { hub, gateway, temporal } = node;
  const host = hub.hostName;
  const rows: Array<[string, string]> = [
    ['Service connection string', hub.connectionString()],
    ['CA certificate', hub.tls.caFile],
  ];
  if (hub.api) {
    rows.push(['REST API (HTTPS)', `https://${host}:${hub.api.httpsPort}`]);
    if (hub.api.httpPort !== undefined) rows.push(['REST API (HTTP)', `http://${host}:${hub.api.httpPort}`]);
    rows.push(['Console', `https://${host}:${hub.api.httpsPort}${CONSOLE_PATH}`]);
    if (hub.api.httpPort !== undefined) rows.push(['Console (HTTP)', `http://${host}:${hub.api.httpPort}${CONSOLE_PATH}`]);
  }
  if (gateway.gateway) {
    rows.push(['Devices (MQTTS)', `mqtts://${host}:${gateway.gateway.port}`]);
    if (gateway.gateway.wsPort !== undefined) rows.push(['Devices (MQTT/WSS)', `wss://${host}:${gateway.gateway.wsPort}/$iothub/websocket`]);
  }
  if (temporal) {
    const where = temporal.embeddedDbFile ? `embedded temporal-lite, ${temporal.embeddedDbFile}` : 'external server';
    rows.push(['Temporal', `${temporal.address} namespace ${temporal.namespace} (${where})`]);
    if (temporal.uiUrl) rows.push(['Temporal Web UI', temporal.uiUrl]);
  }
  // /healthz, /readyz, /metrics: on their own port, or the API's plain HTTP port.
  const opsPort = hub.opsPort ?? hub.api?.httpPort;
  if (opsPort !== undefined) rows.push(['Health and metrics', `http://${host}:${opsPort}/readyz  /healthz  /metrics`]);
  rows.push(['Hub file', hubFilePath(hub.dataDir)]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  const lines = rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}`);
  return [`iothub-jobs is running (roles: ${roleList(node.roles)})`, ...lines, 'Press Ctrl-C to stop.', ''].join('\n');
}
