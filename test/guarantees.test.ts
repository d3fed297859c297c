/**
 * The runner guarantees of the contract, checked against faulty listeners, clocks, budgets and
 * schedules: each holds for `retry`, `retryWithContext`, `repeat` and their ReaderTaskEither forms.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Budget } from '../src/Budget'
import type { Clock } from '../src/Clock'
import * as RTE from '../src/ReaderTaskEither'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'
import { abortListeners, nextTurn, track, watchRunner } from './helpers'

let leaks: ReturnType<typeof watchRunner>
beforeEach(() => {
  leaks = watchRunner()
})

afterEach(async () => {
  expect(await leaks.leftBehind()).toEqual({ timers: 0, unhandled: [] })
  vi.restoreAllMocks()
})

/** A TaskEither that always fails with `error` and counts its calls. */
const failing = <E>(error: E) => {
  const calls = { count: 0 }
  const fa: TE.TaskEither<E, never> = () => {
    calls.count++
    return Promise.resolve(E.left(error))
  }
  return { fa, calls }
}

/** A clock whose sleep resolves at once (Clock's own example of a custom clock). */
const instant = (): Clock => {
  let time = 0
  return {
    now: () => time,
    sleep: (ms) => {
      time += ms
      return Promise.resolve()
    }
  }
}

/** A clock whose sleep never ends and ignores the signal. */
const deaf: Clock = { now: () => 0, sleep: () => new Promise<void>(() => undefined) }

const boom = new Error('listener failed')

// -------------------------------------------------------------------------------------
// listeners
// -------------------------------------------------------------------------------------

describe('listeners', () => {
  it.each([
    [
      'throws',
      () => {
        throw boom
      }
    ],
    ['rejects', () => Promise.reject(boom)],
    [
      'is async and throws',
      async () => {
        await Promise.resolve()
        throw boom
      }
    ]
  ])(
    'an onRetry that %s is a defect: the run rejects with its error and makes no further attempt',
    async (_, listener) => {
      const { fa, calls } = failing('503')
      const clock = TestClock.make()
      const run = track(pipe(fa, Retry.retry(S.constant(10), { clock, onRetry: listener }))())
      await clock.runAll()
      expect(run).toEqual({ settled: true, error: boom })
      expect(calls.count).toBe(1)
      expect(clock.sleeps).toEqual([])
    }
  )

  it('an onGiveUp that rejects is a defect: the run rejects, and retryOrElse does not fall back', async () => {
    const { fa } = failing('503')
    const orElse = vi.fn(() => TE.right('fallback'))
    const run = pipe(fa, Retry.retryOrElse(S.recurs(1), orElse, { onGiveUp: () => Promise.reject(boom) }))()
    await expect(run).rejects.toBe(boom)
    expect(orElse).not.toHaveBeenCalled()
  })

  it('an onRepeat that throws is a defect', async () => {
    let calls = 0
    const fa: TE.TaskEither<never, number> = () => Promise.resolve(E.right(++calls))
    const run = pipe(
      fa,
      Retry.repeat(S.recurs(5), {
        onRepeat: () => {
          throw boom
        }
      })
    )()
    await expect(run).rejects.toBe(boom)
    expect(calls).toBe(1)
  })

  it('the ReaderTaskEither runners reject the same way', async () => {
    const fa =
      (r: string): TE.TaskEither<string, never> =>
      () =>
        Promise.resolve(E.left(r))
    const run = pipe(fa, RTE.retry(S.recurs(2), { onRetry: async () => Promise.reject(boom) }))('env')()
    await expect(run).rejects.toBe(boom)
  })

  it('a listener may return a promise: the run waits for it before it sleeps and before the next attempt', async () => {
    const log: Array<string> = []
    const clock = TestClock.make()
    let attempt = 0
    const fa: TE.TaskEither<string, string> = () => {
      log.push(`attempt ${++attempt}`)
      return Promise.resolve(attempt < 3 ? E.left('503') : E.right('ok'))
    }
    const onRetry = async (event: Retry.RetryEvent<string>) => {
      log.push(`refresh ${event.attempt} started`)
      await clock.sleep(5)
      log.push(`refresh ${event.attempt} done`)
    }
    const onGiveUp = vi.fn()
    const run = pipe(fa, Retry.retry(S.constant(100), { clock, onRetry, onGiveUp }))()
    await clock.runAll()
    expect(await run).toEqual(E.right('ok'))
    expect(log).toEqual([
      'attempt 1',
      'refresh 1 started',
      'refresh 1 done',
      'attempt 2',
      'refresh 2 started',
      'refresh 2 done',
      'attempt 3'
    ])
    // the listener's own sleeps, then the run's
    expect(clock.sleeps).toEqual([5, 100, 5, 100])
    expect(onGiveUp).not.toHaveBeenCalled()
  })

  it('an async onGiveUp is awaited before the run ends', async () => {
    const log: Array<string> = []
    const { fa } = failing('503')
    const onGiveUp = async () => {
      await nextTurn()
      log.push('logged')
    }
    await pipe(fa, Retry.retry(S.stop, { onGiveUp }))()
    log.push('ended')
    expect(log).toEqual(['logged', 'ended'])
  })
})

