import type { Client } from 'aedes';
import { filterMatches } from '../topics.js';

/** aedes keeps a client's subscriptions (restored ones included) by topic filter. */
type ClientWithSubscriptions = Client & { subscriptions: Record<string, unknown> };

/** Whether a publish on `topic` would match one of the client's subscriptions. */
export function isSubscribedTo(client: Client, topic: string, usualFilter: string): boolean {
  const subscriptions = (client as ClientWithSubscriptions).subscriptions;
  if (usualFilter in subscriptions) return true;
  for (const filter in subscriptions) if (filterMatches(filter, topic)) return true;
  return false;
}
