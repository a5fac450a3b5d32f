/** A timer in the virtual clock's queue. */
export interface TimerEntry {
  at: number;
  seq: number;
  fire: () => void;
  index: number; // position in the heap; -1 once fired or cancelled
}

/** Min-heap of timers ordered by due time, then by scheduling order. */
export class TimerHeap {
  private items: TimerEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): TimerEntry | undefined {
    return this.items[0];
  }

  push(entry: TimerEntry): void {
    entry.index = this.items.length;
    this.items.push(entry);
    this.up(entry.index);
  }

  pop(): TimerEntry | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  remove(entry: TimerEntry): void {
    const i = entry.index;
    if (i < 0 || this.items[i] !== entry) return;
    const last = this.items.pop()!;
    entry.index = -1;
    if (i < this.items.length) {
      this.items[i] = last;
      last.index = i;
      this.down(i);
      this.up(i);
    }
  }

  clear(): void {
    for (const entry of this.items) entry.index = -1;
    this.items = [];
  }

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.items[i];
    const b = this.items[j];
    this.items[i] = b;
    this.items[j] = a;
    a.index = j;
    b.index = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[parent])) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const count = this.items.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < count && this.less(this.items[left], this.items[smallest])) smallest = left;
      if (right < count && this.less(this.items[right], this.items[smallest])) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
