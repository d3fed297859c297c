import * as fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { afterEach, beforeEach, describe, expect, it, MockInstance, vi } from 'vitest'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'
import { abortListeners, nextTurn, track, watchImmediates } from './helpers'

/** Sleeps for each delay in turn, logging the virtual time at each wake-up. */
const sleeper = (clock: TestClock.TestClock, delays: ReadonlyArray<number>, signal?: AbortSignal) => {
  const log: Array<number> = []
  const done = (async () => {
    for (const ms of delays) {
      await clock.sleep(ms, signal)
      log.push(clock.now())
    }
  })()
  return { log, done }
}

/** Sleeps `ms` again and again until the signal aborts. */
const forever = async (clock: TestClock.TestClock, ms: number, signal: AbortSignal) => {
  for (;;) {
    await clock.sleep(ms, signal)
  }
}

let setTimeoutSpy: MockInstance<typeof setTimeout>

beforeEach(() => {
  setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
})

afterEach(() => {
  // the test clock never sets a real timer (checked first: installing fake timers sets a probe timer)
  expect(setTimeoutSpy).not.toHaveBeenCalled()
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('make', () => {
  it('starts at 0 by default', () => {
    expect(TestClock.make().now()).toBe(0)
  })

  it('starts at the given time, negative included', () => {
    expect(TestClock.make(1_000).now()).toBe(1_000)
    expect(TestClock.make(-5).now()).toBe(-5)
  })

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['a string', '0' as unknown as number]
  ])('throws a RangeError naming TestClock.make and start for %s', (_, start) => {
    expect(() => TestClock.make(start)).toThrow(RangeError)
    expect(() => TestClock.make(start)).toThrow(/^TestClock\.make: start must be a finite number/)
  })

  it('makes independent clocks', async () => {
    const a = TestClock.make()
    const b = TestClock.make()
    void a.sleep(10)
    await a.runAll()
    expect(a.now()).toBe(10)
    expect(b.now()).toBe(0)
    expect(b.sleeps).toEqual([])
  })
})

describe('now', () => {
  it('does not move on its own', async () => {
    const clock = TestClock.make()
    await new Promise<void>((resolve) => setImmediate(resolve))
    await nextTurn()
    expect(clock.now()).toBe(0)
  })
})

describe('sleep', () => {
  it('resolves sleep(0) at once, without advancing time', async () => {
    const clock = TestClock.make(5)
    const state = track(clock.sleep(0))
    await Promise.resolve()
    await Promise.resolve()
    expect(state).toEqual({ settled: true, value: undefined })
    expect(clock.now()).toBe(5)
  })

  it('does not resolve until time is advanced', async () => {
    const clock = TestClock.make()
    const state = track(clock.sleep(1))
    await nextTurn()
    await nextTurn()
    expect(state.settled).toBe(false)
    await clock.adjust(1)
    expect(state).toEqual({ settled: true, value: undefined })
  })

  it.each([
    ['NaN', NaN, RangeError],
    ['a negative number', -1, RangeError],
    ['Infinity', Infinity, RangeError],
    ['a string', '5' as unknown as number, TypeError]
  ])(
    'rejects %s with a RangeError (a TypeError when not a number) naming TestClock.sleep and ms, and does not record it',
    async (_, ms, type) => {
      const clock = TestClock.make()
      let promise: Promise<void> | undefined
      expect(() => {
        promise = clock.sleep(ms)
      }).not.toThrow()
      await expect(promise).rejects.toThrow(type)
      await expect(promise).rejects.toThrow(/^TestClock\.sleep: ms must be a finite non-negative number/)
      expect(clock.sleeps).toEqual([])
    }
  )
})

describe('sleeps', () => {
  it('records every delay asked for, in order, zeros included', async () => {
    const clock = TestClock.make()
    const { done } = sleeper(clock, [0, 100, 0, 50])
    await clock.runAll()
    await done
    expect(clock.sleeps).toEqual([0, 100, 0, 50])
  })

  it('records a sleep when it is asked for, before it wakes', () => {
    const clock = TestClock.make()
    void clock.sleep(30)
    void clock.sleep(10)
    expect(clock.sleeps).toEqual([30, 10])
  })

  it('is a snapshot that later sleeps and callers cannot change', () => {
    const clock = TestClock.make()
    void clock.sleep(1)
    const snapshot = clock.sleeps
    void clock.sleep(2)
    expect(snapshot).toEqual([1])
    ;(snapshot as Array<number>).push(99)
    expect(clock.sleeps).toEqual([1, 2])
  })
})

