import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError, requiredArg, type Command } from '../command.js';

export const devicesExport: Command = {
  name: 'devices export',
  summary: "write every device identity with its twin as JSON lines in IoT Hub's export format (the input of devices import), streamed",
  args: '<file>',
  options: {},
  async run(context) {
    const file = requiredArg(context, 0, '<file>');
    const started = Date.now();
    const res = await context.client().stream('GET', '/registry/export');
    let lines = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        for (const byte of chunk) if (byte === 0x0a) lines++;
        done(null, chunk);
      },
    });
    await pipeline(res, count, createWriteStream(file)).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot write ${file}: ${err.code ?? err.message}`);
    });
    const seconds = (Date.now() - started) / 1000;
    context.out.note(`${lines} devices exported to ${file} in ${seconds.toFixed(1)} s (${Math.round(lines / seconds)}/s)`);
  },
};
