/** Callers waiting, with a time limit, for something to happen to a key (a device connecting, subscribing). */
export class KeyedWaiters {
  private readonly waiting = new Map<string, Set<(happened: boolean) => void>>();

  /** Resolves true when `notify(key)` is called within `timeoutMs`, false otherwise. */
  wait(key: string, timeoutMs: number): Promise<boolean> {
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      let set = this.waiting.get(key);
      if (!set) this.waiting.set(key, (set = new Set()));
      const settle = (happened: boolean): void => {
        clearTimeout(timer);
        this.remove(key, settle);
        resolve(happened);
      };
      const timer = setTimeout(settle, timeoutMs, false);
      set.add(settle);
    });
  }

  notify(key: string): void {
    const set = this.waiting.get(key);
    if (set) for (const settle of [...set]) settle(true);
  }

  /** Releases every waiter with false (shutting down). */
  cancelAll(): void {
    for (const set of [...this.waiting.values()]) for (const settle of [...set]) settle(false);
  }

  private remove(key: string, settle: (happened: boolean) => void): void {
    const set = this.waiting.get(key);
    if (!set) return;
    set.delete(settle);
    if (set.size === 0) this.waiting.delete(key);
  }
}
