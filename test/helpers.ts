/**
 * Helpers shared by the unit tests of the clocks and the runners.
 */
import { getEventListeners } from 'node:events'
import { vi } from 'vitest'

/** How many `abort` listeners a signal holds. */
export const abortListeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length

/** One turn of the event loop: pending promise chains and immediates run. */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve))

/** Tracks whether a promise has settled, without letting a rejection go unhandled. */
export const track = <A>(promise: Promise<A>) => {
  const state: { settled: boolean; value?: A; error?: unknown } = { settled: false }
  promise.then(
    (value) => {
      state.settled = true
      state.value = value
    },
    (error: unknown) => {
      state.settled = true
      state.error = error
    }
  )
  return state
}

/**
 * Watches the real timers set from now on, by spying on `setTimeout` and `clearTimeout` until the
 * test's mocks are restored: `pending` holds those neither fired nor cleared, `delays` every delay
 * asked for. A leak check on `pending` sees only what the test created, never another file's or
 * vitest's own timers, so it cannot fail by chance on a loaded machine.
 */
export const watchTimers = () => {
  const realSetTimeout = globalThis.setTimeout
  const realClearTimeout = globalThis.clearTimeout
  const watched = { delays: [] as Array<number | undefined>, pending: new Set<unknown>() }
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    callback: (...args: Array<unknown>) => void,
    ms?: number,
    ...args: Array<unknown>
  ) => {
    const handle = realSetTimeout(() => {
      watched.pending.delete(handle)
      callback(...args)
    }, ms)
    watched.delays.push(ms)
    watched.pending.add(handle)
    return handle
  }) as typeof setTimeout)
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation((handle) => {
    watched.pending.delete(handle)
    realClearTimeout(handle)
  })
  return watched
}
