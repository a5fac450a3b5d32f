/** The signal that feeds a hook's delivery workflow (sent with signal-with-start by the publisher). */
import { defineSignal } from '@temporalio/workflow';
import type { PublishedJobEvent } from './webhook-types.js';

export const jobEventSignal = defineSignal<[PublishedJobEvent]>('jobEvent');
