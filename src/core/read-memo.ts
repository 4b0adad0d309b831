import { registerMemo } from './isolate-memos';

/**
 * A per-isolate memo of values read from D1 for the hottest public reads (quotes, assets by
 * symbol), kept for `READ_MEMO_MS` (config; 2 s by default, 0 turns it off): a guest's price
 * then costs no D1 round trip while the memo holds it. What it serves is at most that old,
 * the same bound the cached reads' data version has (read at most every 5 s per isolate); a
 * write in this isolate clears the memo at once. Bounded by entries, oldest first out. Made
 * once per module (each registers with `isolate-memos`, which holds it for the isolate's life).
 */
export class ReadMemo<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(private readonly maxEntries = 4096) {
    registerMemo(() => this.clear());
  }

  /** The value stored under `key` until after `now`, else undefined. */
  get(key: string, now: number): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires > now) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, expires: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
