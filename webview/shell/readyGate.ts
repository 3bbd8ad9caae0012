// Notifications that arrive before the first snapshot is applied must not be lost or applied
// to nothing: handlers wrapped here are queued until `open()`, then run in arrival order.

export class ReadyGate {
  private queue: Array<() => void> | undefined = [];

  get isOpen(): boolean {
    return this.queue === undefined;
  }

  wrap<P>(handler: (params: P) => void): (params: P) => void {
    return (params) => {
      if (this.queue) this.queue.push(() => handler(params));
      else handler(params);
    };
  }

  open(): void {
    const queued = this.queue;
    this.queue = undefined;
    for (const run of queued ?? []) run();
  }
}
