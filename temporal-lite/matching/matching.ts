// All task queues of the server, by kind, namespace and name (normal and sticky queues alike).
import { TaskQueue } from './task-queue.js';

export class Matching<W, A> {
  private readonly workflowQueues = new Map<string, TaskQueue<W>>();
  private readonly activityQueues = new Map<string, TaskQueue<A>>();

  workflowQueue(namespace: string, name: string): TaskQueue<W> {
    return getOrCreate(this.workflowQueues, `${namespace}\u0000${name}`);
  }

  activityQueue(namespace: string, name: string): TaskQueue<A> {
    return getOrCreate(this.activityQueues, `${namespace}\u0000${name}`);
  }

  /** Tasks waiting for a poller, over every queue of each kind. */
  backlog(): { workflow: number; activity: number } {
    const sum = (queues: Iterable<TaskQueue<unknown>>) => [...queues].reduce((total, queue) => total + queue.backlogSize, 0);
    return { workflow: sum(this.workflowQueues.values()), activity: sum(this.activityQueues.values()) };
  }

  close(): void {
    for (const queue of this.workflowQueues.values()) queue.releasePollers();
    for (const queue of this.activityQueues.values()) queue.releasePollers();
  }
}

function getOrCreate<T>(map: Map<string, TaskQueue<T>>, key: string): TaskQueue<T> {
  let queue = map.get(key);
  if (!queue) {
    queue = new TaskQueue<T>();
    map.set(key, queue);
  }
  return queue;
}
