/**
 * A virtual clock for deterministic tests: time passes only when the test says so.
 *
 * Pass a `TestClock` as the `clock` option of a runner, start the run, then `adjust` the clock or `runAll` to the
 * end. No real timer is ever set for a sleep, so a schedule with delays of hours runs in milliseconds of real time.
 *
 * @since 0.1.0
 */
import { Clock } from './Clock'
import { offAbort, onAbort } from './internal/abort'
import { checkDuration } from './internal/check'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A `Clock` whose time only moves when `adjust` or `runAll` moves it.
 *
 * - `now()` is the virtual time.
 * - `sleep(ms, signal)` records `ms` and waits until virtual time reaches `now() + ms`; `sleep(0)` resolves at once.
 *   Like the live clock, it rejects with a `RangeError` for an invalid `ms` and with `signal.reason` on abort.
 * - `adjust(ms)` lets pending work settle, then advances time by `ms`, waking the sleeps that fall due in order of
 *   their wake time (ties in the order they were asked for) and letting the woken work settle after each one, so a
 *   sleep asked for during the adjustment is woken too if it falls due within it. It resolves at the target time.
 * - `runAll()` lets pending work settle, then advances to each next wake time until nothing sleeps. It rejects if
 *   more than 100,000 sleeps are woken, since the schedule may then never end (`adjust` has the same guard).
 * - `sleeps` is a snapshot copy of every delay asked for so far, in order, zeros and aborted sleeps included.
 *
 * "Letting work settle" means waiting two turns of the event loop (`setImmediate`), which runs every pending promise
 * continuation and work that yields once with `setImmediate`; work waiting on real timers or real I/O is not waited
 * for. Calls to `adjust` and `runAll` are queued: each one starts when the previous one has ended.
 *
 * @example
 * import * as TestClock from 'schedule-ts/TestClock'
 *
 * const clock = TestClock.make()
 * const log: Array<number> = []
 * const run = async () => {
 *   for (const ms of [100, 200, 400]) {
 *     await clock.sleep(ms)
 *     log.push(clock.now())
 *   }
 * }
 * void run()
 *
 * clock
 *   .adjust(300)
 *   .then(() => {
 *     assert.deepStrictEqual(log, [100, 300])
 *     return clock.runAll()
 *   })
 *   .then(() => {
 *     assert.deepStrictEqual(log, [100, 300, 700])
 *     assert.deepStrictEqual(clock.sleeps, [100, 200, 400])
 *   })
 *
 * @category model
 * @since 0.1.0
 */
export interface TestClock extends Clock {
  readonly adjust: (ms: number) => Promise<void>
  readonly runAll: () => Promise<void>
  readonly sleeps: ReadonlyArray<number>
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** How many sleeps one `adjust` or `runAll` may wake before it gives up. */
const MAX_WAKES = 100_000

/** How many turns of the event loop "letting work settle" waits. */
const SETTLE_TURNS = 2

// captured at load time, so that fake timers installed later (vi.useFakeTimers) cannot stall the clock
const nextTurn: (callback: () => void) => unknown =
  typeof setImmediate === 'function' ? setImmediate : (callback) => setTimeout(callback, 0)

const settle = async (): Promise<void> => {
  for (let turn = 0; turn < SETTLE_TURNS; turn++) {
    await new Promise<void>((resolve) => nextTurn(resolve))
  }
}

interface Sleeper {
  readonly wakeAt: number
  readonly wake: () => void
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Creates a `TestClock` whose time starts at `start` (0 by default).
 *
 * Make a new clock for each test: its time and its record of sleeps are never reset. Throws a `RangeError` when
 * `start` is not a finite number.
 *
 * @example
 * import * as TestClock from 'schedule-ts/TestClock'
 *
 * const clock = TestClock.make(1_000)
 * let woken = false
 * clock.sleep(24 * 60 * 60 * 1_000).then(() => {
 *   woken = true
 * })
 *
 * clock.runAll().then(() => {
 *   assert.deepStrictEqual(woken, true)
 *   assert.deepStrictEqual(clock.now(), 1_000 + 24 * 60 * 60 * 1_000)
 * })
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (start = 0): TestClock => {
  if (!Number.isFinite(start)) {
    throw new RangeError(`TestClock.make: start must be a finite number, got ${String(start)}`)
  }
  let time = start
  const recorded: Array<number> = []
  // ordered by wake time, then by the order the sleeps were asked for
  const pending: Array<Sleeper> = []
  // the end of the last queued adjust or runAll
  let queue: Promise<void> = Promise.resolve()

  const insert = (sleeper: Sleeper): void => {
    let low = 0
    let high = pending.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (pending[middle].wakeAt <= sleeper.wakeAt) {
        low = middle + 1
      } else {
        high = middle
      }
    }
    pending.splice(low, 0, sleeper)
  }

  const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      // a throw here rejects the promise: sleep never throws synchronously
      checkDuration('TestClock.sleep', 'ms', ms)
      recorded.push(ms)
      if (signal !== undefined && signal.aborted) {
        reject(signal.reason)
        return
      }
      if (ms === 0) {
        resolve()
        return
      }
      const aborted = (): void => {
        pending.splice(pending.indexOf(sleeper), 1)
        reject((signal as AbortSignal).reason)
      }
      const sleeper: Sleeper = {
        wakeAt: time + ms,
        wake: () => {
          if (signal !== undefined) offAbort(signal, aborted)
          resolve()
        }
      }
      if (signal !== undefined) onAbort(signal, aborted)
      insert(sleeper)
    })

  // wakes, in order, every sleep due by `target`, including those asked for while doing so
  const wakeUntil = async (name: string, target: number): Promise<void> => {
    await settle()
    let wakes = 0
    while (pending.length > 0 && pending[0].wakeAt <= target) {
      if (wakes === MAX_WAKES) {
        throw new Error(`${name}: woke ${MAX_WAKES} sleeps and more keep coming; the schedule may never end`)
      }
      wakes++
      const sleeper = pending.shift() as Sleeper
      time = sleeper.wakeAt
      sleeper.wake()
      await settle()
    }
  }

  const enqueue = (task: () => Promise<void>): Promise<void> => {
    const result = queue.then(task)
    queue = result.catch(() => undefined)
    return result
  }

  return {
    now: () => time,
    sleep,
    adjust: (ms) => {
      try {
        checkDuration('TestClock.adjust', 'ms', ms)
      } catch (error) {
        return Promise.reject(error)
      }
      return enqueue(async () => {
        const target = time + ms
        await wakeUntil('TestClock.adjust', target)
        time = target
      })
    },
    runAll: () => enqueue(() => wakeUntil('TestClock.runAll', Infinity)),
    get sleeps() {
      return recorded.slice()
    }
  }
}
