import { getEventListeners } from 'node:events'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import type { Budget } from '../src/Budget'
import * as Clock from '../src/Clock'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'
import { failing, nextTurn, track, watchTimers } from './helpers'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const alwaysFailing = <E>(error: E) => {
  let calls = 0
  const fa: TE.TaskEither<E, never> = () => {
    calls++
    return Promise.resolve(E.left(error))
  }
  return { fa, calls: () => calls }
}

let timers: ReturnType<typeof watchTimers>
beforeEach(() => {
  timers = watchTimers()
})
afterEach(async () => {
  await nextTurn()
  // no timer set during a test is left behind by it
  expect(timers.pending.size).toBe(0)
  vi.restoreAllMocks()
})

// -------------------------------------------------------------------------------------
// retry
// -------------------------------------------------------------------------------------

describe('retry', () => {
  it('recurs(3) makes exactly 4 attempts and ends with the last Left', async () => {
    let calls = 0
    const fa: TE.TaskEither<string, never> = () => Promise.resolve(E.left(`error ${++calls}`))
    expect(await pipe(fa, Retry.retry(S.recurs(3)))()).toEqual(E.left('error 4'))
    expect(calls).toBe(4)
  })

  it('a Right at any attempt ends the run at once', async () => {
    const first = failing([], 'ok')
    expect(await pipe(first.fa, Retry.retry(S.recurs(3)))()).toEqual(E.right('ok'))
    expect(first.calls()).toBe(1)
    const third = failing(['a', 'b'], 'ok')
    expect(await pipe(third.fa, Retry.retry(S.recurs(3)))()).toEqual(E.right('ok'))
    expect(third.calls()).toBe(3)
  })

  it('whileInput(isTransient) stops at the first non-transient error', async () => {
    const isTransient = (status: number) => status >= 500
    const { fa, calls } = failing([503, 502, 404, 503], 'ok')
    const policy = pipe(S.forever, S.whileInput(isTransient))
    expect(await pipe(fa, Retry.retry(policy))()).toEqual(E.left(404))
    expect(calls()).toBe(3)
  })

  it('one policy value serves concurrent runs, each from its initial state', async () => {
    const clock = TestClock.make()
    const resilient = Retry.retry(pipe(S.exponential(10), S.maxRetries(3)), { clock })
    const runs = Array.from({ length: 20 }, () => alwaysFailing('x'))
    const results = Promise.all(runs.map((r) => pipe(r.fa, resilient)()))
    await clock.runAll()
    expect(await results).toEqual(runs.map(() => E.left('x')))
    expect(runs.map((r) => r.calls())).toEqual(runs.map(() => 4))
    // each run slept 10, 20, 40
    expect(clock.sleeps.filter((d) => d === 40)).toHaveLength(20)
  })

  it('runs the schedule on the injected clock: exponential(1000) with 10 retries in milliseconds', async () => {
    const clock = TestClock.make()
    const { fa, calls } = alwaysFailing('down')
    const result = pipe(fa, Retry.retry(pipe(S.exponential(1000), S.maxRetries(10)), { clock }))()
    await clock.runAll()
    expect(await result).toEqual(E.left('down'))
    // 17 minutes of virtual time, and not one real timer
    expect(timers.delays).toEqual([])
    expect(calls()).toBe(11)
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000])
    expect(clock.now()).toBe(1023000)
  })

  it('passes the injected random source to the schedule', async () => {
    const clock = TestClock.make()
    const { fa } = alwaysFailing('x')
    const result = pipe(
      fa,
      Retry.retry(pipe(S.constant(1000), S.fullJitter, S.maxRetries(2)), { clock, random: () => 0.25 })
    )()
    await clock.runAll()
    await result
    expect(clock.sleeps).toEqual([250, 250])
  })

  it('onRetry receives { attempt, error, delay, elapsed, output } before each sleep, in order', async () => {
    const clock = TestClock.make(500)
    const events: Array<Retry.RetryEvent<unknown>> = []
    const sleepsAtEvent: Array<number> = []
    const { fa } = failing(['a', 'b', 'c'], 'ok')
    const result = pipe(
      fa,
      Retry.retry(S.exponential(100), {
        clock,
        onRetry: (event) => {
          events.push(event)
          sleepsAtEvent.push(clock.sleeps.length)
        }
      })
    )()
    await clock.runAll()
    expect(await result).toEqual(E.right('ok'))
    expect(events).toEqual([
      { attempt: 1, error: 'a', delay: 100, elapsed: 0, output: 100 },
      { attempt: 2, error: 'b', delay: 200, elapsed: 100, output: 200 },
      { attempt: 3, error: 'c', delay: 400, elapsed: 300, output: 400 }
    ])
    // each event comes before its sleep
    expect(sleepsAtEvent).toEqual([0, 1, 2])
  })

  it('elapsed counts from the start of the first attempt, including attempt time', async () => {
    const clock = TestClock.make()
    const seen: Array<number> = []
    const slow: TE.TaskEither<string, never> = () => clock.sleep(30).then(() => E.left('slow'))
    const result = pipe(
      slow,
      Retry.retry(pipe(S.constant(100), S.maxElapsed(300)), { clock, onRetry: (e) => seen.push(e.elapsed) })
    )()
    await clock.runAll()
    expect(await result).toEqual(E.left('slow'))
    // decisions at 30 and 160; at 290 another 100 ms would pass the deadline
    expect(seen).toEqual([30, 160])
  })

  it('a rejected promise is a defect: not retried, and the rejection reaches the caller unchanged', async () => {
    const defect = new TypeError('undefined is not a function')
    let calls = 0
    const broken: TE.TaskEither<string, number> = () => {
      calls++
      return Promise.reject(defect)
    }
    await expect(pipe(broken, Retry.retry(S.recurs(5)))()).rejects.toBe(defect)
    expect(calls).toBe(1)
    // also after a failure, in the loop
    calls = 0
    const laterBroken: TE.TaskEither<string, number> = () =>
      ++calls === 1 ? Promise.resolve(E.left('503')) : Promise.reject(defect)
    await expect(pipe(laterBroken, Retry.retry(S.recurs(5)))()).rejects.toBe(defect)
    expect(calls).toBe(2)
  })

  it('a TaskEither that throws instead of returning a promise is a defect: a rejection, not retried, no timer left', async () => {
    const defect = new Error('thrown synchronously')
    let calls = 0
    const throwing: TE.TaskEither<string, number> = () => {
      calls++
      throw defect
    }
    await expect(pipe(throwing, Retry.retry(S.recurs(3)))()).rejects.toBe(defect)
    await expect(pipe(throwing, Retry.retry(S.recurs(3), { attemptTimeout: 60_000 }))()).rejects.toBe(defect)
    // also after a failure, in the loop
    let n = 0
    const laterThrowing: TE.TaskEither<string, number> = () => {
      calls++
      if (n++ === 0) return Promise.resolve(E.left('503'))
      throw defect
    }
    await expect(pipe(laterThrowing, Retry.retry(S.recurs(3)))()).rejects.toBe(defect)
    expect(calls).toBe(4)
    // afterEach checks that no timer is left
  })

  it('a clock whose sleep fails for another reason than an abort propagates that failure', async () => {
    const boom = new Error('clock broke')
    const clock: Clock.Clock = { now: () => 0, sleep: () => Promise.reject(boom) }
    await expect(pipe(alwaysFailing('x').fa, Retry.retry(S.constant(10), { clock }))()).rejects.toBe(boom)
  })
})

