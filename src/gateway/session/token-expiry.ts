/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Calls `expired` once the clock reaches `expiresAt` (ms since the epoch); returns what cancels that. */
export function atExpiry(expiresAt: number, expired: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const wait = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return expired();
    timer = setTimeout(wait, Math.min(left, LONGEST_TIMER_MS)).unref();
  };
  wait();
  return () => clearTimeout(timer);
}
