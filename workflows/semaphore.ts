/**
 * A counting semaphore for workflow code, built on `condition` (deterministic: no timers, no
 * events in history). Waiters go first come, first served; `size` may change while it is in use.
 */
import { condition } from '@temporalio/workflow';

export class Semaphore {
  private held = 0;
  private readonly waiting: number[] = [];
  private nextTicket = 0;

  constructor(public size: number) {}

  /**
   * Waits for a permit. The head of the queue takes it only when it resumes, so several waiters
   * unblocked in one activation cannot pass together.
   */
  async acquire(): Promise<void> {
    const ticket = this.nextTicket++;
    this.waiting.push(ticket);
    await condition(() => this.waiting[0] === ticket && this.held < this.size);
    this.waiting.shift();
    this.held += 1;
  }

  release(): void {
    this.held -= 1;
  }

  /** Runs `work` holding a permit. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