// -------------------------------------------------------------------------------------
// zero delays
// -------------------------------------------------------------------------------------

describe('the happy path', () => {
  // a clock that counts how often it is read
  const counting = () => {
    const clock = TestClock.make()
    const reads = { count: 0 }
    return { reads, clock: { ...clock, now: () => (reads.count++, clock.now()) } }
  }
  const ok: TE.TaskEither<string, string> = () => Promise.resolve(E.right('ok'))

  it('a first attempt that succeeds reads no clock when nothing can observe the start', async () => {
    const { clock, reads } = counting()
    const policy = pipe(
      S.exponential(100),
      S.jittered,
      S.capDelay(5000),
      S.whileInput(() => true),
      S.maxRetries(5)
    )
    expect(await pipe(ok, Retry.retry(policy, { clock }))()).toEqual(E.right('ok'))
    expect(reads.count).toBe(0)
  })

  it.each([
    ['a schedule that reads the start (maxElapsed)', pipe(S.exponential(100), S.maxElapsed(1000)), {}],
    ['a schedule written with make', S.make(0, () => S.done), {}],
    ['a listener', S.recurs(3), { onRetry: () => undefined }],
    ['an onGiveUp', S.recurs(3), { onGiveUp: () => undefined }]
  ] as const)('with %s, the clock is read once, when the first attempt starts', async (_, policy, options) => {
    const { clock, reads } = counting()
    expect(await pipe(ok, Retry.retry(policy as S.Schedule<unknown, unknown>, { clock, ...options }))()).toEqual(
      E.right('ok')
    )
    expect(reads.count).toBe(1)
  })

  it('elapsed still counts from the start of the first attempt wherever it can be observed', async () => {
    const clock = TestClock.make()
    const elapsed: Array<number> = []
    let calls = 0
    const slow: TE.TaskEither<string, string> = async () => {
      await clock.sleep(30)
      return ++calls < 3 ? E.left('busy') : E.right('ok')
    }
    const policy = pipe(
      S.constant(100),
      S.elapsed,
      S.tapOutput((e) => () => void elapsed.push(e))
    )
    const run = pipe(slow, Retry.retry(policy, { clock }))()
    await clock.runAll()
    expect(await run).toEqual(E.right('ok'))
    expect(elapsed).toEqual([30, 160])
  })
})

