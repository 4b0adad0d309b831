// The one Node API the Worker uses (nodejs_compat provides it): the per-request telemetry
// trace. Declared here rather than pulling @types/node, whose globals clash with workers-types.
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
