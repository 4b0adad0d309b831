/**
 * Memos an isolate keeps of what it read from storage (the replay clock, data and cache
 * versions, closes, ledgers, hot reads), each module registering how to forget its own, so
 * that all of them can be forgotten at once. Each memo is correct against storage that only
 * moves forward; storage emptied under a live isolate is not that. The test suite empties
 * storage between test files that share one isolate (test/setup/reset-storage.ts) and calls
 * `forgetIsolateMemos` then.
 */
const forgetters = new Set<() => void>();

/** Registers how to forget a memo (call once, where the memo is declared). */
export function registerMemo(forget: () => void): void {
  forgetters.add(forget);
}

/** Forgets every registered memo of this isolate. */
export function forgetIsolateMemos(): void {
  for (const forget of forgetters) forget();
}