describe('zero delays', () => {
  it('touch no timer', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const { fa, calls } = alwaysFailing('x')
    expect(await pipe(fa, Retry.retry(S.recurs(1000)))()).toEqual(E.left('x'))
    expect(calls()).toBe(1001)
    expect(spy).not.toHaveBeenCalled()
  })

  it('100,000 zero-delay retries complete without a stack overflow', async () => {
    const { fa, calls } = failing(
      Array.from({ length: 100_000 }, () => 'x'),
      'done'
    )
    expect(await pipe(fa, Retry.retry(S.forever))()).toEqual(E.right('done'))
    expect(calls()).toBe(100_001)
    // no timer at all: a zero delay never touches one
    expect(timers.delays).toEqual([])
  })

  it('a forever zero-delay retry still lets timers run: AbortSignal.timeout(50) ends it', async () => {
    const { fa } = alwaysFailing('x')
    // without a yield to the event loop, the timer could never fire and this would never settle
    const result = await pipe(fa, Retry.retry(S.forever, { signal: AbortSignal.timeout(50) }))()
    expect(result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('x') }))
  })
})

// -------------------------------------------------------------------------------------
// abort
// -------------------------------------------------------------------------------------

describe('abort', () => {
  it('an already-aborted signal runs no attempt', async () => {
    const { fa, calls } = alwaysFailing('x')
    const controller = new AbortController()
    controller.abort()
    const result = await pipe(fa, Retry.retry(S.recurs(3), { signal: controller.signal }))()
    expect(result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.none }))
    expect(calls()).toBe(0)
  })

  it('aborting during a sleep settles within one event-loop turn, with the last error, no timer and no listener', async () => {
    const controller = new AbortController()
    const { fa, calls } = alwaysFailing('503')
    let settled: E.Either<unknown, unknown> | undefined
    void pipe(fa, Retry.retry(S.constant(60_000), { signal: controller.signal }))().then((r) => {
      settled = r
    })
    await nextTurn()
    expect(calls()).toBe(1)
    expect(timers.delays).toEqual([60_000])
    expect(timers.pending.size).toBe(1)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1)
    controller.abort()
    await nextTurn()
    expect(settled).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('503') }))
    expect(Retry.isInterrupted(settled && E.isLeft(settled) ? settled.left : undefined)).toBe(true)
    expect(timers.pending.size).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    expect(calls()).toBe(1)
  })

  it('an attempt in flight when the signal aborts is awaited: a success is returned', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const slowSuccess: TE.TaskEither<string, string> = () => clock.sleep(100).then(() => E.right('late but fine'))
    const result = pipe(slowSuccess, Retry.retry(S.recurs(3), { clock, signal: controller.signal }))()
    await clock.adjust(50)
    controller.abort()
    await clock.runAll()
    expect(await result).toEqual(E.right('late but fine'))
  })

  it('an attempt in flight when the signal aborts is awaited: a failure ends as Interrupted', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    let calls = 0
    const slowFailure: TE.TaskEither<string, string> = () => {
      calls++
      return clock.sleep(100).then(() => E.left('failed'))
    }
    const result = pipe(slowFailure, Retry.retry(S.recurs(3), { clock, signal: controller.signal }))()
    await clock.adjust(50)
    controller.abort()
    await clock.runAll()
    expect(await result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('failed') }))
    expect(calls).toBe(1)
  })

  it('one AbortSignal reused by 10,000 sequential retries leaves no listener and raises no warning', async () => {
    const warnings: Array<Error> = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const controller = new AbortController()
      const clock = TestClock.make()
      const resilient = Retry.retry(pipe(S.constant(5), S.maxRetries(1)), { clock, signal: controller.signal })
      for (let i = 0; i < 10_000; i++) {
        const { fa } = failing(['x'], i)
        const result = pipe(fa, resilient)()
        await clock.runAll()
        expect(await result).toEqual(E.right(i))
      }
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
      await nextTurn()
      expect(warnings).toEqual([])
    } finally {
      process.off('warning', onWarning)
    }
  }, 30_000)

  it('one signal shared by 1,000 concurrent sleeping runs holds one listener and raises no warning', async () => {
    const warnings: Array<Error> = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const controller = new AbortController()
      const resilient = Retry.retry(S.constant(60_000), { signal: controller.signal })
      const runs = Array.from({ length: 1000 }, (_, i) => pipe(alwaysFailing(i).fa, resilient)())
      await nextTurn()
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1)
      const states = runs.map(track)
      controller.abort()
      // every run settles within one turn of the event loop after the abort
      await nextTurn()
      expect(states.every((state) => state.settled)).toBe(true)
      const results = await Promise.all(runs)
      expect(
        results.every(
          (r, i) =>
            E.isLeft(r) && Retry.isInterrupted(r.left) && O.isSome(r.left.lastError) && r.left.lastError.value === i
        )
      ).toBe(true)
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
      await nextTurn()
      expect(warnings).toEqual([])
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('a live sleep longer than 2^31 - 1 ms does not fire early: aborted after 50 ms, one attempt ran', async () => {
    const { fa, calls } = alwaysFailing('x')
    const result = await pipe(fa, Retry.retry(S.constant(2 ** 31 + 10_000), { signal: AbortSignal.timeout(50) }))()
    expect(calls()).toBe(1)
    expect(result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('x') }))
  })
})

