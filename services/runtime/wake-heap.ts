/**
 * Due times per key with a binary min-heap; superseded entries are skipped lazily
 * when popped, so rescheduling a key is O(log n) and never scans.
 */
export class WakeHeap {
  readonly #due = new Map<string, number>();
  readonly #heap: { at: number; key: string }[] = [];

  get size(): number {
    return this.#due.size;
  }

  set(key: string, at: number | undefined): void {
    if (at === undefined) {
      this.#due.delete(key);
      return;
    }
    if (this.#due.get(key) === at) return;
    this.#due.set(key, at);
    this.#push({ at, key });
  }

  /** Removes and returns up to `max` keys due at or before `now`, earliest first. */
  takeDue(now: number, max: number): { key: string; at: number }[] {
    const out: { key: string; at: number }[] = [];
    while (out.length < max && this.#heap.length > 0 && this.#heap[0]!.at <= now) {
      const top = this.#pop();
      if (this.#due.get(top.key) !== top.at) continue;
      this.#due.delete(top.key);
      out.push(top);
    }
    return out;
  }

  nextAt(): number | undefined {
    while (this.#heap.length > 0 && this.#due.get(this.#heap[0]!.key) !== this.#heap[0]!.at) this.#pop();
    return this.#heap[0]?.at;
  }

  #push(e: { at: number; key: string }): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= h[i]!.at) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  #pop(): { at: number; key: string } {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