describe('adjust', () => {
  it('advances time by ms and wakes only the sleeps that fall due', async () => {
    const clock = TestClock.make()
    const short = track(clock.sleep(50))
    const long = track(clock.sleep(100))
    await clock.adjust(60)
    expect(clock.now()).toBe(60)
    expect(short.settled).toBe(true)
    expect(long.settled).toBe(false)
    await clock.adjust(39)
    expect(clock.now()).toBe(99)
    expect(long.settled).toBe(false)
    await clock.adjust(1)
    expect(clock.now()).toBe(100)
    expect(long.settled).toBe(true)
  })

  it('wakes sleeps in order of their wake time, ties in the order they were asked for', async () => {
    const clock = TestClock.make()
    const order: Array<string> = []
    const at = (name: string, ms: number) =>
      clock.sleep(ms).then(() => {
        order.push(`${name}@${clock.now()}`)
      })
    void at('c', 300)
    void at('a', 100)
    void at('b1', 200)
    void at('b2', 200)
    void at('b3', 200)
    await clock.adjust(1_000)
    expect(order).toEqual(['a@100', 'b1@200', 'b2@200', 'b3@200', 'c@300'])
    expect(clock.now()).toBe(1_000)
  })

  it('lets woken work see the wake time, not the target', async () => {
    const clock = TestClock.make()
    const { log } = sleeper(clock, [10, 10, 10, 10])
    await clock.adjust(35)
    expect(log).toEqual([10, 20, 30])
    expect(clock.now()).toBe(35)
    await clock.adjust(5)
    expect(log).toEqual([10, 20, 30, 40])
  })

  it('wakes a sleep asked for by woken work within the same adjustment', async () => {
    const clock = TestClock.make()
    const order: Array<string> = []
    void clock.sleep(10).then(async () => {
      order.push(`first@${clock.now()}`)
      // a sleep due before one that was already pending
      await clock.sleep(5)
      order.push(`nested@${clock.now()}`)
    })
    void clock.sleep(20).then(() => order.push(`second@${clock.now()}`))
    await clock.adjust(100)
    expect(order).toEqual(['first@10', 'nested@15', 'second@20'])
  })

  it('wakes a sleep that falls due exactly at the target', async () => {
    const clock = TestClock.make()
    const state = track(clock.sleep(25))
    await clock.adjust(25)
    expect(state.settled).toBe(true)
  })

  it('lets pending work settle first, so it can be called right after work starts', async () => {
    const clock = TestClock.make()
    const log: Array<number> = []
    void (async () => {
      await Promise.resolve()
      await nextTurn()
      await clock.sleep(10)
      log.push(clock.now())
    })()
    await clock.adjust(10)
    expect(log).toEqual([10])
  })

  it('runs woken work that yields to the event loop once before it sleeps again', async () => {
    const clock = TestClock.make()
    const log: Array<number> = []
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10)
        log.push(clock.now())
        await nextTurn()
      }
    })()
    await clock.adjust(30)
    expect(log).toEqual([10, 20, 30])
  })

  it('adjust(0) wakes nothing and leaves time alone', async () => {
    const clock = TestClock.make(7)
    const state = track(clock.sleep(1))
    await clock.adjust(0)
    expect(clock.now()).toBe(7)
    expect(state.settled).toBe(false)
  })

  it('accepts fractional times', async () => {
    const clock = TestClock.make()
    const state = track(clock.sleep(0.5))
    await clock.adjust(0.25)
    expect(state.settled).toBe(false)
    await clock.adjust(0.25)
    expect(state.settled).toBe(true)
    expect(clock.now()).toBe(0.5)
  })

  it('queues calls made without waiting, each starting where the previous one ended', async () => {
    const clock = TestClock.make()
    const { log } = sleeper(clock, [15, 10])
    const first = clock.adjust(10)
    const second = clock.adjust(10)
    await Promise.all([first, second])
    expect(log).toEqual([15])
    expect(clock.now()).toBe(20)
    await clock.adjust(5)
    expect(log).toEqual([15, 25])
  })

  it.each([
    ['NaN', NaN, RangeError],
    ['a negative number', -1, RangeError],
    ['Infinity', Infinity, RangeError],
    ['a string', '1' as unknown as number, TypeError]
  ])(
    'rejects %s with a RangeError (a TypeError when not a number) naming TestClock.adjust and ms',
    async (_, ms, type) => {
      const clock = TestClock.make()
      const state = track(clock.sleep(1))
      let promise: Promise<void> | undefined
      expect(() => {
        promise = clock.adjust(ms)
      }).not.toThrow()
      await expect(promise).rejects.toThrow(type)
      await expect(promise).rejects.toThrow(/^TestClock\.adjust: ms must be a finite non-negative number/)
      expect(clock.now()).toBe(0)
      expect(state.settled).toBe(false)
    }
  )

  it('leaves no pending immediate behind', async () => {
    // the module takes setImmediate when it loads: load a fresh copy while the immediates are watched
    const immediates = watchImmediates()
    vi.resetModules()
    const Watched = await import('../src/TestClock')
    const clock = Watched.make()
    void clock.sleep(5)
    const before = immediates.count
    await clock.adjust(10)
    // it lets the woken work run with immediates, and every one it set has run
    expect(immediates.count).toBeGreaterThan(before)
    expect(immediates.pending.size).toBe(0)
  })

  it('gives up on a schedule that never lets time pass', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    // a delay this small is lost when added to the time: every sleep falls due at once
    const loop = forever(clock, 1e-300, controller.signal).catch((e: unknown) => e)
    await expect(clock.adjust(1)).rejects.toThrow(
      'TestClock.adjust: woke 100000 sleeps in a row, each asked for by the work the previous one woke, and more keep ' +
        'coming; the schedule may never end'
    )
    controller.abort('cleanup')
    await expect(loop).resolves.toBe('cleanup')
    // the queue carries on after a failure
    const state = track(clock.sleep(1))
    await clock.adjust(1)
    expect(state.settled).toBe(true)
  })
})