// -------------------------------------------------------------------------------------
// attempt timeout and retryWithContext
// -------------------------------------------------------------------------------------

describe('retryWithContext and attemptTimeout', () => {
  it('the computation sees its attempt number and a signal', async () => {
    const seen: Array<[number, boolean]> = []
    const program = Retry.retryWithContext(S.recurs(3))(({ attempt, signal }) => {
      seen.push([attempt, signal instanceof AbortSignal && !signal.aborted])
      return attempt < 3 ? TE.left('busy') : TE.right(attempt)
    })
    expect(await program()).toEqual(E.right(3))
    expect(seen).toEqual([
      [1, true],
      [2, true],
      [3, true]
    ])
  })

  it("each attempt sees the previous attempt's error as lastError: none first, then some, even of undefined", async () => {
    const seen: Array<O.Option<string | undefined>> = []
    const errors = ['timeout', undefined, 'reset']
    // the context is annotated to type lastError: TypeScript cannot infer it from what the attempt returns
    const program = Retry.retryWithContext(S.recurs(3))(
      ({ attempt, lastError }: Retry.AttemptContext<string | undefined>) => {
        seen.push(lastError)
        return attempt <= errors.length ? TE.left(errors[attempt - 1]) : TE.right('ok')
      }
    )
    expect(await program()).toEqual(E.right('ok'))
    expect(seen).toEqual([O.none, O.some('timeout'), O.some(undefined), O.some('reset')])
  })

  it('lastError lets an attempt re-send only what failed', async () => {
    // a batch of ids: each attempt sends what the previous one reported as failed
    const sent: Array<ReadonlyArray<number>> = []
    const flaky = new Set([2, 3])
    const program = Retry.retryWithContext(S.recurs(3))(
      ({ lastError }: Retry.AttemptContext<ReadonlyArray<number>>) => {
        const batch = O.isSome(lastError) ? lastError.value : [1, 2, 3, 4]
        sent.push(batch)
        const failed = batch.filter((id) => flaky.has(id))
        flaky.delete(failed[failed.length - 1])
        return failed.length > 0 ? TE.left(failed) : TE.right(sent.length)
      }
    )
    expect(await program()).toEqual(E.right(3))
    expect(sent).toEqual([[1, 2, 3, 4], [2, 3], [2]])
  })

  it('the attempt signal aborts when the whole run is aborted', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    let attemptSignal: AbortSignal | undefined
    const program = Retry.retryWithContext(S.recurs(3), { clock, signal: controller.signal })(({ signal }) => () => {
      attemptSignal = signal
      return clock.sleep(1000, signal).then(
        () => E.right('done'),
        () => E.left('cancelled')
      )
    })
    const result = program()
    await clock.adjust(10)
    controller.abort('shutdown')
    await clock.runAll()
    expect(attemptSignal?.aborted).toBe(true)
    expect(await result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('cancelled') }))
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('attemptTimeout aborts the attempt signal and counts the attempt as failed with AttemptTimeout', async () => {
    const clock = TestClock.make()
    const signals: Array<AbortSignal> = []
    const errors: Array<unknown> = []
    const program = Retry.retryWithContext(S.recurs(2), {
      clock,
      attemptTimeout: 100,
      onRetry: (e) => errors.push(e.error)
    })(({ attempt, signal }) => () => {
      signals.push(signal)
      // the first two attempts hang until aborted, the third answers in 10 ms
      return clock.sleep(attempt < 3 ? 1_000_000 : 10, signal).then(
        () => E.right(`attempt ${attempt}`),
        () => E.left('aborted')
      )
    })
    const result = program()
    await clock.runAll()
    expect(await result).toEqual(E.right('attempt 3'))
    expect(errors).toEqual([
      { _tag: 'AttemptTimeout', attempt: 1, timeout: 100 },
      { _tag: 'AttemptTimeout', attempt: 2, timeout: 100 }
    ])
    expect(errors.every(Retry.isAttemptTimeout)).toBe(true)
    expect(signals.map((s) => s.aborted)).toEqual([true, true, false])
    expect(clock.now()).toBe(210)
  })

  it('attemptTimeout with plain retry: a hanging attempt is abandoned and the last error is the timeout', async () => {
    const clock = TestClock.make()
    let calls = 0
    const hanging: TE.TaskEither<string, never> = () => {
      calls++
      return new Promise(() => undefined)
    }
    const result = pipe(hanging, Retry.retry(S.recurs(2), { clock, attemptTimeout: 50 }))()
    await clock.runAll()
    expect(await result).toEqual(E.left({ _tag: 'AttemptTimeout', attempt: 3, timeout: 50 }))
    expect(calls).toBe(3)
  })

  it('an attempt that answers in time clears its timeout', async () => {
    const { fa } = failing(['x'], 'ok')
    const result = await pipe(fa, Retry.retry(S.recurs(2), { attemptTimeout: 60_000 }))()
    expect(result).toEqual(E.right('ok'))
    // afterEach checks that no timer is left
  })

  it('a defect under attemptTimeout still propagates, and a late defect after a timeout is swallowed', async () => {
    const defect = new Error('bug')
    await expect(
      pipe(
        (() => Promise.reject(defect)) as TE.TaskEither<string, never>,
        Retry.retry(S.recurs(2), { attemptTimeout: 1000 })
      )()
    ).rejects.toBe(defect)
    const clock = TestClock.make()
    const late: TE.TaskEither<string, never> = () => clock.sleep(100).then(() => Promise.reject(defect))
    const result = pipe(late, Retry.retry(S.stop, { clock, attemptTimeout: 10 }))()
    await clock.runAll()
    expect(await result).toEqual(E.left({ _tag: 'AttemptTimeout', attempt: 1, timeout: 10 }))
  })

  it('an abort from onRetry before a zero-delay attempt: no further attempt starts', async () => {
    const controller = new AbortController()
    const seen: Array<boolean> = []
    const program = Retry.retryWithContext(S.recurs(3), {
      signal: controller.signal,
      attemptTimeout: 1000,
      onRetry: () => controller.abort('stop')
    })(({ signal }) => {
      seen.push(signal.aborted)
      return TE.left('busy')
    })
    expect(await program()).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('busy') }))
    expect(seen).toEqual([false])
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('abort during an attempt under attemptTimeout reaches the attempt and removes every listener', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const program = Retry.retryWithContext(S.recurs(3), { clock, signal: controller.signal, attemptTimeout: 1000 })(
      ({ signal }) =>
        () =>
          clock.sleep(500, signal).then(
            () => E.right('done'),
            (reason) => E.left(`aborted: ${String(reason)}`)
          )
    )
    const result = program()
    await clock.adjust(10)
    controller.abort('stop')
    await clock.runAll()
    expect(await result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('aborted: stop') }))
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })
})

