// One task queue: a backlog of tasks and a line of waiting long polls. A task is handed to a
// poller through the poller's claim function, which starts the task (a state change) and
// builds the poll response, or returns undefined when the task went stale (it is dropped).
import type { CallContext } from '../grpc/call-context.js';
import { Fifo } from './fifo.js';

/** A waiting long poll: it takes a task if its claim starts one, or is released empty. */
interface Poller<T> {
  take(task: T): boolean;
  release(): void;
}

export interface PollerInfo {
  identity: string;
  lastAccessTime: number;
}

export class TaskQueue<T> {
  private readonly backlog = new Fifo<T>();
  private readonly pollers = new Fifo<Poller<T>>();
  readonly recentPollers = new Map<string, PollerInfo>();

  get backlogSize(): number {
    return this.backlog.length;
  }

  offer(task: T): void {
    const poller = this.pollers.shift();
    if (!poller) {
      this.backlog.push(task);
      return;
    }
    if (!poller.take(task)) this.pollers.unshift(poller); // stale task: dropped, the poller keeps waiting
  }

  /** Resolves with a claimed task's response, or undefined after `timeoutMs` / on cancellation. */
  poll<R>(claim: (task: T) => R | undefined, ctx: CallContext, timeoutMs: number, identity: string, now: number): Promise<R | undefined> {
    this.recentPollers.set(identity, { identity, lastAccessTime: now });
    for (let task = this.backlog.shift(); task !== undefined; task = this.backlog.shift()) {
      const response = claim(task);
      if (response !== undefined) return Promise.resolve(response);
    }
    if (ctx.cancelled) return Promise.resolve(undefined);
    return new Promise<R | undefined>((resolve) => {
      const answer = (response: R | undefined) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(response);
      };
      const poller: Poller<T> = {
        take: (task) => {
          const response = claim(task);
          if (response === undefined) return false;
          answer(response);
          return true;
        },
        release: () => answer(undefined),
      };
      const giveUp = () => {
        if (this.pollers.remove(poller)) poller.release();
      };
      const timer = setTimeout(giveUp, timeoutMs);
      const unsubscribe = ctx.onCancel(giveUp);
      this.pollers.push(poller);
    });
  }

  /** Answers every waiting poll with an empty response (shutdown). */
  releasePollers(): void {
    for (const poller of this.pollers.drain()) poller.release();
  }
}
