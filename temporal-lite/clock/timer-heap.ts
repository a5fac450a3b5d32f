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

  push(e: TimerEntry): void {
    e.index = this.items.length;
    this.items.push(e);
    this.up(e.index);
  }

  pop(): TimerEntry | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  remove(e: TimerEntry): void {
    const i = e.index;
    if (i < 0 || this.items[i] !== e) return;
    const last = this.items.pop()!;
    e.index = -1;
    if (i < this.items.length) {
      this.items[i] = last;
      last.index = i;
      this.down(i);
      this.up(i);
    }
  }

  clear(): void {
    for (const e of this.items) e.index = -1;
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
      const p = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[p])) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(this.items[l], this.items[m])) m = l;
      if (r < n && this.less(this.items[r], this.items[m])) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