// -------------------------------------------------------------------------------------
// retryOrElse, retryK, repeat
// -------------------------------------------------------------------------------------

describe('retryOrElse', () => {
  it('hands the last error and the status to the fallback', async () => {
    const clock = TestClock.make()
    const seen: Array<[string, Retry.RetryStatus]> = []
    const { fa } = failing(['a', 'b', 'c', 'd'], 'ok')
    const result = pipe(
      fa,
      Retry.retryOrElse(
        pipe(S.constant(100), S.maxRetries(2)),
        (error: string, status) => {
          seen.push([error, status])
          return TE.right('fallback')
        },
        { clock }
      )
    )()
    await clock.runAll()
    expect(await result).toEqual(E.right('fallback'))
    expect(seen).toEqual([['c', { attempts: 3, totalDelay: 200, elapsed: 200, stoppedBy: 'schedule' }]])
  })

  it('onGiveUp receives the status and the last error when the schedule or the budget stops the run', async () => {
    const events: Array<Retry.GiveUpEvent<unknown>> = []
    const onGiveUp = (e: Retry.GiveUpEvent<unknown>) => events.push(e)
    const { fa } = alwaysFailing('503')
    expect(await pipe(fa, Retry.retry(S.recurs(2), { onGiveUp }))()).toEqual(E.left('503'))
    const denyAll: Budget = { onRequest: () => {}, onSuccess: () => {}, onFailure: () => {}, tryRetry: () => false }
    expect(await pipe(fa, Retry.retry(S.recurs(2), { onGiveUp, budget: denyAll }))()).toEqual(E.left('503'))
    expect(await pipe(failing(['x'], 'ok').fa, Retry.retry(S.recurs(2), { onGiveUp }))()).toEqual(E.right('ok'))
    expect(events).toEqual([
      { attempts: 3, totalDelay: 0, elapsed: expect.any(Number), stoppedBy: 'schedule', error: '503' },
      { attempts: 1, totalDelay: 0, elapsed: expect.any(Number), stoppedBy: 'budget', error: '503' }
    ])
    expect(() => Retry.retry(S.recurs(1), { onGiveUp: 3 as never })).toThrow(
      /TaskEither.retry: onGiveUp must be a function/
    )
  })

  it('is not called when an attempt succeeds', async () => {
    const orElse = vi.fn(() => TE.right('fallback'))
    const { fa } = failing(['a'], 'ok')
    expect(await pipe(fa, Retry.retryOrElse(S.recurs(2), orElse))()).toEqual(E.right('ok'))
    expect(orElse).not.toHaveBeenCalled()
  })
})

