import { registerMemo } from './isolate-memos';

/**
 * A per-isolate memo of values read from storage, each kept until the expiry it was stored
 * with, bounded by entries (the least recently stored out first), and forgotten with the
 * isolate's other memos (`isolate-memos`). Made once per module. The hottest public reads
 * (quotes, assets by symbol) keep theirs for `READ_MEMO_MS` (config; 2 s by default, 0 turns
 * it off): a guest's price then costs no D1 round trip while the memo holds it; what it serves
 * is at most that old, the same bound the cached reads' data version has (read at most every
 * 5 s per isolate), and a write in this isolate clears the memo at once. The portfolio list
 * keeps positions per ledger version and lists per user object token in it too.
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

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
