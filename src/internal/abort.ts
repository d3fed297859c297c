/**
 * One abort listener per signal, however many sleeps and attempts of however many runs wait on it:
 * a signal shared by a thousand concurrent retries (a shutdown signal) then raises no
 * `MaxListenersExceededWarning`, and the listener is removed as soon as nothing waits.
 *
 * @internal
 */

const registry = new WeakMap<AbortSignal, Set<() => void>>()

// the one listener, shared by every signal: it runs what waits on the signal that fired
const dispatch = (event: Event): void => {
  const signal = event.target as AbortSignal
  const callbacks = registry.get(signal)
  registry.delete(signal)
  callbacks?.forEach((f) => f())
}

/**
 * Calls `callback` once when `signal` aborts; the returned function unsubscribes. The signal must
 * not be aborted yet (callers check `signal.aborted` first).
 */
export const onAbort = (signal: AbortSignal, callback: () => void): (() => void) => {
  let callbacks = registry.get(signal)
  if (callbacks === undefined) {
    registry.set(signal, (callbacks = new Set()))
    signal.addEventListener('abort', dispatch, { once: true })
  }
  const waiting = callbacks
  waiting.add(callback)
  return () => {
    if (waiting.delete(callback) && waiting.size === 0 && registry.get(signal) === waiting) {
      registry.delete(signal)
      signal.removeEventListener('abort', dispatch)
    }
  }
}