// -------------------------------------------------------------------------------------
// starvation and abort
// -------------------------------------------------------------------------------------

describe('starvation', () => {
  it('spaced(1000) forever on a clock whose sleep resolves at once still lets a 5 ms timer abort it', async () => {
    const signal = AbortSignal.timeout(5)
    const { fa, calls } = failing('503')
    const result = await pipe(fa, Retry.retry(S.spaced(1000), { clock: instant(), signal }))()
    expect(result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('503') }))
    // no timer can fire before the first yield, after 128 attempts
    expect(calls.count).toBeGreaterThanOrEqual(128)
  })

  it('yields a macrotask turn at least once every 128 recurrences, whatever the delays and the clock', async () => {
    const immediates = vi.spyOn(globalThis, 'setImmediate')
    const { fa, calls } = failing('503')
    await pipe(fa, Retry.retry(pipe(S.spaced(1), S.maxRetries(1280)), { clock: instant() }))()
    expect(calls.count).toBe(1281)
    expect(immediates.mock.calls.length).toBeGreaterThanOrEqual(10)
  })
})

describe('abort', () => {
  it('ends the run even when the clock ignores the signal: the driver races the sleep with it', async () => {
    const controller = new AbortController()
    const { fa, calls } = failing('503')
    const run = track(pipe(fa, Retry.retry(S.constant(1000), { clock: deaf, signal: controller.signal }))())
    await nextTurn()
    expect(run.settled).toBe(false)
    controller.abort()
    await nextTurn()
    expect(run).toEqual({ settled: true, value: E.left({ _tag: 'Interrupted', lastError: O.some('503') }) })
    expect(calls.count).toBe(1)
    expect(abortListeners(controller.signal)).toBe(0)
  })

  it('no attempt starts after an abort raised by a listener, with or without a delay', async () => {
    for (const delay of [0, 10]) {
      const controller = new AbortController()
      const clock = TestClock.make()
      const { fa, calls } = failing('503')
      const run = pipe(
        fa,
        Retry.retry(S.constant(delay), { clock, signal: controller.signal, onRetry: () => controller.abort() })
      )()
      await clock.runAll()
      expect(await run).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('503') }))
      expect(calls.count).toBe(1)
      expect(clock.sleeps).toEqual([])
    }
  })
})

// -------------------------------------------------------------------------------------
// clamping
// -------------------------------------------------------------------------------------

describe('delays from a hand-written step are clamped', () => {
  const handWritten = (delay: unknown): S.Schedule<unknown, string> => ({
    initial: 0,
    step: (_input, _context, state) =>
      (state as number) < 2
        ? { _tag: 'Continue', delay: delay as number, output: 'out', state: (state as number) + 1 }
        : S.done
  })

  it.each([
    ['-5', -5, 0],
    ['NaN', NaN, 0],
    ["'20'", '20', 0],
    ['undefined', undefined, 0],
    ['Infinity', Infinity, Number.MAX_SAFE_INTEGER],
    ['1e300', 1e300, Number.MAX_SAFE_INTEGER]
  ])('a delay of %s is clamped in simulate, onRetry, totalDelay and the sleep', async (_, delay, clamped) => {
    expect(pipe(handWritten(delay), S.simulate({ steps: 5 })).map((s) => s.delay)).toEqual([clamped, clamped])
    const clock = TestClock.make()
    const delays: Array<number> = []
    const statuses: Array<Retry.RetryStatus> = []
    const { fa } = failing('503')
    const run = pipe(
      fa,
      Retry.retryOrElse(
        handWritten(delay),
        (_, status) => {
          statuses.push(status)
          return TE.left('gave up')
        },
        { clock, onRetry: (e) => void delays.push(e.delay) }
      )
    )()
    if (clamped > 0) {
      await nextTurn()
      await clock.adjust(clamped)
      await clock.adjust(clamped)
    }
    expect(await run).toEqual(E.left('gave up'))
    expect(delays).toEqual([clamped, clamped])
    expect(clock.sleeps).toEqual(clamped > 0 ? [clamped, clamped] : [])
    expect(statuses[0].totalDelay).toBe(Math.min(2 * clamped, Number.MAX_SAFE_INTEGER))
  })

  it('a step that is not a Step is a defect naming the runner', async () => {
    const broken: S.Schedule<unknown, unknown> = { initial: 0, step: () => undefined as never }
    const { fa } = failing('503')
    await expect(pipe(fa, Retry.retry(broken))()).rejects.toThrow(
      new TypeError("TaskEither.retry: the schedule's step must return a Step, got undefined")
    )
  })
})