describe('runAll', () => {
  it('resolves at once when nothing sleeps', async () => {
    const clock = TestClock.make(3)
    await clock.runAll()
    expect(clock.now()).toBe(3)
  })

  it('runs a long schedule to its end without waiting on real time, right after it starts', async () => {
    // a fresh copy of the module, loaded while the immediates are watched (it takes setImmediate when it loads)
    const immediates = watchImmediates()
    vi.resetModules()
    const Watched = await import('../src/TestClock')
    const clock = Watched.make()
    // exponential(1000) with 10 retries: 17 minutes of virtual time
    const delays = Array.from({ length: 10 }, (_, n) => 1_000 * 2 ** n)
    const { log, done } = sleeper(clock, delays)
    const before = immediates.count
    await clock.runAll()
    await done
    // no real timer is set (checked after each test), and letting work settle takes two turns of the
    // event loop, at the start and after each wake-up: the run takes turns, never time
    expect(immediates.count - before).toBeLessThanOrEqual(2 * (delays.length + 1))
    expect(clock.now()).toBe(1_000 * (2 ** 10 - 1))
    expect(clock.sleeps).toEqual(delays)
    expect(log).toEqual(delays.map((_, n) => 1_000 * (2 ** (n + 1) - 1)))
  })

  it('lets pending work settle before it looks for sleeps', async () => {
    const clock = TestClock.make()
    const log: Array<number> = []
    void (async () => {
      await nextTurn()
      await clock.sleep(60 * 60 * 1_000)
      log.push(clock.now())
    })()
    await clock.runAll()
    expect(log).toEqual([60 * 60 * 1_000])
  })

  it('interleaves concurrent sleepers in time order', async () => {
    const clock = TestClock.make()
    const order: Array<string> = []
    const run = async (name: string, delays: ReadonlyArray<number>) => {
      for (const ms of delays) {
        await clock.sleep(ms)
        order.push(`${name}@${clock.now()}`)
      }
    }
    void run('a', [10, 10, 10])
    void run('b', [15, 15])
    await clock.runAll()
    // at 30, b's sleep comes first: it was asked for at 15, a's at 20
    expect(order).toEqual(['a@10', 'b@15', 'a@20', 'b@30', 'a@30'])
    expect(clock.now()).toBe(30)
  })

  it('works while fake timers are installed', async () => {
    const clock = TestClock.make()
    const { done } = sleeper(clock, [100, 200])
    vi.useFakeTimers()
    // installing fake timers sets (and forgets) a probe timer of its own
    setTimeoutSpy.mockClear()
    await clock.runAll()
    vi.useRealTimers()
    await done
    expect(clock.now()).toBe(300)
  })

  it('gives up after 100,000 sleeps in a row of one run, saying the schedule may never end', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const loop = forever(clock, 1, controller.signal).catch((e: unknown) => e)
    const error = await clock.runAll().then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe(
      'TestClock.runAll: woke 100000 sleeps in a row, each asked for by the work the previous one woke, and more keep ' +
        'coming; the schedule may never end'
    )
    expect(clock.now()).toBe(100_000)
    controller.abort('cleanup')
    await expect(loop).resolves.toBe('cleanup')
  }, 20_000)
})

