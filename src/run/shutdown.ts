/**
 * Resolves on the first SIGINT or SIGTERM (Ctrl-C, `docker stop`). A second one while the process
 * is still shutting down calls `onForce` (which exits at once): an operator's way out of a hang.
 */
export function shutdownSignal(onForce: (signal: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  return new Promise((resolve) => {
    let received = false;
    const handler = (signal: NodeJS.Signals) => {
      if (received) return onForce(signal);
      received = true;
      resolve(signal);
    };
    for (const signal of signals) process.on(signal, handler);
  });
}
