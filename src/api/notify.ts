import type { Logger } from '../logger.js';

/**
 * Runs a HubEvents notification for a write that is committed, without holding the response (IoT Hub
 * answers before devices are told). A failure is logged: it is not the client's mistake.
 */
export function notifyAfterCommit(log: Logger, what: string, notify: () => void | Promise<void>): void {
  Promise.resolve()
    .then(notify)
    .catch((err: unknown) => log.error({ err }, `${what} failed`));
}
