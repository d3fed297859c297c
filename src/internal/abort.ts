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

/** Calls `callback` once when `signal` aborts. The signal must not be aborted yet. */
export const onAbort = (signal: AbortSignal, callback: () => void): void => {
  let callbacks = registry.get(signal)
  if (callbacks === undefined) {
    registry.set(signal, (callbacks = new Set()))
    signal.addEventListener('abort', dispatch, { once: true })
  }
  callbacks.add(callback)
}

/** Stops waiting: `callback` will not be called, and the listener goes when nothing else waits. */
export const offAbort = (signal: AbortSignal, callback: () => void): void => {
  const callbacks = registry.get(signal)
  if (callbacks !== undefined && callbacks.delete(callback) && callbacks.size === 0) {
    registry.delete(signal)
    signal.removeEventListener('abort', dispatch)
  }
}

const honouring = new WeakSet<object>()

/**
 * Marks a `sleep` that settles as soon as its signal aborts (the live clock's, the TestClock's), and
 * returns it: a run on such a clock need not race the sleep with the abort itself.
 */
export const honoursAbort = <F extends object>(sleep: F): F => {
  honouring.add(sleep)
  return sleep
}

/** Whether `sleep` was marked by `honoursAbort`. */
export const isHonouring = (sleep: object): boolean => honouring.has(sleep)
