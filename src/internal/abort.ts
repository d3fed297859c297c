/**
 * One abort listener per signal, however many sleeps and attempts of however many runs wait on it:
 * a signal shared by a thousand concurrent retries (a shutdown signal) then raises no
 * `MaxListenersExceededWarning`, and the listener is removed as soon as nothing waits.
 *
 * @internal
 */

interface Waiters {
  readonly callbacks: Set<() => void>
  readonly listener: () => void
}

const registry = new WeakMap<AbortSignal, Waiters>()

/**
 * Calls `callback` once when `signal` aborts; the returned function unsubscribes. The signal must
 * not be aborted yet (callers check `signal.aborted` first).
 */
export const onAbort = (signal: AbortSignal, callback: () => void): (() => void) => {
  let waiters = registry.get(signal)
  if (waiters === undefined) {
    const callbacks = new Set<() => void>()
    const listener = (): void => {
      registry.delete(signal)
      for (const f of callbacks) f()
      callbacks.clear()
    }
    waiters = { callbacks, listener }
    registry.set(signal, waiters)
    signal.addEventListener('abort', listener, { once: true })
  }
  const { callbacks, listener } = waiters
  callbacks.add(callback)
  return () => {
    if (callbacks.delete(callback) && callbacks.size === 0 && registry.get(signal) === waiters) {
      registry.delete(signal)
      signal.removeEventListener('abort', listener)
    }
  }
}