describe('the guard against endless schedules', () => {
  it('lets 1,000 runs of 101 retries each complete through runAll: independent runs do not add up', async () => {
    const clock = TestClock.make()
    const policy = pipe(S.spaced(10), S.maxRetries(101))
    let attempts = 0
    const down: TE.TaskEither<string, never> = () => {
      attempts++
      return Promise.resolve(E.left('503'))
    }
    const runs = Array.from({ length: 1_000 }, () => pipe(down, Retry.retry(policy, { clock }))())
    await clock.runAll()
    const results = await Promise.all(runs)
    expect(results.every((result) => E.isLeft(result) && result.left === '503')).toBe(true)
    expect(attempts).toBe(1_000 * 102)
    expect(clock.sleeps.length).toBe(101_000)
    expect(clock.now()).toBe(1_010)
  }, 30_000)

  it('still gives up on one endless run among 1,000 runs that end, once it alone has slept 100,000 times', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const finite = Array.from({ length: 1_000 }, () => sleeper(clock, [1, 1, 1]))
    const loop = forever(clock, 1, controller.signal).catch((e: unknown) => e)
    await expect(clock.runAll()).rejects.toThrow(
      'TestClock.runAll: woke 100000 sleeps in a row, each asked for by the work the previous one woke'
    )
    // 3,000 other sleeps were woken on the way, and did not count
    expect(clock.now()).toBe(100_000)
    await Promise.all(finite.map(({ done }) => done))
    expect(finite.every(({ log }) => log.join() === '1,2,3')).toBe(true)
    controller.abort('cleanup')
    await expect(loop).resolves.toBe('cleanup')
  }, 30_000)
})

