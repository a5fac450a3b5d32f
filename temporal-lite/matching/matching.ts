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