// -------------------------------------------------------------------------------------
// synchronous throws
// -------------------------------------------------------------------------------------

describe('calling a runner never throws synchronously', () => {
  // calls the Task, checking that the call itself does not throw, and hands back its promise
  const callsSafely = (run: () => Promise<unknown>): { readonly promise: Promise<unknown> } => {
    let promise: Promise<unknown> = Promise.resolve()
    expect(() => {
      promise = run()
    }).not.toThrow()
    return { promise }
  }

  it('a TaskEither that returns something else than a promise is a defect', async () => {
    const notAPromise = (() => E.left('503')) as unknown as TE.TaskEither<string, never>
    const run = callsSafely(pipe(notAPromise, Retry.retry(S.recurs(3))))
    await expect(run.promise).rejects.toThrow(
      new TypeError('TaskEither.retry: the TaskEither must return a promise, got object')
    )
  })

  it('a TaskEither that returns a non-promise on a later attempt is a defect too', async () => {
    let calls = 0
    const fa = (() => (++calls === 1 ? Promise.resolve(E.left('503')) : 42)) as unknown as TE.TaskEither<string, never>
    await expect(pipe(fa, Retry.retry(S.recurs(3)))()).rejects.toThrow(/must return a promise, got 42/)
    expect(calls).toBe(2)
  })

  it('a clock whose now throws', async () => {
    const clock: Clock = {
      now: () => {
        throw boom
      },
      sleep: () => Promise.resolve()
    }
    const { fa, calls } = failing('503')
    // a schedule that reads the start: the clock is read before the first attempt
    const run = callsSafely(pipe(fa, Retry.retry(pipe(S.recurs(3), S.maxElapsed(1000)), { clock })))
    await expect(run.promise).rejects.toBe(boom)
    expect(calls.count).toBe(0)
  })

  it('a budget whose onRequest throws', async () => {
    const budget: Budget = {
      onRequest: () => {
        throw boom
      },
      onSuccess: () => undefined,
      onFailure: () => undefined,
      tryRetry: () => true,
      stats: () => ({ requests: 0, successes: 0, failures: 0, retries: 0, denied: 0, balance: 0 })
    } as unknown as Budget
    const { fa, calls } = failing('503')
    const run = callsSafely(pipe(fa, Retry.retry(S.recurs(3), { budget })))
    await expect(run.promise).rejects.toBe(boom)
    expect(calls.count).toBe(0)
  })

  it('a sleep that throws under attemptTimeout: a rejection, and no listener left on the signal', async () => {
    const controller = new AbortController()
    const clock: Clock = {
      now: () => 0,
      sleep: () => {
        throw boom
      }
    }
    const attemptSignals: Array<AbortSignal> = []
    const run = callsSafely(
      Retry.retryWithContext(S.recurs(3), {
        clock,
        signal: controller.signal,
        attemptTimeout: 100
      })(({ signal }) => {
        attemptSignals.push(signal)
        return TE.left('503')
      })
    )
    await expect(run.promise).rejects.toBe(boom)
    expect(abortListeners(controller.signal)).toBe(0)
    // the attempt that was running is told to stop
    expect(attemptSignals.map((s) => s.aborted)).toEqual([true])
  })

  it('a sleep that rejects under attemptTimeout: a rejection, the attempt told to stop, no listener left', async () => {
    const controller = new AbortController()
    const clock: Clock = { now: () => 0, sleep: () => Promise.reject(boom) }
    const attemptSignals: Array<AbortSignal> = []
    const run = callsSafely(
      Retry.retryWithContext(S.recurs(3), { clock, signal: controller.signal, attemptTimeout: 100 })(({ signal }) => {
        attemptSignals.push(signal)
        // an attempt still running when the timer's sleep fails
        return () => new Promise<E.Either<string, never>>(() => undefined)
      })
    )
    await expect(run.promise).rejects.toBe(boom)
    expect(abortListeners(controller.signal)).toBe(0)
    expect(attemptSignals.map((s) => [s.aborted, s.reason])).toEqual([[true, boom]])
  })

  it('a sleep that throws between attempts: a rejection, and no listener left on the signal', async () => {
    const controller = new AbortController()
    const clock: Clock = {
      now: () => 0,
      sleep: () => {
        throw boom
      }
    }
    const { fa, calls } = failing('503')
    await expect(pipe(fa, Retry.retry(S.constant(10), { clock, signal: controller.signal }))()).rejects.toBe(boom)
    expect(calls.count).toBe(1)
    expect(abortListeners(controller.signal)).toBe(0)
  })
})
