import { durationMs } from '../../clock/time.js';
import { appendEvent, addExternalEvent } from '../history.js';
import type { Engine } from '../engine.js';
import type { Run } from '../run.js';
import { isBufferedOf, type TimerState } from '../types.js';
import { scheduleWorkflowTask } from '../workflow-task-dispatch.js';
import { appendCommandEvent, commandHandler } from './command.js';

const DUPLICATE = 'duplicate timer id';

export function armTimer(engine: Engine, run: Run, timer: TimerState): void {
  engine.setTimer(run, `timer:${timer.timerId}`, timer.fireAt, () => {
    if (run.timers.get(timer.timerId) !== timer || !run.open) return;
    run.timers.delete(timer.timerId);
    run.touchItem('timer', timer.timerId);
    addExternalEvent(engine, run, 'TIMER_FIRED', { timerId: timer.timerId, startedEventId: timer.startedEventId });
    scheduleWorkflowTask(engine, run);
  });
}

export const startTimer = commandHandler({
  attributes: 'startTimerCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES',
  causeFor: (message) => (message.includes(DUPLICATE) ? 'WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID' : undefined),
  validate(attrs, batch) {
    if (!attrs.timerId) return 'TimerId is not set on StartTimerCommand.';
    if (durationMs(attrs.startToFireTimeout) <= 0) return 'A valid StartToFireTimeout is not set on StartTimerCommand.';
    if (batch.timerIds.has(attrs.timerId)) return `StartTimerCommand: ${DUPLICATE} ${attrs.timerId}.`;
    batch.timerIds.add(attrs.timerId);
    return undefined;
  },
  apply(ctx, attrs) {
    const timerId = attrs.timerId ?? '';
    const startedEventId = appendCommandEvent(ctx, 'TIMER_STARTED', {
      timerId,
      startToFireTimeout: attrs.startToFireTimeout,
      workflowTaskCompletedEventId: ctx.completedEventId,
    });
    const timer: TimerState = { timerId, startedEventId, fireAt: ctx.engine.clock.now() + durationMs(attrs.startToFireTimeout) };
    ctx.run.timers.set(timerId, timer);
    ctx.run.touchItem('timer', timerId);
    armTimer(ctx.engine, ctx.run, timer);
  },
});

export const cancelTimer = commandHandler({
  attributes: 'cancelTimerCommandAttributes',
  cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES',
  validate(attrs, batch) {
    const timerId = attrs.timerId ?? '';
    if (batch.run.timers.has(timerId) || bufferedFire(batch.run, timerId) >= 0) return undefined;
    return `CancelTimerCommand: no pending timer with id ${attrs.timerId}.`;
  },
  apply(ctx, attrs) {
    const run = ctx.run;
    const timerId = attrs.timerId ?? '';
    const timer = run.timers.get(timerId);
    let startedEventId: number | undefined;
    if (timer) {
      startedEventId = timer.startedEventId;
      run.timers.delete(timerId);
      run.touchItem('timer', timerId);
      ctx.engine.clearTimer(run, `timer:${timerId}`);
    } else {
      // The timer fired while this task was in flight: the cancel wins, the fire is dropped.
      const index = bufferedFire(run, timerId);
      const fired = run.buffered[index];
      if (isBufferedOf(fired, 'TIMER_FIRED')) startedEventId = fired.attrs.startedEventId;
      run.removeBuffered(index);
    }
    appendEvent(ctx.engine, run, 'TIMER_CANCELED', { timerId, startedEventId, workflowTaskCompletedEventId: ctx.completedEventId, identity: ctx.identity });
  },
});

function bufferedFire(run: Run, timerId: string): number {
  return run.buffered.findIndex((event) => isBufferedOf(event, 'TIMER_FIRED') && event.attrs.timerId === timerId);
}
