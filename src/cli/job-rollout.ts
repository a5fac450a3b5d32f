import { stringOption, UsageError, type CommandContext, type OptionSpec } from './command.js';
import { integerOption } from './values.js';

/** The rollout options of `job schedule-*` and `job edit` (the hub checks the figures and names the field it refuses). */
export const ROLLOUT_OPTIONS: Record<string, OptionSpec> = {
  rate: { type: 'string', value: 'per-minute', description: "start at most that many devices a minute, evenly (the ramp's ceiling with --ramp)" },
  ramp: {
    type: 'string',
    value: 'base:factor:every[:succeeded]',
    description: 'start at <base>/min and multiply by <factor> each <every> more devices started (or succeeded), e.g. 10:2:100',
  },
  abort: {
    type: 'string',
    value: 'type:percent:min,…',
    description:
      'stop the job (failed, the rest canceled) once <percent>% of at least <min> finished devices failed as <type>: offline, timedOut, errorStatus, all; e.g. timedOut:10:50',
  },
  retries: { type: 'string', value: 'type:n,…', description: 'retry a device up to <n> times after a failure of <type>, e.g. offline:3,errorStatus:1' },
  backoff: { type: 'string', value: 'initial:factor:max', description: 'seconds before the first retry, growth factor, longest wait (default 30:2:600)' },
  'wait-offline': {
    type: 'string',
    value: 'seconds',
    description: 'method jobs: an offline device waits that long to connect before it fails (up to 2592000 = 30 days)',
  },
};

const fields = (context: CommandContext, name: string, spec: string): string[][] | undefined => {
  const text = stringOption(context, name);
  if (text === undefined) return undefined;
  const items = text.split(',').map((item) => item.split(':'));
  if (items.some((parts) => parts.some((part) => part === ''))) throw new UsageError(`--${name} must look like ${spec}, not '${text}'`);
  return items;
};

const number = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--${name}: '${text}' is not a number`);
  return value;
};

function ramp(context: CommandContext): Record<string, unknown> | undefined {
  const [parts] = fields(context, 'ramp', 'base:factor:every[:succeeded]') ?? [];
  if (!parts) return undefined;
  const [base, factor, every, counted, ...rest] = parts;
  if (every === undefined || rest.length > 0 || (counted !== undefined && counted !== 'succeeded' && counted !== 'started')) {
    throw new UsageError('--ramp must look like base:factor:every or base:factor:every:succeeded, e.g. 10:2:100');
  }
  const step = number('ramp', every);
  return {
    baseRatePerMinute: number('ramp', base!),
    incrementFactor: number('ramp', factor!),
    rateIncreaseCriteria: counted === 'succeeded' ? { numberOfSucceededDevices: step } : { numberOfNotifiedDevices: step },
  };
}

function abortCriteria(context: CommandContext): unknown[] | undefined {
  return fields(context, 'abort', 'type:percent:min')?.map((parts) => {
    if (parts.length !== 3) throw new UsageError('--abort must look like type:percent:min, e.g. timedOut:10:50');
    const [failureType, percent, min] = parts;
    return { failureType, thresholdPercentage: number('abort', percent!), minNumberOfExecutedDevices: number('abort', min!), action: 'cancel' };
  });
}

function retry(context: CommandContext): Record<string, unknown> | undefined {
  const criteria = fields(context, 'retries', 'type:n')?.map((parts) => {
    if (parts.length !== 2) throw new UsageError('--retries must look like type:n, e.g. offline:3');
    return { failureType: parts[0], numberOfRetries: number('retries', parts[1]!) };
  });
  const [backoff] = fields(context, 'backoff', 'initial:factor:max') ?? [];
  if (!criteria) {
    if (backoff) throw new UsageError('--backoff goes with --retries');
    return undefined;
  }
  if (backoff && backoff.length !== 3) throw new UsageError('--backoff must look like initial:factor:max, e.g. 30:2:600');
  const [initial, factor, max] = (backoff ?? ['30', '2', '600']).map((part) => number('backoff', part));
  return { criteria, backoff: { initialIntervalInSeconds: initial, backoffCoefficient: factor, maximumIntervalInSeconds: max } };
}

/** The `rollout` object the options describe, or undefined when none was given (the job is a plain IoT Hub job). */
export function rolloutOption(context: CommandContext): Record<string, unknown> | undefined {
  const rollout = {
    maxDevicesPerMinute: integerOption(context, 'rate', { min: 1, max: 100_000 }),
    exponentialRate: ramp(context),
    abortCriteria: abortCriteria(context),
    retry: retry(context),
    waitForOfflineDevicesInSeconds: integerOption(context, 'wait-offline', { min: 0, max: 30 * 24 * 3600 }),
  };
  const given = Object.entries(rollout).filter(([, value]) => value !== undefined);
  return given.length > 0 ? Object.fromEntries(given) : undefined;
}
