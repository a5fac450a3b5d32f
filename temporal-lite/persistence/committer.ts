// Group commit: every state change made during one event-loop turn is written in ONE
// transaction, and no RPC answers before the transaction holding its changes has committed.

export interface CommitParticipant {
  /** Writes this participant's pending changes (runs inside the transaction). */
  write(): void;
  /** Called after the transaction committed. */
  committed?(): void;
}

export class Committer {
  private pending = new Set<CommitParticipant>();
  private flushPromise: Promise<void> | undefined;
  /** The last commit's way to disk: even reads wait for it, so nothing not yet durable is shown. */
  private lastDurable: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private afterCommitHooks: Array<() => void> = [];

  /**
   * `durable`, if given, resolves once the last commit is on disk (an fsync off the main
   * thread); answers wait for it.
   */
  constructor(
    private readonly runTransaction: (fn: () => void) => void,
    private readonly durable: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** The storage error that stopped the server, if any. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Called after each successful commit (e.g. to let the clock consider a time skip). */
  onCommitted(hook: () => void): void {
    this.afterCommitHooks.push(hook);
  }

  enlist(participant: CommitParticipant): void {
    this.pending.add(participant);
    this.schedule();
  }

  /** Resolves once everything enlisted so far is committed. */
  settled(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.flushPromise ?? this.lastDurable;
  }

  /** Commits at once (used on shutdown). */
  flushNow(): void {
    if (this.pending.size > 0) this.flush();
  }

  private schedule(): void {
    if (this.flushPromise) return;
    this.flushPromise = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.flushPromise = undefined;
        try {
          this.flush();
        } catch (err) {
          reject(err);
          return;
        }
        const durable = this.durable().catch((err: unknown) => {
          this.failure = err instanceof Error ? err : new Error(String(err));
          throw this.failure;
        });
        this.lastDurable = durable;
        durable.catch(() => undefined);
        durable.then(resolve, reject);
      });
    });
    // A failed commit is reported to the waiting RPCs; keep it from being an unhandled rejection.
    this.flushPromise.catch(() => undefined);
  }

  private flush(): void {
    if (this.failure) throw this.failure;
    const batch = [...this.pending];
    this.pending.clear();
    try {
      this.runTransaction(() => {
        for (const participant of batch) participant.write();
      });
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      throw this.failure;
    }
    for (const participant of batch) participant.committed?.();
    for (const hook of this.afterCommitHooks) hook();
  }
}
