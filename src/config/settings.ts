import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The hub's settings, read from environment variables and validated; one entry per variable with
 * its default. The gateway's (src/gateway/settings.ts) and the process's (run-settings.ts) sit
 * beside it; config.ts reads all of them, variables.ts lists them with their CLI flags.
 */
const unset = (value: unknown) => (value === '' ? undefined : value);

/** A whole number from an environment variable, within bounds, or the default when unset. */
export const wholeNumber = (fallback: number, max: number, message: string) =>
  z.preprocess(
    unset,
    z
      .string()
      .regex(/^\d{1,9}$/, message)
      .transform(Number)
      .refine((value) => value <= max, message)
      .default(fallback),
  );

export const port = (fallback: number) => wholeNumber(fallback, 65535, 'expected a port number 0-65535');

const hostName = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9.]+$/, 'expected a DNS name or an IPv4 address');

const file = z.preprocess(unset, z.string().min(1).optional());

export const settingsSchema = z
  .object({
    HUB_DATA_DIR: z.preprocess(unset, z.string().default('./data')),
    HUB_HOSTNAME: z.preprocess(unset, hostName.default('localhost')),
    HUB_BIND_ADDRESS: z.preprocess(
      unset,
      z
        .string()
        .refine((value) => isIP(value) !== 0, 'expected an IP address')
        .default('127.0.0.1'),
    ),
    HUB_HTTPS_PORT: port(8443),
    HUB_HTTP_PORT: port(8080),
    DATABASE_URL: z.preprocess(
      unset,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
        .optional(),
    ),
    HUB_TLS_CERT_FILE: file,
    HUB_TLS_KEY_FILE: file,
    HUB_TLS_CA_FILE: file,
  })
  .refine((env) => (env.HUB_TLS_CERT_FILE === undefined) === (env.HUB_TLS_KEY_FILE === undefined), {
    message: 'set both HUB_TLS_CERT_FILE and HUB_TLS_KEY_FILE, or neither',
    path: ['HUB_TLS_CERT_FILE'],
  });

export interface HubSettings {
  dataDir: string;
  hostName: string;
  bindAddress: string;
  httpsPort: number;
  /** 0 turns plain HTTP off. */
  httpPort: number;
  databaseUrl?: string;
  tls?: { certFile: string; keyFile: string; caFile?: string };
}

/** Bad settings: one line per problem, `VARIABLE: what is expected (got 'value')`. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** The problems of a failed parse of environment variables, one line each, naming the variable. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], env: NodeJS.ProcessEnv): string[] {
  return issues.map((issue) => {
    const name = String(issue.path[0] ?? 'settings');
    const value = env[name];
    return `${name}: ${issue.message}${value === undefined ? '' : ` (got '${value}')`}`;
  });
}

/** Reads the settings; a bad value throws SettingsError listing every problem with its variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) throw new SettingsError(describeIssues(parsed.error.issues, env));
  const s = parsed.data;
  return {
    dataDir: s.HUB_DATA_DIR,
    hostName: s.HUB_HOSTNAME.toLowerCase(),
    bindAddress: s.HUB_BIND_ADDRESS,
    httpsPort: s.HUB_HTTPS_PORT,
    httpPort: s.HUB_HTTP_PORT,
    databaseUrl: s.DATABASE_URL,
    tls: s.HUB_TLS_CERT_FILE && s.HUB_TLS_KEY_FILE ? { certFile: s.HUB_TLS_CERT_FILE, keyFile: s.HUB_TLS_KEY_FILE, caFile: s.HUB_TLS_CA_FILE } : undefined,
  };
}
