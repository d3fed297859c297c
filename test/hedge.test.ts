/**
 * `hedge` in TaskEither and ReaderTaskEither: launches, the first success, failures that bring a
 * launch forward, budgets, aborts, defects and timeouts, all on the TestClock.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import * as Budget from '../src/Budget'
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

interface Outcome {
  /** When the attempt answers, ms after it starts. */
  readonly after: number
  readonly result: E.Either<string, string>
}

/**
 * A service whose attempt n answers as `outcomes[n - 1]` says, on the clock; it records when each
 * attempt started, what it saw, and whether its signal aborted.
 */
const service = (clock: Clock, outcomes: ReadonlyArray<Outcome>) => {
  const log: Array<{ attempt: number; at: number; lastError: O.Option<string>; signal: AbortSignal }> = []
  const f = ({ attempt, signal, lastError }: Retry.AttemptContext<string>): TE.TaskEither<string, string> => {
    log.push({ attempt, at: clock.now(), lastError, signal })
    const { after, result } = outcomes[attempt - 1]
    // the attempt ignores its signal on purpose: its late answer must be ignored by the run
    return () => clock.sleep(after).then(() => result)
  }
  return { f, log }
}

const ok = (after: number, value = 'ok'): Outcome => ({ after, result: E.right(value) })
const ko = (after: number, error = 'busy'): Outcome => ({ after, result: E.left(error) })