describe('retryK', () => {
  it('keeps the parameter and result types and binds the arguments per call', async () => {
    const calls: Array<[string, number]> = []
    const fetchPage = (url: string, page: number): TE.TaskEither<'timeout', ReadonlyArray<string>> => {
      return () => {
        calls.push([url, page])
        return Promise.resolve(calls.length % 2 === 1 ? E.left('timeout' as const) : E.right([`${url}?page=${page}`]))
      }
    }
    const fetchWithRetry = Retry.retryK(S.recurs(2))(fetchPage)
    expectTypeOf(fetchWithRetry).toEqualTypeOf<
      (url: string, page: number) => TE.TaskEither<'timeout', ReadonlyArray<string>>
    >()
    expect(await fetchWithRetry('/a', 1)()).toEqual(E.right(['/a?page=1']))
    expect(await fetchWithRetry('/b', 2)()).toEqual(E.right(['/b?page=2']))
    expect(calls).toEqual([
      ['/a', 1],
      ['/a', 1],
      ['/b', 2],
      ['/b', 2]
    ])
  })
})

describe('repeat', () => {
  it('repeat(recurs(2)) runs 3 times and returns the last value', async () => {
    let n = 0
    const count: TE.TaskEither<string, number> = () => Promise.resolve(E.right(++n))
    expect(await pipe(count, Retry.repeat(S.recurs(2)))()).toEqual(E.right(3))
    expect(n).toBe(3)
  })

  it('stops at the first Left', async () => {
    let n = 0
    const count: TE.TaskEither<string, number> = () => Promise.resolve(++n === 2 ? E.left('stop') : E.right(n))
    expect(await pipe(count, Retry.repeat(S.recurs(5)))()).toEqual(E.left('stop'))
    expect(n).toBe(2)
  })

  it('steps the schedule with each value and reports onRepeat events', async () => {
    const clock = TestClock.make()
    let progress = 0
    const poll: TE.TaskEither<string, number> = () => Promise.resolve(E.right((progress += 40)))
    const events: Array<Retry.RepeatEvent<number>> = []
    const result = pipe(
      poll,
      Retry.repeat(
        pipe(
          S.constant(1000),
          S.untilInput((p: number) => p >= 100)
        ),
        {
          clock,
          onRepeat: (e) => events.push(e)
        }
      )
    )()
    await clock.runAll()
    expect(await result).toEqual(E.right(120))
    expect(events).toEqual([
      { attempt: 1, value: 40, delay: 1000, elapsed: 0, output: 0 },
      { attempt: 2, value: 80, delay: 1000, elapsed: 1000, output: 1 }
    ])
  })

  it('an abort during the sleep ends with Interrupted and no last error', async () => {
    const controller = new AbortController()
    const result = pipe(TE.right(1), Retry.repeat(S.constant(60_000), { signal: controller.signal }))()
    await nextTurn()
    controller.abort()
    expect(await result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.none }))
  })

  it('an abort noticed after a value ends with Interrupted', async () => {
    const controller = new AbortController()
    const tick: TE.TaskEither<string, number> = () => {
      controller.abort()
      return Promise.resolve(E.right(1))
    }
    expect(await pipe(tick, Retry.repeat(S.forever, { signal: controller.signal }))()).toEqual(
      E.left({ _tag: 'Interrupted', lastError: O.none })
    )
  })

  it('a zero-delay forever repeat yields and can be aborted', async () => {
    const result = await pipe(TE.right(1), Retry.repeat(S.forever, { signal: AbortSignal.timeout(30) }))()
    expect(result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.none }))
  })
})