describe('with an AbortSignal', () => {
  it('rejects at once with the reason when the signal is already aborted, and records the delay', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const reason = new Error('gone')
    controller.abort(reason)
    await expect(clock.sleep(100, controller.signal)).rejects.toBe(reason)
    await expect(clock.sleep(0, controller.signal)).rejects.toBe(reason)
    expect(clock.sleeps).toEqual([100, 0])
    expect(abortListeners(controller.signal)).toBe(0)
    await clock.runAll()
    expect(clock.now()).toBe(0)
  })

  it('aborts 100,000 sleeps on one signal without scanning the sleeps left for each', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const n = 100_000
    const outcomes: Array<string> = []
    const aborted = Array.from({ length: n }, (_, i) =>
      clock.sleep(1 + ((i * 7_919) % 1_000), controller.signal).catch((reason: string) => outcomes.push(reason))
    )
    // 1,000 sleeps without the signal, asked for in between, must still wake in order
    const woken: Array<string> = []
    for (let i = 0; i < 1_000; i++) {
      const ms = 1 + ((i * 104_729) % 1_000)
      void clock.sleep(ms).then(() => woken.push(`${i}@${clock.now()}`))
    }
    // the work: every element of every array scanned by a linear array method while the signal aborts
    let scanned = 0
    const linear = ['indexOf', 'lastIndexOf', 'includes', 'findIndex', 'splice', 'shift', 'unshift', 'slice', 'filter']
    const prototype = Array.prototype as unknown as Record<string, (...args: Array<unknown>) => unknown>
    const spies = linear.map((method) => {
      const original = prototype[method]
      return vi.spyOn(prototype, method).mockImplementation(function (this: Array<unknown>, ...args) {
        scanned += this.length
        return original.apply(this, args)
      })
    })
    try {
      controller.abort('stop')
    } finally {
      spies.forEach((spy) => spy.mockRestore())
    }
    // a splice per aborted sleep scans about n^2 / 2 = 5,000,000,000 elements
    expect(scanned).toBeLessThanOrEqual(n)
    await Promise.all(aborted)
    expect(outcomes.length).toBe(n)
    expect(outcomes.every((reason) => reason === 'stop')).toBe(true)
    expect(abortListeners(controller.signal)).toBe(0)
    await clock.runAll()
    const expected = Array.from({ length: 1_000 }, (_, i) => ({ i, ms: 1 + ((i * 104_729) % 1_000) }))
      .sort((a, b) => a.ms - b.ms || a.i - b.i)
      .map(({ i, ms }) => `${i}@${ms}`)
    expect(woken).toEqual(expected)
  }, 30_000)

  it('wakes what is left in order of wake time, then of asking, whatever is aborted and when', async () => {
    const entry = fc.record({
      ms: fc.integer({ min: 1, max: 8 }),
      abortedAtOnce: fc.boolean(),
      // the index of another sleep this one aborts when it wakes
      abortsOnWake: fc.option(fc.nat(), { nil: undefined })
    })
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 60 }), async (entries) => {
        const clock = TestClock.make()
        const controllers = entries.map(() => new AbortController())
        const woken: Array<number> = []
        const aborted: Array<number> = []
        entries.forEach(({ ms, abortsOnWake }, i) => {
          clock.sleep(ms, controllers[i].signal).then(
            () => {
              woken.push(i)
              if (abortsOnWake !== undefined) controllers[abortsOnWake % entries.length].abort()
            },
            () => aborted.push(i)
          )
        })
        entries.forEach(({ abortedAtOnce }, i) => {
          if (abortedAtOnce) controllers[i].abort()
        })
        await clock.runAll()
        // the model: sort by wake time, then by index; a sleep is skipped once aborted
        const gone = new Set(entries.flatMap(({ abortedAtOnce }, i) => (abortedAtOnce ? [i] : [])))
        const expected: Array<number> = []
        const order = entries.map((e, i) => ({ ms: e.ms, i })).sort((a, b) => a.ms - b.ms || a.i - b.i)
        for (const { i } of order) {
          if (gone.has(i)) continue
          expected.push(i)
          gone.add(i)
          const target = entries[i].abortsOnWake
          if (target !== undefined) gone.add(target % entries.length)
        }
        expect(woken).toEqual(expected)
        expect(woken.length + aborted.length).toBe(entries.length)
      }),
      { numRuns: 100 }
    )
  })

  it('rejects with the reason, forgets the sleep and removes its listener when aborted', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const other = track(clock.sleep(200))
    const aborted = track(clock.sleep(300, controller.signal))
    expect(abortListeners(controller.signal)).toBe(1)
    controller.abort('stop')
    expect(abortListeners(controller.signal)).toBe(0)
    await nextTurn()
    expect(aborted).toEqual({ settled: true, error: 'stop' })
    expect(other.settled).toBe(false)
    await clock.runAll()
    // time stops at the remaining sleep: the aborted one is forgotten
    expect(clock.now()).toBe(200)
    expect(other.settled).toBe(true)
  })

  it('keeps the order of the other sleeps when one in the middle is aborted', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const order: Array<number> = []
    void clock.sleep(10).then(() => order.push(10))
    void clock.sleep(20, controller.signal).catch(() => order.push(-20))
    void clock.sleep(30).then(() => order.push(30))
    controller.abort()
    await clock.runAll()
    expect(order).toEqual([-20, 10, 30])
  })

  it('removes its listener when it wakes', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const promise = clock.sleep(10, controller.signal)
    await clock.adjust(10)
    await expect(promise).resolves.toBeUndefined()
    expect(abortListeners(controller.signal)).toBe(0)
    controller.abort('late')
    await expect(promise).resolves.toBeUndefined()
  })

  it('leaves no listener and raises no warning after 10,000 sequential sleeps on one signal', async () => {
    const warnings: Array<Error> = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    try {
      const clock = TestClock.make()
      const controller = new AbortController()
      const { done } = sleeper(
        clock,
        Array.from({ length: 10_000 }, () => 1),
        controller.signal
      )
      await clock.runAll()
      await done
      await nextTurn()
      expect(clock.now()).toBe(10_000)
      expect(abortListeners(controller.signal)).toBe(0)
      expect(warnings).toEqual([])
    } finally {
      process.off('warning', onWarning)
    }
  })
})

describe('without setImmediate', () => {
  it('lets work settle with zero-delay timers instead', async () => {
    vi.stubGlobal('setImmediate', undefined)
    vi.resetModules()
    const Fallback = await import('../src/TestClock')
    vi.unstubAllGlobals()
    const clock = Fallback.make()
    const log: Array<number> = []
    void (async () => {
      await clock.sleep(10)
      log.push(clock.now())
      await clock.sleep(10)
      log.push(clock.now())
    })()
    await clock.runAll()
    expect(log).toEqual([10, 20])
    // the zero-delay timers are for settling only
    expect(setTimeoutSpy.mock.calls.every((call) => call[1] === 0)).toBe(true)
    setTimeoutSpy.mockClear()
  })
})
