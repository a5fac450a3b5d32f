import { parseArgs } from 'node:util';
import { GatewaySettingsError, loadGatewaySettings } from '../gateway/settings.js';
import type { GatewayPartOptions } from '../gateway/hub-part.js';
import { jobsSettings, JobsSettingsError, loadJobsSettings, type JobsSettings } from '../jobs/settings.js';
import { loadRunSettings, type RunSettings } from './run-settings.js';
import { loadSettings, SettingsError, type HubSettings } from './settings.js';
import { CONFIG_VARIABLES } from './variables.js';

/** Everything a hub process is configured with (environment variables, or the same as flags). */
export interface HubConfig {
  settings: HubSettings;
  gateway: GatewayPartOptions;
  jobs: JobsSettings;
  run: RunSettings;
}

/** A wrong flag or value; the process prints the problems and exits 2. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Applies command-line flags (`--data-dir x`, `--https-port=443`, one per variable of
 * variables.ts) over the environment. Returns undefined for `--help`.
 */
export function environmentWithFlags(argv: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | undefined {
  const options = Object.fromEntries(CONFIG_VARIABLES.map((variable) => [variable.flag.slice(2), { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  } catch (err) {
    throw new ConfigError([(err as Error).message.split('\n')[0]!]);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return undefined;
  const merged = { ...env };
  for (const variable of CONFIG_VARIABLES) {
    const value = values[variable.flag.slice(2)];
    if (typeof value === 'string') merged[variable.name] = value;
  }
  return merged;
}

/** `VARIABLE: …` becomes `VARIABLE (--flag): …`, so a problem reads right whichever way it was set. */
function withFlag(problem: string): string {
  const variable = CONFIG_VARIABLES.find((candidate) => problem.startsWith(`${candidate.name}:`));
  return variable ? `${variable.name} (${variable.flag})${problem.slice(variable.name.length)}` : problem;
}

/** A variable read by two loaders is reported once, in the words of the first. */
function firstPerVariable(problems: readonly string[]): string[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const name = problem.slice(0, problem.indexOf(':'));
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}

/** Reads and validates every setting; all problems at once (one per variable) in a ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv): HubConfig {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (err instanceof SettingsError) problems.push(...err.problems);
      // The gateway's and the jobs' loaders report their problems as the indented lines of their message.
      else if (err instanceof GatewaySettingsError || err instanceof JobsSettingsError)
        problems.push(
          ...err.message
            .split('\n')
            .slice(1)
            .map((line) => line.trim()),
        );
      else throw err;
      return undefined;
    }
  };
  const settings = attempt(() => loadSettings(env));
  const run = attempt(() => loadRunSettings(env));
  const gateway = attempt(() => loadGatewaySettings(env));
  const jobs = attempt(() => loadJobsSettings(env));
  if (!settings || !gateway || !jobs || !run) throw new ConfigError(firstPerVariable(problems).map(withFlag));
  return { settings, gateway, jobs: jobsSettings({ ...jobs, tuning: run.jobTuning }), run };
}

/** `--help` text: usage and the variables with their flags and defaults. */
export function configHelp(command: string): string {
  const width = Math.max(...CONFIG_VARIABLES.map((variable) => variable.flag.length + variable.name.length + 3));
  const lines = CONFIG_VARIABLES.map((variable) => {
    const left = `${variable.flag} / ${variable.name}`.padEnd(width);
    const fallback = variable.default ? ` (default ${variable.default})` : '';
    return `  ${left}  ${variable.description}${fallback}`;
  });
  return `usage: ${command} [--flag value]...\n\nEvery setting is an environment variable or the same as a flag (flags win):\n${lines.join('\n')}\n`;
}
