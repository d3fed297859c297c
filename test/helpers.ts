/**
 * Helpers shared by the unit tests of the clocks and the runners.
 */
import { getEventListeners } from 'node:events'

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