// -------------------------------------------------------------------------------------
// budget
// -------------------------------------------------------------------------------------

describe('budget', () => {
  const counting = (allowed: number) => {
    const log: Array<string> = []
    let left = allowed
    const budget: Budget = {
      onRequest: () => log.push('request'),
      onSuccess: () => log.push('success'),
      onFailure: () => log.push('failure'),
      tryRetry: () => {
        log.push('try')
        return left-- > 0
      }
    }
    return { budget, log }
  }

  it('is told of each request, success and failure, and asked before each retry', async () => {
    const { budget, log } = counting(10)
    const { fa } = failing(['a', 'b'], 'ok')
    expect(await pipe(fa, Retry.retry(S.recurs(5), { budget }))()).toEqual(E.right('ok'))
    expect(log).toEqual(['request', 'failure', 'try', 'failure', 'try', 'success'])
  })

  it('a denied retry ends the run with the last error, and the status says so', async () => {
    const { budget } = counting(1)
    const { fa, calls } = alwaysFailing('503')
    expect(await pipe(fa, Retry.retry(S.recurs(5), { budget }))()).toEqual(E.left('503'))
    expect(calls()).toBe(2)
    const statuses: Array<Retry.RetryStatus> = []
    const other = counting(0)
    await pipe(
      fa,
      Retry.retryOrElse(
        S.recurs(5),
        (_, status) => {
          statuses.push(status)
          return TE.left('gave up')
        },
        { budget: other.budget }
      )
    )()
    expect(statuses.map((s) => [s.attempts, s.stoppedBy])).toEqual([[1, 'budget']])
  })

  it('is not used by repeat', async () => {
    const { budget, log } = counting(0)
    const options = { budget } as Retry.RepeatOptions<number>
    expect(await pipe(TE.right(1), Retry.repeat(S.recurs(2), options))()).toEqual(E.right(1))
    expect(log).toEqual([])
  })
})

// -------------------------------------------------------------------------------------
// validation and types
// -------------------------------------------------------------------------------------

