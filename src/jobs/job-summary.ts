import type { JobDefinition } from '../../workflows/types.js';

const MAX_CONDITION = 200;

/**
 * The one line the Temporal Web UI shows for a job's workflow (its static summary): what the job
 * does and to which devices, e.g. "Direct method `reboot` on deviceId IN ['a', 'b']".
 */
export function jobSummary({ operation, queryCondition }: JobDefinition): string {
  const what = operation.kind === 'method' ? `Direct method \`${operation.call.methodName}\`` : 'Twin update';
  const condition = queryCondition.length > MAX_CONDITION ? `${queryCondition.slice(0, MAX_CONDITION)}…` : queryCondition;
  return `${what} on ${condition}`;
}