describe('hedge', () => {
  it('launches attempt 1 at once and the next ones as the schedule says; the first Right wins', async () => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ok(1000, 'one'), ok(30, 'two'), ok(5, 'three')])
    const events: Array<Retry.HedgeEvent> = []
    const run = Retry.hedge(pipe(S.constant(50), S.maxRetries(2)), { clock, onHedge: (e) => void events.push(e) })(f)()
    await clock.runAll()
    expect(await run).toEqual(E.right('two'))
    expect(log.map((a) => [a.attempt, a.at])).toEqual([
      [1, 0],
      [2, 50]
    ])
    expect(events).toEqual([{ attempt: 2, delay: 50, elapsed: 50 }])
    // the loser is told to stop; the winner never is
    expect(log.map((a) => a.signal.aborted)).toEqual([true, false])
    expect(clock.now()).toBe(1000)
  })

  it('pipe(S.constant(50), S.maxRetries(2)) launches at most 3 attempts, 50 ms apart; all failed: the Left that arrived last', async () => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ko(500, 'a'), ko(200, 'b'), ko(100, 'c')])
    const run = Retry.hedge(pipe(S.constant(50), S.maxRetries(2)), { clock })(f)()
    await clock.runAll()
    // a answers at 500, b at 250, c at 200: the last to arrive is a
    expect(await run).toEqual(E.left('a'))
    expect(log.map((a) => a.at)).toEqual([0, 50, 100])
  })

  it('a failure while a launch is pending brings it forward, with its error as lastError', async () => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ko(10, 'reset'), ok(20)])
    const events: Array<Retry.HedgeEvent> = []
    const run = Retry.hedge(pipe(S.constant(100), S.maxRetries(3)), { clock, onHedge: (e) => void events.push(e) })(f)()
    await clock.runAll()
    expect(await run).toEqual(E.right('ok'))
    expect(log.map((a) => [a.at, a.lastError])).toEqual([
      [0, O.none],
      [10, O.some('reset')]
    ])
    expect(events).toEqual([{ attempt: 2, delay: 10, elapsed: 10 }])
  })

  it('a failure that the schedule does not continue on cancels the pending launch; running attempts go on', async () => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ko(300, 'slow'), ko(10, 'fatal'), ok(1)])
    const policy = pipe(
      S.constant(50),
      S.maxRetries(5),
      S.whileInput((e: string | undefined) => e !== 'fatal')
    )
    const run = Retry.hedge(policy, { clock })(f)()
    await clock.runAll()
    // attempt 2 fails with 'fatal' at 60: no more launches; attempt 1 still answers, at 300
    expect(await run).toEqual(E.left('slow'))
    expect(log.map((a) => a.at)).toEqual([0, 50])
    expect(log[0].signal.aborted).toBe(false)
  })

  it('zero delays launch at once, and a long run of them still yields to the event loop', async () => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ko(10), ko(10), ok(10)])
    const run = Retry.hedge(S.fromDelays(0, 0), { clock })(f)()
    await clock.runAll()
    expect(await run).toEqual(E.right('ok'))
    expect(log.map((a) => a.at)).toEqual([0, 0, 0])
    expect(clock.sleeps).toEqual([10, 10, 10])

    const immediates = vi.spyOn(globalThis, 'setImmediate')
    let attempts = 0
    const many = Retry.hedge(pipe(S.forever, S.maxRetries(1000)))(() => {
      attempts++
      return TE.left('busy')
    })
    expect(await many()).toEqual(E.left('busy'))
    expect(attempts).toBe(1001)
    expect(immediates.mock.calls.length).toBeGreaterThanOrEqual(7)
  })

  it('the budget: asked when a launch is due; a denial stops launching and is not announced', async () => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ko(1000), ko(1000), ko(1000), ko(1000)])
    const asked: Array<number> = []
    const budget: Budget.Budget = {
      onRequest: () => undefined,
      onSuccess: () => undefined,
      onFailure: () => undefined,
      // allows the first launch it is asked about, denies the next
      tryRetry: () => asked.push(clock.now()) === 1
    }
    const events: Array<Retry.HedgeEvent> = []
    const run = Retry.hedge(pipe(S.constant(50), S.maxRetries(3)), {
      clock,
      budget,
      onHedge: (e) => void events.push(e)
    })(f)()
    await clock.runAll()
    expect(await run).toEqual(E.left('busy'))
    expect(log.map((a) => a.at)).toEqual([0, 50])
    expect(asked).toEqual([50, 100])
    expect(events.map((e) => e.attempt)).toEqual([2])
  })

  it('a shared budget of the library sees one request per call', async () => {
    const clock = TestClock.make()
    const { f } = service(clock, [ok(1000), ok(10)])
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
    const run = Retry.hedge(pipe(S.constant(50), S.maxRetries(3)), { clock, budget })(f)()
    await clock.runAll()
    expect(await run).toEqual(E.right('ok'))
    expect(budget.stats()).toMatchObject({ requests: 1, successes: 1, failures: 0, retries: 1, denied: 0 })
  })

  it('the budget is told of every attempt that ends before the run does', async () => {
    const clock = TestClock.make()
    const { f } = service(clock, [ko(20), ok(100), ok(500)])
    const calls: Array<string> = []
    const budget: Budget.Budget = {
      onRequest: () => void calls.push('request'),
      onSuccess: () => void calls.push('success'),
      onFailure: (e) => void calls.push(`failure ${String(e)}`),
      tryRetry: () => (calls.push('tryRetry'), true)
    }
    const run = Retry.hedge(pipe(S.constant(50), S.maxRetries(2)), { clock, budget })(f)()
    await clock.runAll()
    expect(await run).toEqual(E.right('ok'))
    // attempt 1 fails at 20 and brings attempt 2 forward; 2 wins at 120 before 3 (launched at 70) answers
    expect(calls).toEqual(['request', 'failure busy', 'tryRetry', 'tryRetry', 'success'])
  })

  it('an outer abort ends the run at once with Interrupted and the last error; every running attempt is told', async () => {
    const clock = TestClock.make()
    const controller = new AbortController()
    const { f, log } = service(clock, [ko(10, 'reset'), ok(10_000), ok(10_000)])
    const run = track(Retry.hedge(pipe(S.constant(50), S.maxRetries(2)), { clock, signal: controller.signal })(f)())
    // attempt 1 fails at 10 and brings attempt 2 forward; attempt 3 is due at 60
    await clock.adjust(30)
    expect(log.map((a) => a.at)).toEqual([0, 10])
    controller.abort()
    await nextTurn()
    expect(run).toEqual({ settled: true, value: E.left({ _tag: 'Interrupted', lastError: O.some('reset') }) })
    // the attempt still running is told to stop (attempt 1 had already failed)
    expect(log.map((a) => a.signal.aborted)).toEqual([false, true])
    expect(abortListeners(controller.signal)).toBe(0)
    await clock.runAll()
    expect(log).toHaveLength(2)
  })

  it('an already-aborted signal launches nothing', async () => {
    const controller = new AbortController()
    controller.abort()
    const f = vi.fn(() => TE.right('ok'))
    const run = Retry.hedge(S.recurs(2), { signal: controller.signal })(f)
    expect(await run()).toEqual(E.left({ _tag: 'Interrupted', lastError: O.none }))
    expect(f).not.toHaveBeenCalled()
  })

  it('a defect (an attempt that rejects) aborts every attempt, stops launching and rejects', async () => {
    const clock = TestClock.make()
    const boom = new Error('boom')
    const signals: Array<AbortSignal> = []
    const run = Retry.hedge(pipe(S.constant(50), S.maxRetries(5)), { clock })(({ attempt, signal }) => {
      signals.push(signal)
      return attempt === 2
        ? () => clock.sleep(10).then(() => Promise.reject(boom))
        : () => clock.sleep(10_000).then(() => E.right('late'))
    })()
    const state = track(run)
    await clock.runAll()
    expect(state).toEqual({ settled: true, error: boom })
    expect(signals).toHaveLength(2)
    expect(signals.every((s) => s.aborted)).toBe(true)
  })

  it.each([
    [
      'an onHedge that throws',
      {
        onHedge: () => {
          throw new Error('listener')
        }
      }
    ],
    ['an onHedge that rejects', { onHedge: () => Promise.reject(new Error('listener')) }]
  ] as const)('%s is a defect: the run rejects and the first attempt is told to stop', async (_, options) => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ok(1000), ok(1)])
    const run = track(Retry.hedge(pipe(S.constant(50), S.maxRetries(2)), { clock, ...options })(f)())
    await clock.runAll()
    expect(run.settled).toBe(true)
    expect((run.error as Error).message).toBe('listener')
    expect(log).toHaveLength(1)
    expect(log[0].signal.aborted).toBe(true)
  })

  it('an async onHedge is awaited before the launch', async () => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ok(1000), ok(1)])
    const run = Retry.hedge(pipe(S.constant(50), S.maxRetries(1)), {
      clock,
      onHedge: () => clock.sleep(25)
    })(f)()
    await clock.runAll()
    expect(await run).toEqual(E.right('ok'))
    expect(log.map((a) => a.at)).toEqual([0, 75])
  })

  it('a clock whose sleep throws, or a throwing budget, is a defect; calling the run never throws', async () => {
    const boom = new Error('clock')
    const clock: Clock = {
      now: () => 0,
      sleep: () => {
        throw boom
      }
    }
    const signals: Array<AbortSignal> = []
    const f = ({ signal }: Retry.AttemptContext<string>) => {
      signals.push(signal)
      return TE.right('never') as TE.TaskEither<string, string>
    }
    let promise: Promise<unknown> = Promise.resolve()
    expect(() => {
      promise = Retry.hedge(S.constant(50), { clock })(f)()
    }).not.toThrow()
    await expect(promise).rejects.toBe(boom)
    expect(signals[0].aborted).toBe(true)
    const budget = {
      onRequest: () => {
        throw boom
      },
      onSuccess: () => undefined,
      onFailure: () => undefined,
      tryRetry: () => true
    }
    await expect(Retry.hedge(S.constant(50), { budget })(f)()).rejects.toBe(boom)
  })

  it('attemptTimeout applies to each attempt: a timeout is a failure that brings the next launch forward', async () => {
    const clock = TestClock.make()
    const { f, log } = service(clock, [ok(10_000), ok(10)])
    const run = Retry.hedge(pipe(S.constant(500), S.maxRetries(1)), { clock, attemptTimeout: 100 })(f)()
    await clock.runAll()
    expect(await run).toEqual(E.right('ok'))
    expect(log.map((a) => [a.at, a.lastError])).toEqual([
      [0, O.none],
      [100, O.some({ _tag: 'AttemptTimeout', attempt: 1, timeout: 100 })]
    ])
    expect(log[0].signal.aborted).toBe(true)
  })

  it('leaves no timer and no listener behind when a success ends the run early', async () => {
    const controller = new AbortController()
    const run = Retry.hedge(pipe(S.constant(60_000), S.maxRetries(3)), { signal: controller.signal })(() =>
      TE.right('fast')
    )
    expect(await run()).toEqual(E.right('fast'))
    expect(abortListeners(controller.signal)).toBe(0)
    expect(leaks.timers.pending.size).toBe(0)
  })

  it('validates its arguments under its own name', () => {
    expect(() => Retry.hedge(null as never)).toThrow(
      new TypeError('TaskEither.hedge: schedule must be a Schedule, got null')
    )
    expect(() => Retry.hedge(S.recurs(1), { onHedge: 42 } as never)).toThrow(
      new TypeError('TaskEither.hedge: onHedge must be a function, got 42')
    )
    expect(() => Retry.hedge(S.recurs(1))(42 as never)).toThrow(
      new TypeError('TaskEither.hedge: f must be a function, got 42')
    )
    expect(() => RTE.hedge(S.recurs(1), { attemptTimeout: -1 })).toThrow(RangeError)
  })

  it('ReaderTaskEither.hedge: every attempt reads the same environment', async () => {
    const clock = TestClock.make()
    const seen: Array<string> = []
    const read = RTE.hedge(pipe(S.constant(50), S.maxRetries(1)), { clock })(
      ({ attempt, signal }) =>
        (env: { readonly name: string }) =>
        () => {
          seen.push(`${env.name} ${attempt}`)
          return clock.sleep(attempt === 1 ? 1000 : 10, signal).then(
            () => E.right(attempt),
            () => E.left('stopped')
          )
        }
    )
    const run = read({ name: 'replica' })()
    await clock.runAll()
    expect(await run).toEqual(E.right(2))
    expect(seen).toEqual(['replica 1', 'replica 2'])
  })

  it('types: the schedule is stepped with E | undefined, and the error widens like retry', () => {
    const policy = pipe(
      S.constant(50),
      S.whileInput((e: number | undefined) => e === undefined || e >= 500)
    )
    const hedged = Retry.hedge(policy)(({ lastError }: Retry.AttemptContext<number>) =>
      TE.left<number, string>(O.getOrElse(() => 0)(lastError))
    )
    expectTypeOf(hedged).toEqualTypeOf<TE.TaskEither<number, string>>()
    const interruptible = Retry.hedge(policy, { signal: new AbortController().signal })(
      (_: Retry.AttemptContext<number>) => TE.left<number, string>(503)
    )
    expectTypeOf(interruptible).toEqualTypeOf<TE.TaskEither<number | Retry.Interrupted<number>, string>>()
  })
})
