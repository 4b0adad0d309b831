import type { Result, Router } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';

/** Paths whose match is remembered at most (paths with ids make the set unbounded). */
const REMEMBERED = 2_000;

/**
 * Hono's TrieRouter with each (method, path)'s match remembered. Over a thousand routes, a
 * trie search with every middleware's `*` handlers was a visible share of a hot request's CPU;
 * a hot path (a price, a list) is the same string every time. Routes are all added before the
 * first request; adding one forgets every remembered match. Hono reads a match, never changes
 * it. (RegExpRouter, which compiles routes into one expression, refuses ~95 of ours: documented
 * paths with different parameter names at the same position.)
 */
export class MemoRouter<T> implements Router<T> {
  readonly name = 'MemoRouter';
  private readonly inner = new TrieRouter<T>();
  private readonly matches = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.matches.clear();
    this.inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    let found = this.matches.get(key);
    if (!found) {
      found = this.inner.match(method, path);
      if (this.matches.size >= REMEMBERED) this.matches.delete(this.matches.keys().next().value as string);
      this.matches.set(key, found);
    }
    return found;
  }
}
