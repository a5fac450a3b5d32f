import { requiredArg, type Command } from '../command.js';
import { watchIntervalMs, watchJob, WATCH_OPTIONS } from '../job-watch.js';

export const jobWatch: Command = {
  name: 'job watch',
  summary: 'follow a job until it ends: a live progress bar (lines when not on a terminal); exit 0 if it completed, 1 if not',
  args: '<jobId>',
  options: { ...WATCH_OPTIONS },
  async run(context) {
    const jobId = requiredArg(context, 0, '<jobId>');
    return watchJob(context, jobId, watchIntervalMs(context));
  },
};