describe('validation', () => {
  it('rejects bad options when the runner is built, naming the function and the option', () => {
    expect(() => Retry.retry(S.recurs(1), { attemptTimeout: -1 })).toThrow(
      new RangeError('TaskEither.retry: attemptTimeout must be a finite number of milliseconds above 0, got -1')
    )
    expect(() => Retry.retry(S.recurs(1), { attemptTimeout: NaN })).toThrow(RangeError)
    expect(() => Retry.retry(S.recurs(1), { attemptTimeout: 0 })).toThrow(
      new RangeError('TaskEither.retry: attemptTimeout must be a finite number of milliseconds above 0, got 0')
    )
    expect(() => Retry.retry(S.recurs(1), { attemptTimeout: '5' as never })).toThrow(
      new TypeError('TaskEither.retry: attemptTimeout must be a finite number of milliseconds above 0, got string 5')
    )
    expect(() => Retry.retry(S.recurs(1), { onRetry: 1 as never })).toThrow(
      /TaskEither.retry: onRetry must be a function/
    )
    expect(() => Retry.retry(S.recurs(1), { random: 'x' as never })).toThrow(
      /TaskEither.retry: random must be a function/
    )
    expect(() => Retry.retry(S.recurs(1), { clock: {} as never })).toThrow(
      /TaskEither.retry: clock.now must be a function/
    )
    expect(() => Retry.retry(S.recurs(1), { signal: {} as never })).toThrow(
      /TaskEither.retry: signal must be an AbortSignal/
    )
    expect(() => Retry.retry(S.recurs(1), { budget: {} as never })).toThrow(
      /TaskEither.retry: budget.onRequest must be a function/
    )
    expect(() => Retry.retry(S.recurs(1), 5 as never)).toThrow(/TaskEither.retry: options must be an object/)
    expect(() => Retry.retry({} as never)).toThrow(/TaskEither.retry: schedule must be a Schedule/)
    expect(() => Retry.retry(null as never)).toThrow(/TaskEither.retry: schedule must be a Schedule/)
    expect(() => Retry.retryOrElse(S.recurs(1), 'x' as never)).toThrow(
      /TaskEither.retryOrElse: orElse must be a function/
    )
    expect(() => Retry.retryK(S.recurs(1))('x' as never)).toThrow(/TaskEither.retryK: f must be a function/)
    expect(() => Retry.retryWithContext(S.recurs(1))('x' as never)).toThrow(
      /TaskEither.retryWithContext: f must be a function/
    )
    expect(() => Retry.repeat(S.recurs(1), { onRepeat: 'x' as never })).toThrow(
      /TaskEither.repeat: onRepeat must be a function/
    )
    expect(() => Retry.repeat(S.recurs(1), { attemptTimeout: -5 })).toThrow(/TaskEither.repeat: attemptTimeout/)
  })

  it('refinements tell library failures from user errors', () => {
    expect(Retry.isInterrupted({ _tag: 'Interrupted', lastError: O.none })).toBe(true)
    expect(Retry.isInterrupted({ _tag: 'Interrupted' })).toBe(false)
    expect(Retry.isInterrupted(null)).toBe(false)
    expect(Retry.isAttemptTimeout({ _tag: 'AttemptTimeout', attempt: 1, timeout: 5 })).toBe(true)
    expect(Retry.isAttemptTimeout({ _tag: 'Other', timeout: 5 })).toBe(false)
    expect(Retry.isAttemptTimeout(undefined)).toBe(false)
  })
})

describe('types', () => {
  interface HttpError {
    readonly status: number
  }
  const fetchUser: TE.TaskEither<HttpError, string> = TE.right('user')
  const policy = pipe(
    S.exponential(100),
    S.whileInput((e: HttpError) => e.status >= 500)
  )

  it('the error type widens only when a signal or an attempt timeout is given', () => {
    expectTypeOf(pipe(fetchUser, Retry.retry(policy))).toEqualTypeOf<TE.TaskEither<HttpError, string>>()
    expectTypeOf(pipe(fetchUser, Retry.retry(S.recurs(3), {}))).toEqualTypeOf<TE.TaskEither<HttpError, string>>()
    expectTypeOf(pipe(fetchUser, Retry.retry(policy, { signal: new AbortController().signal }))).toEqualTypeOf<
      TE.TaskEither<HttpError | Retry.Interrupted<HttpError>, string>
    >()
    expectTypeOf(pipe(fetchUser, Retry.retry(S.recurs(3), { attemptTimeout: 100 }))).toEqualTypeOf<
      TE.TaskEither<HttpError | Retry.AttemptTimeout, string>
    >()
    const options: Retry.RetryOptions<unknown> = {}
    expectTypeOf(pipe(fetchUser, Retry.retry(S.recurs(3), options))).toEqualTypeOf<
      TE.TaskEither<HttpError | Retry.Interrupted<HttpError> | Retry.AttemptTimeout, string>
    >()
  })

  it('a schedule typed on one error cannot retry another, and must accept AttemptTimeout with a timeout', () => {
    const other: TE.TaskEither<string, string> = TE.right('x')
    // @ts-expect-error: the schedule is stepped with HttpError, not string
    pipe(other, Retry.retry(policy))
    // @ts-expect-error: with a timeout the schedule is also stepped with AttemptTimeout
    Retry.retry(policy, { attemptTimeout: 100 })
    const lenient = pipe(
      S.exponential(100),
      S.whileInput((e: HttpError | Retry.AttemptTimeout) => Retry.isAttemptTimeout(e) || e.status >= 500)
    )
    expectTypeOf(pipe(fetchUser, Retry.retry(lenient, { attemptTimeout: 100 }))).toEqualTypeOf<
      TE.TaskEither<HttpError | Retry.AttemptTimeout, string>
    >()
  })

  it('onRetry sees the schedule input type', () => {
    Retry.retry(policy, {
      onRetry: (event) => {
        expectTypeOf(event.error).toEqualTypeOf<HttpError>()
      }
    })
  })
})
