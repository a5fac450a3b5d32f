// One task queue: a backlog of tasks and a line of waiting long polls. A task is handed to a
// poller through the poller's claim function, which starts the task (a state change) and
// builds the poll response, or returns undefined when the task went stale (it is dropped).
import type { CallContext } from '../grpc/call-context.js';
import { Fifo } from './fifo.js';

interface Poller<T> {
  claim: (task: T) => unknown;
  resolve: (response: unknown) => void;
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
    const p = this.pollers.shift();
    if (!p) {
      this.backlog.push(task);
      return;
    }
    const response = p.claim(task);
    if (response === undefined) this.pollers.unshift(p); // stale task: dropped, the poller keeps waiting
    else p.resolve(response);
  }

  /** Resolves with a claimed task's response, or undefined after `timeoutMs` / on cancellation. */
  poll<R>(claim: (task: T) => R | undefined, ctx: CallContext, timeoutMs: number, identity: string, now: number): Promise<R | undefined> {
    this.recentPollers.set(identity, { identity, lastAccessTime: now });
    for (let t = this.backlog.shift(); t !== undefined; t = this.backlog.shift()) {
      const response = claim(t);
      if (response !== undefined) return Promise.resolve(response);
    }
    if (ctx.cancelled) return Promise.resolve(undefined);
    return new Promise<R | undefined>((resolve) => {
      const poller: Poller<T> = {
        claim: claim as (task: T) => unknown,
        resolve: (r) => {
          clearTimeout(timer);
          unsubscribe();
          resolve(r as R | undefined);
        },
      };
      const giveUp = () => {
        if (this.pollers.remove(poller)) poller.resolve(undefined);
      };
      const timer = setTimeout(giveUp, timeoutMs);
      const unsubscribe = ctx.onCancel(giveUp);
      this.pollers.push(poller);
    });
  }

  /** Answers every waiting poll with an empty response (shutdown). */
  releasePollers(): void {
    for (const p of this.pollers.drain()) p.resolve(undefined);
  }
}
