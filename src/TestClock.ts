/**
 * A virtual clock for deterministic tests: time passes only when the test says so.
 *
 * Pass a `TestClock` as the `clock` option of a runner, start the run, then `adjust` the clock or `runAll` to the
 * end. No real timer is ever set for a sleep, so a schedule with delays of hours runs in milliseconds of real time.
 *
 * @since 0.1.0
 */
import { Clock } from './Clock'
import { honoursAbort, offAbort, onAbort } from './internal/abort'
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
 * - `runAll()` lets pending work settle, then advances to each next wake time until nothing sleeps. It rejects when
 *   it has woken 100,000 sleeps in a row, each asked for by the work the previous one woke (one run that keeps
 *   sleeping: its schedule may never end); independent runs do not add up, so 1,000 runs of 101 retries complete.
 *   `adjust` has the same guard.
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

/**
 * How many sleeps in a row, each asked for by the work the previous one woke, one `adjust` or `runAll` may wake before
 * it gives up: such a chain is one run that keeps sleeping, so it may never end. Independent runs do not add up.
 */
const MAX_CHAIN = 100_000

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
  /** The order in which the sleeps were asked for: ties in `wakeAt` wake in this order. */
  readonly order: number
  /** The `adjust` or `runAll` call whose woken work asked for this sleep (0: asked for outside of one). */
  readonly call: number
  /** How many sleeps in a row of that call led to this one. */
  readonly chain: number
  /** Its position in the heap; -1 once it has left it. */
  index: number
  readonly wake: () => void
}

const before = (a: Sleeper, b: Sleeper): boolean => a.wakeAt < b.wakeAt || (a.wakeAt === b.wakeAt && a.order < b.order)

/**
 * A binary min-heap of sleepers, each knowing its own position, so that an aborted sleep leaves it in O(log n) (a
 * splice would make aborting n sleeps O(n^2)).
 */
const makeHeap = () => {
  const items: Array<Sleeper> = []
  const place = (sleeper: Sleeper, index: number): void => {
    items[index] = sleeper
    sleeper.index = index
  }
  const up = (sleeper: Sleeper, from: number): void => {
    let index = from
    while (index > 0) {
      const parent = (index - 1) >>> 1
      if (!before(sleeper, items[parent])) break
      place(items[parent], index)
      index = parent
    }
    place(sleeper, index)
  }
  const down = (sleeper: Sleeper, from: number): void => {
    let index = from
    for (;;) {
      const left = 2 * index + 1
      if (left >= items.length) break
      const right = left + 1
      const child = right < items.length && before(items[right], items[left]) ? right : left
      if (!before(items[child], sleeper)) break
      place(items[child], index)
      index = child
    }
    place(sleeper, index)
  }
  return {
    size: (): number => items.length,
    first: (): Sleeper => items[0],
    push: (sleeper: Sleeper): void => up(sleeper, items.length),
    remove: (sleeper: Sleeper): void => {
      const index = sleeper.index
      sleeper.index = -1
      const last = items.pop() as Sleeper
      if (last === sleeper) return
      // the last item takes the removed one's place, then moves up or down to where it belongs
      if (index > 0 && before(last, items[(index - 1) >>> 1])) up(last, index)
      else down(last, index)
    }
  }
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
  const pending = makeHeap()
  let asked = 0
  // the calls to adjust and runAll so far, and while one lets woken work settle, where a sleep asked for then belongs
  let calls = 0
  let asker: { readonly call: number; readonly chain: number } | undefined
  // the end of the last queued adjust or runAll
  let queue: Promise<void> = Promise.resolve()

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
        pending.remove(sleeper)
        reject((signal as AbortSignal).reason)
      }
      const sleeper: Sleeper = {
        wakeAt: time + ms,
        order: asked++,
        call: asker === undefined ? 0 : asker.call,
        chain: asker === undefined ? 0 : asker.chain,
        index: -1,
        wake: () => {
          if (signal !== undefined) offAbort(signal, aborted)
          resolve()
        }
      }
      if (signal !== undefined) onAbort(signal, aborted)
      pending.push(sleeper)
    })

  // wakes, in order, every sleep due by `target`, including those asked for while doing so
  const wakeUntil = async (name: string, target: number): Promise<void> => {
    await settle()
    const call = ++calls
    while (pending.size() > 0 && pending.first().wakeAt <= target) {
      const sleeper = pending.first()
      // the sleeps in a row of this call that led here: a sleep asked for before it started begins a chain
      const chain = sleeper.call === call ? sleeper.chain : 0
      if (chain === MAX_CHAIN) {
        throw new Error(
          `${name}: woke ${MAX_CHAIN} sleeps in a row, each asked for by the work the previous one woke, ` +
            'and more keep coming; the schedule may never end'
        )
      }
      pending.remove(sleeper)
      time = sleeper.wakeAt
      sleeper.wake()
      asker = { call, chain: chain + 1 }
      await settle()
      asker = undefined
    }
  }

  const enqueue = (task: () => Promise<void>): Promise<void> => {
    const result = queue.then(task)
    queue = result.catch(() => undefined)
    return result
  }

  return {
    now: () => time,
    sleep: honoursAbort(sleep),
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
