import type { ServerUnaryCall } from '@grpc/grpc-js';

/**
 * What a handler may know about its call: whether the client went away. Only calls that wait
 * (long polls) subscribe to the call's cancellation; the others pay nothing for it.
 */
export class CallContext {
  private cancelListeners: Array<() => void> = [];
  private subscribed = false;
  private cancelledHere = false;

  constructor(private readonly call?: ServerUnaryCall<unknown, unknown>) {}

  get cancelled(): boolean {
    return this.cancelledHere || !!this.call?.cancelled;
  }

  cancel(): void {
    if (this.cancelledHere) return;
    this.cancelledHere = true;
    for (const listener of this.cancelListeners.splice(0)) listener();
  }

  /** Registers a listener for cancellation; returns a function that unregisters it. */
  onCancel(listener: () => void): () => void {
    if (this.cancelled) {
      listener();
      return () => {};
    }
    if (!this.subscribed) {
      this.subscribed = true;
      this.call?.once('cancelled', () => this.cancel());
    }
    this.cancelListeners.push(listener);
    return () => {
      const i = this.cancelListeners.indexOf(listener);
      if (i >= 0) this.cancelListeners.splice(i, 1);
    };
  }
}
