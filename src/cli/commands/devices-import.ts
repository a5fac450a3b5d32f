import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { CliError, EXIT, requiredArg, type Command } from '../command.js';

const JSON_LINES = 'application/x-ndjson';

interface ImportSummary {
  isSuccessful: boolean;
  processed: number;
  succeeded: number;
  failed: number;
  errors: Array<Record<string, unknown>>;
}

export const devicesImport: Command = {
  name: 'devices import',
  summary: "bring in device identities (and twins) from JSON lines in IoT Hub's export format, streamed; importMode per line (default createOrUpdate)",
  args: '<file>',
  options: {},
  async run(context) {
    const file = requiredArg(context, 0, '<file>');
    await access(file).catch(() => {
      throw new CliError(`cannot read ${file}`);
    });
    const started = Date.now();
    const res = await context.client().stream('POST', '/registry/import', { body: createReadStream(file), contentType: JSON_LINES });
    const summary = JSON.parse(await text(res)) as ImportSummary;
    const seconds = (Date.now() - started) / 1000;
    context.out.json(summary);
    context.out.note(`${summary.succeeded} of ${summary.processed} devices imported in ${seconds.toFixed(1)} s (${Math.round(summary.processed / seconds)}/s)`);
    return summary.isSuccessful ? EXIT.ok : EXIT.failed;
  },
};
