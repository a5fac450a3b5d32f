import { CliError, stringOption, UsageError, type Command } from '../command.js';
import { ensureDevices } from '../ensure-devices.js';
import { integerOption } from '../values.js';
import { connectFleet } from '../../simulator/fleet.js';

/** The request payload as JSON (the hub sends JSON; anything else is echoed as text). */
function parsePayload(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

export const simulate: Command = {
  name: 'simulate',
  summary: 'run simulated devices on real MQTT connections (registered if missing) that answer direct methods and report desired properties back, until Ctrl-C',
  args: '',
  options: {
    devices: { type: 'string', value: 'n', description: 'how many devices (required), named sim-0001, sim-0002, …' },
    prefix: { type: 'string', value: 'text', description: 'device id prefix (default sim-)' },
    status: { type: 'string', value: 'code', description: 'the status devices answer methods with (default 200)' },
    'delay-ms': { type: 'string', value: 'ms', description: 'answer methods after that many milliseconds (default at once)' },
    concurrency: { type: 'string', value: 'n', description: 'connections opened at once (default 100)' },
    'mqtts-port': { type: 'string', value: 'port', description: "the gateway's MQTTS port (default: hub.json's, else 8883)" },
  },
  async run(context) {
    const count = integerOption(context, 'devices', { min: 1, max: 1_000_000 });
    if (count === undefined) throw new UsageError('missing --devices <n>');
    const prefix = stringOption(context, 'prefix') ?? 'sim-';
    const status = integerOption(context, 'status', { min: 100, max: 999 }) ?? 200;
    const answerDelayMs = integerOption(context, 'delay-ms', { min: 0, max: 300_000 }) ?? 0;
    const concurrency = integerOption(context, 'concurrency', { min: 1, max: 10_000 }) ?? 100;
    const target = context.target();
    const width = Math.max(4, String(count).length);
    const deviceIds = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);

    context.out.note(`Registering ${count} devices (${deviceIds[0]} … ${deviceIds.at(-1)}) at ${context.client().baseUrl}…`);
    const devices = await ensureDevices(context.client(), deviceIds);
    const activity = { method: 0, reported: 0 };
    const fleet = await connectFleet(
      { host: target.host, port: target.mqttsPort, ca: target.ca, servername: target.servername, hostName: target.connection.hostName },
      devices,
      {
        concurrency,
        behaviour: {
          answer: (methodName, payload, deviceId) => ({
            status,
            payload: Buffer.from(JSON.stringify({ deviceId, method: methodName, received: parsePayload(payload) })),
          }),
          answerDelayMs,
          reportDesired: true,
          // Devices ride out a hub restart, as real ones do.
          reconnectAfterMs: 1000,
          onActivity: (kind) => activity[kind]++,
        },
        onConnectError: (deviceId, err) => context.out.note(`${deviceId} could not connect: ${err.message}`),
      },
    );
    const gateway = `mqtts://${target.host}:${target.mqttsPort}`;
    if (fleet.clients.length === 0) throw new CliError(`no device could connect to ${gateway}`);
    context.out.line(
      `${fleet.clients.length} devices connected to ${gateway} in ${(fleet.ms / 1000).toFixed(1)} s${fleet.failed ? ` (${fleet.failed} failed)` : ''}; ` +
        `answering direct methods with status ${status} and reporting desired properties back. Ctrl-C to stop.`,
    );
    await context.stopped;
    await fleet.close();
    context.out.line(`Stopped: answered ${activity.method} direct methods, reported ${activity.reported} desired-property patches.`);
  },
};
