/** A dependency a process needs to do its work; resolves when it answers, throws saying why not. */
export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  /** Each part by name: `ok`, or what failed. */
  checks: Record<string, string>;
}

/** A check that has not answered by then counts as failed: a probe must answer quickly. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * The parts /readyz asks (store, Temporal, the MQTT broker, …), registered by whatever started
 * them. All are asked at once, each bounded by CHECK_TIMEOUT_MS.
 */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  get names(): string[] {
    return [...this.checks.keys()];
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all([...this.checks].map(async ([name, check]) => [name, await outcome(check)] as const));
    return { ready: entries.every(([, result]) => result === 'ok'), checks: Object.fromEntries(entries) };
  }
}

async function outcome(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}
