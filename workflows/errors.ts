import { ActivityFailure, ChildWorkflowFailure } from '@temporalio/common';

/**
 * An error's message for people. A failed activity or child workflow reads as what failed inside
 * it (the SDK's wrapper only says that an activity or a child failed); anything else as its message.
 */
export function errorMessage(err: unknown): string {
  if ((err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) && err.cause) return errorMessage(err.cause);
  return err instanceof Error ? err.message : String(err);
}
