/**
 * `npm run chaos`: the long chaos run (test/chaos/chaos-run.ts): SIGKILLs of the all-in-one hub
 * during a mixed workload of twin and method jobs on simulated MQTT devices, then the figures.
 *   --devices 1000 --jobs 20 --kills 5 --seed 1 --min-delay-ms 300 --max-delay-ms 2500
 *   --kill-after-min-ms 3000 --kill-after-max-ms 20000 --settle-s 600
 * Exits 1 when an invariant is broken (lost, stuck, records wrong, twin double-applied or missing,
 * method duplicates).
 */
import { parseArgs } from 'node:util';
import { chaosReport, runChaos } from '../test/chaos/chaos-run.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '20' },
    kills: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'min-delay-ms': { type: 'string', default: '300' },
    'max-delay-ms': { type: 'string', default: '2500' },
    'kill-after-min-ms': { type: 'string', default: '3000' },
    'kill-after-max-ms': { type: 'string', default: '20000' },
    'settle-s': { type: 'string', default: '600' },
  },
});
const number = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name}: expected a whole number, got ${values[name]}`);
  return value;
};

const started = Date.now();
const figures = await runChaos({
  devices: number('devices'),
  jobs: number('jobs'),
  kills: number('kills'),
  seed: number('seed'),
  answerDelayMs: [number('min-delay-ms'), number('max-delay-ms')],
  killAfterMs: [number('kill-after-min-ms'), number('kill-after-max-ms')],
  settleMs: number('settle-s') * 1000,
  log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
});
console.log(chaosReport(figures));
const broken =
  figures.lost +
  figures.stuck +
  figures.recordsWrong +
  figures.statisticsWrong +
  figures.twinDoubleApplied +
  figures.twinValuesMissing +
  figures.methodDuplicates;
process.exitCode = broken > 0 ? 1 : 0;
