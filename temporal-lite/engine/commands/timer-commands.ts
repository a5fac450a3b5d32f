import { durationMs } from '../../clock/time.js';
import { appendEvent, addExternalEvent } from '../history.js';
import type { Engine } from '../engine.js';
import type { Run } from '../run.js';
import type { TimerState } from '../types.js';
import { scheduleWorkflowTask } from '../workflow-tasks.js';
import type { CommandHandler } from './command.js';

const DUPLICATE = 'duplicate timer id';

export function armTimer(e: Engine, run: Run, t: TimerState): void {
  e.setTimer(run, `timer:${t.timerId}`, t.fireAt, () => {
    if (run.timers.get(t.timerId) !== t || !run.open) return;
    run.timers.delete(t.timerId);
    run.touchItem('timer', t.timerId);
    addExternalEvent(e, run, 'TIMER_FIRED', { timerId: t.timerId, startedEventId: t.startedEventId });
    scheduleWorkflowTask(e, run);
  });
}

export const startTimer: CommandHandler = {
  attributes: 'startTimerCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES',
  causeFor: (m) => (m.includes(DUPLICATE) ? 'WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID' : undefined),
  validate(a, batch) {
    if (!a.timerId) return 'TimerId is not set on StartTimerCommand.';
    if (durationMs(a.startToFireTimeout) <= 0) return 'A valid StartToFireTimeout is not set on StartTimerCommand.';
    if (batch.timerIds.has(a.timerId)) return `StartTimerCommand: ${DUPLICATE} ${a.timerId}.`;
    batch.timerIds.add(a.timerId);
    return undefined;
  },
  apply(ctx, a) {
    const startedEventId = appendEvent(ctx.e, ctx.run, 'TIMER_STARTED', {
      timerId: a.timerId,
      startToFireTimeout: a.startToFireTimeout,
      workflowTaskCompletedEventId: ctx.completedEventId,
    });
    const t: TimerState = { timerId: a.timerId, startedEventId, fireAt: ctx.e.clock.now() + durationMs(a.startToFireTimeout) };
    ctx.run.timers.set(t.timerId, t);
    ctx.run.touchItem('timer', t.timerId);
    armTimer(ctx.e, ctx.run, t);
  },
};

export const cancelTimer: CommandHandler = {
  attributes: 'cancelTimerCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES',
  validate(a, batch) {
    if (batch.run.timers.has(a.timerId) || bufferedFire(batch.run, a.timerId) >= 0) return undefined;
    return `CancelTimerCommand: no pending timer with id ${a.timerId}.`;
  },
  apply(ctx, a) {
    const run = ctx.run;
    let startedEventId: number;
    const t = run.timers.get(a.timerId);
    if (t) {
      startedEventId = t.startedEventId;
      run.timers.delete(a.timerId);
      run.touchItem('timer', a.timerId);
      ctx.e.clearTimer(run, `timer:${a.timerId}`);
    } else {
      // The timer fired while this task was in flight: the cancel wins, the fire is dropped.
      const i = bufferedFire(run, a.timerId);
      startedEventId = run.buffered[i].attrs.startedEventId;
      run.removeBuffered(i);
    }
    appendEvent(ctx.e, run, 'TIMER_CANCELED', { timerId: a.timerId, startedEventId, workflowTaskCompletedEventId: ctx.completedEventId, identity: ctx.identity });
  },
};

function bufferedFire(run: Run, timerId: string): number {
  return run.buffered.findIndex((b) => b.type === 'TIMER_FIRED' && b.attrs.timerId === timerId);
}
