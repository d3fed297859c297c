import * as fc from 'fast-check'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import * as Budget from '../src/Budget'
import type { Clock } from '../src/Clock'
import * as Config from '../src/Config'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'

const times = (n: number, f: (error: unknown) => void): void => {
  for (let i = 0; i < n; i++) f('503')
}

/** A clock whose time is set by the test; it never sleeps. */
const manualClock = (start = 0): Clock & { set: (t: number) => void } => {
  let time = start
  return {
    now: () => time,
    sleep: () => Promise.reject(new Error('manual clock')),
    set: (t) => {
      time = t
    }
  }
}

describe('tokenBucket', () => {
  it('starts full, with nothing counted', () => {
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
    expect(budget.stats()).toEqual({
      requests: 0,
      successes: 0,
      failures: 0,
      retries: 0,
      denied: 0,
      // the 5th failure leaves 5 tokens, not more than half: 4 retries
      balance: 4,
      tokens: 10
    })
  })

  it('takes one token per failure and gives back tokenRatio per success, exactly', () => {
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
    times(3, budget.onFailure)
    expect(budget.stats().tokens).toBe(7)
    times(10, budget.onSuccess)
    // in floating point, 7 + 10 * 0.1 is 7.999999999999998
    expect(budget.stats().tokens).toBe(8)
    times(3, budget.onSuccess)
    expect(budget.stats().tokens).toBe(8.3)
    expect(budget.stats()).toMatchObject({ successes: 13, failures: 3 })
  })

  it('never goes below 0 nor above maxTokens', () => {
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
    times(5, budget.onSuccess)
    expect(budget.stats().tokens).toBe(10)
    times(25, budget.onFailure)
    expect(budget.stats().tokens).toBe(0)
    budget.onSuccess()
    expect(budget.stats().tokens).toBe(0.1)
  })

  it('allows a retry only while tokens > maxTokens / 2, without spending a token', () => {
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
    times(4, budget.onFailure)
    expect(budget.tryRetry()).toBe(true) // 6 > 5
    expect(budget.tryRetry()).toBe(true) // checking spends nothing
    expect(budget.stats().tokens).toBe(6)
    budget.onFailure('503')
    expect(budget.tryRetry()).toBe(false) // 5 is not > 5
    budget.onSuccess()
    expect(budget.tryRetry()).toBe(true) // 5.1 > 5
    expect(budget.stats()).toMatchObject({ retries: 3, denied: 1 })
  })

  it('recovers after an outage only once successes refill it above half', () => {
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
    times(100, budget.onFailure)
    expect(budget.tryRetry()).toBe(false)
    // 50 successes give exactly 5 tokens (floating point would give 5.000000000000002 and allow a retry)
    times(50, budget.onSuccess)
    expect(budget.stats().tokens).toBe(5)
    expect(budget.tryRetry()).toBe(false)
    budget.onSuccess()
    expect(budget.tryRetry()).toBe(true)
  })

  it('uses an odd maxTokens threshold exactly', () => {
    const budget = Budget.tokenBucket({ maxTokens: 3, tokenRatio: 1 })
    budget.onFailure('503')
    expect(budget.tryRetry()).toBe(true) // 2 > 1.5
    budget.onFailure('503')
    expect(budget.tryRetry()).toBe(false) // 1
  })

  it('keeps three decimals of tokenRatio and maxTokens, as gRPC does', () => {
    const budget = Budget.tokenBucket({ maxTokens: 2.0009, tokenRatio: 0.5466 })
    expect(budget.stats().tokens).toBe(2)
    times(2, budget.onFailure)
    budget.onSuccess()
    expect(budget.stats().tokens).toBe(0.546)
  })

  it('reports as balance the retries a run of failures would get from now, each failure paying first', () => {
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.5 })
    /** Fails and asks for a retry until one is denied; returns how many were allowed. */
    const drain = (): number => {
      let allowed = 0
      for (;;) {
        budget.onFailure('503')
        if (!budget.tryRetry()) return allowed
        allowed++
      }
    }
    expect(budget.stats().balance).toBe(4)
    expect(drain()).toBe(4)
    expect(budget.stats()).toMatchObject({ balance: 0, tokens: 5 })
    times(3, budget.onSuccess) // 6.5: one failure leaves 5.5
    expect(budget.stats().balance).toBe(1)
    expect(drain()).toBe(1)
    times(2, budget.onSuccess) // 5.5: one failure leaves 4.5
    expect(budget.tryRetry()).toBe(true)
    expect(budget.stats().balance).toBe(0)
    expect(drain()).toBe(0)
    budget.onRequest()
    expect(budget.stats().requests).toBe(1)
  })

  it('lets a retry through after an outage only after 61 successes with gRPC defaults, not 51: a failing call pays first', () => {
    // a bucket drained by an outage, refilled by `successes`, then a call that fails and asks for a retry
    const afterOutage = (successes: number): boolean => {
      const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
      times(100, () => budget.onFailure('503'))
      times(successes, budget.onSuccess)
      budget.onFailure('503')
      return budget.tryRetry()
    }
    expect(afterOutage(51)).toBe(false) // 5.1 - 1 = 4.1
    expect(afterOutage(60)).toBe(false) // 6 - 1 = 5, not more than half
    expect(afterOutage(61)).toBe(true) // 6.1 - 1 = 5.1
  })

  it('validates its arguments', () => {
    const bad: ReadonlyArray<[number, number, string]> = [
      [0, 0.1, 'maxTokens'],
      [-1, 0.1, 'maxTokens'],
      [NaN, 0.1, 'maxTokens'],
      [Infinity, 0.1, 'maxTokens'],
      [0.0005, 0.1, 'maxTokens'],
      [10, 0, 'tokenRatio'],
      [10, -0.1, 'tokenRatio'],
      [10, NaN, 'tokenRatio'],
      [10, Infinity, 'tokenRatio'],
      [10, 0.0009, 'tokenRatio']
    ]
    for (const [maxTokens, tokenRatio, arg] of bad) {
      expect(() => Budget.tokenBucket({ maxTokens, tokenRatio })).toThrow(RangeError)
      expect(() => Budget.tokenBucket({ maxTokens, tokenRatio })).toThrow(new RegExp(`^Budget.tokenBucket: ${arg} `))
    }
    expect(() => Budget.tokenBucket({ maxTokens: '10' as unknown as number, tokenRatio: 0.1 })).toThrow(TypeError)
    expect(() => Budget.tokenBucket({ maxTokens: '10' as unknown as number, tokenRatio: 0.1 })).toThrow(
      'Budget.tokenBucket: maxTokens must be a number between 0.001 and 1e12, got string 10'
    )
    expect(() => Budget.tokenBucket({ maxTokens: 1000, tokenRatio: 0.001 })).not.toThrow()
    expect(Budget.tokenBucket({ maxTokens: 1.005, tokenRatio: 1 }).stats().tokens).toBe(1.005)
  })
})

describe('percent', () => {
  const noReserve = { ttl: 1000, minRetriesPerSec: 0, percentCanRetry: 0.2 }

  it('allows percentCanRetry retries per request deposited', () => {
    const budget = Budget.percent(noReserve, manualClock())
    times(4, budget.onRequest)
    expect(budget.tryRetry()).toBe(false) // 4 requests are 0.8 of a retry
    budget.onRequest()
    expect(budget.stats().balance).toBe(1)
    expect(budget.tryRetry()).toBe(true)
    expect(budget.tryRetry()).toBe(false)
    times(10, budget.onRequest)
    expect(budget.stats()).toMatchObject({ requests: 15, retries: 1, denied: 2, balance: 2 })
  })

  it('lets deposits expire after ttl (between 0.9 and 1 ttl, in slices of ttl / 10)', () => {
    const clock = manualClock()
    const budget = Budget.percent(noReserve, clock)
    clock.set(50)
    times(5, budget.onRequest) // in the slice [0, 100)
    clock.set(999)
    expect(budget.stats().balance).toBe(1)
    clock.set(1000) // that slice leaves the window: 950 ms after the deposits
    expect(budget.stats().balance).toBe(0)
    expect(budget.tryRetry()).toBe(false)
  })

  it('lets withdrawals expire too, so the reserve comes back', () => {
    const clock = manualClock()
    // a reserve of 2 retries a second over 5 s: 10 retries, and nothing from requests
    const budget = Budget.percent({ ttl: 5000, minRetriesPerSec: 2, percentCanRetry: 0 }, clock)
    times(100, budget.onRequest)
    let allowed = 0
    while (budget.tryRetry()) allowed++
    expect(allowed).toBe(10)
    clock.set(4999)
    expect(budget.tryRetry()).toBe(false)
    clock.set(5000)
    expect(budget.stats().balance).toBe(10)
    expect(budget.tryRetry()).toBe(true)
  })

  it('adds the reserve to the deposits (Finagle defaults)', () => {
    const budget = Budget.percent({ ttl: 10_000, minRetriesPerSec: 10, percentCanRetry: 0.2 }, manualClock())
    expect(budget.stats().balance).toBe(100)
    times(50, budget.onRequest)
    expect(budget.stats().balance).toBe(110)
  })

  it('allows more than one retry per request with percentCanRetry above 1', () => {
    const budget = Budget.percent({ ttl: 1000, minRetriesPerSec: 0, percentCanRetry: 2 }, manualClock())
    budget.onRequest()
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false])
    const most = Budget.percent({ ttl: 1000, minRetriesPerSec: 0, percentCanRetry: 1000 }, manualClock())
    most.onRequest()
    expect(most.stats().balance).toBe(1000)
  })

  it('never allows a retry with no reserve and no percentage', () => {
    const budget = Budget.percent({ ttl: 1000, minRetriesPerSec: 0, percentCanRetry: 0 }, manualClock())
    times(1000, budget.onRequest)
    expect(budget.tryRetry()).toBe(false)
    expect(budget.stats().balance).toBe(0)
  })

  it('forgets everything after a long pause, and works before time 0', () => {
    const clock = manualClock(-5000)
    const budget = Budget.percent(noReserve, clock)
    times(10, budget.onRequest)
    expect(budget.tryRetry()).toBe(true)
    clock.set(-4950)
    expect(budget.stats().balance).toBe(1)
    clock.set(1_000_000)
    expect(budget.stats().balance).toBe(0)
    times(5, budget.onRequest)
    expect(budget.stats().balance).toBe(1)
  })

  it('never reports a negative balance when deposits expire before withdrawals', () => {
    const clock = manualClock()
    const budget = Budget.percent(noReserve, clock)
    times(5, budget.onRequest)
    clock.set(500)
    expect(budget.tryRetry()).toBe(true)
    clock.set(1000) // the deposit has expired, the withdrawal has not
    expect(budget.stats().balance).toBe(0)
    times(5, budget.onRequest)
    expect(budget.tryRetry()).toBe(false) // it still owes the earlier retry
    clock.set(1500)
    expect(budget.tryRetry()).toBe(true)
  })

  it('counts successes and failures', () => {
    const budget = Budget.percent(noReserve, manualClock())
    budget.onSuccess()
    times(2, budget.onFailure)
    expect(budget.stats()).toMatchObject({ successes: 1, failures: 2 })
  })

  it('uses the live clock by default', () => {
    const budget = Budget.percent({ ttl: 60_000, minRetriesPerSec: 0, percentCanRetry: 1 })
    budget.onRequest()
    expect(budget.tryRetry()).toBe(true)
    expect(budget.tryRetry()).toBe(false)
  })

  it('validates its arguments', () => {
    const bad: ReadonlyArray<[number, number, number, string]> = [
      [999, 10, 0.2, 'ttl'],
      [60_001, 10, 0.2, 'ttl'],
      [NaN, 10, 0.2, 'ttl'],
      [10_000, -1, 0.2, 'minRetriesPerSec'],
      [10_000, NaN, 0.2, 'minRetriesPerSec'],
      [10_000, Infinity, 0.2, 'minRetriesPerSec'],
      [10_000, 10, -0.1, 'percentCanRetry'],
      [10_000, 10, 1000.5, 'percentCanRetry'],
      [10_000, 10, NaN, 'percentCanRetry']
    ]
    for (const [ttl, minRetriesPerSec, percentCanRetry, arg] of bad) {
      expect(() => Budget.percent({ ttl, minRetriesPerSec, percentCanRetry })).toThrow(RangeError)
      expect(() => Budget.percent({ ttl, minRetriesPerSec, percentCanRetry })).toThrow(
        new RegExp(`^Budget.percent: ${arg} `)
      )
    }
    expect(() => Budget.percent({ ttl: 999, minRetriesPerSec: 10, percentCanRetry: 0.2 })).toThrow(
      'Budget.percent: ttl must be between 1000 and 60000 ms, got 999'
    )
    const options = { ttl: 1000, minRetriesPerSec: 0, percentCanRetry: 0.2 }
    expect(() => Budget.percent(options, null as unknown as Clock)).toThrow(TypeError)
    expect(() => Budget.percent(options, {} as Clock)).toThrow('Budget.percent: clock must have a now function')
    expect(() => Budget.percent({ ttl: 1000, minRetriesPerSec: 0, percentCanRetry: 0 })).not.toThrow()
    expect(() => Budget.percent({ ttl: 60_000, minRetriesPerSec: 0, percentCanRetry: 1000 })).not.toThrow()
  })
})

describe('a budget shared by concurrent retry runs', () => {
  const down: TE.TaskEither<string, never> = TE.left('503')

  it('tokenBucket: 100 calls against a dead service retry at most ceil(maxTokens / 2) - 1 times in all', async () => {
    const clock = TestClock.make()
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
    let attempts = 0
    const counted: TE.TaskEither<string, never> = () => {
      attempts++
      return down()
    }
    const policy = pipe(S.exponential(100), S.maxRetries(3))
    const runs = Array.from({ length: 100 }, () => pipe(counted, Retry.retry(policy, { clock, budget }))())
    await clock.runAll()
    const results = await Promise.all(runs)
    expect(results.every((r) => E.isLeft(r) && r.left === '503')).toBe(true)
    // whatever the order, a retry is checked after its own failure, and only the first 4 failures leave > 5 tokens
    expect(budget.stats()).toEqual({
      requests: 100,
      successes: 0,
      failures: 104,
      retries: 4,
      denied: 100,
      balance: 0,
      tokens: 0
    })
    expect(attempts).toBe(104)
  })

  it('percent: 100 calls share reserve + percentCanRetry · 100 retries', async () => {
    const clock = TestClock.make()
    // reserve 1/s over 10 s = 10, plus 0.2 · 100 = 20
    const budget = Budget.percent({ ttl: 10_000, minRetriesPerSec: 1, percentCanRetry: 0.2 }, clock)
    let attempts = 0
    const counted: TE.TaskEither<string, never> = () => {
      attempts++
      return down()
    }
    const stoppedBy: Array<string> = []
    const policy = pipe(S.constant(100), S.maxRetries(3))
    const runs = Array.from({ length: 100 }, () =>
      pipe(
        counted,
        Retry.retryOrElse(
          policy,
          (error, status) => {
            stoppedBy.push(status.stoppedBy)
            return TE.left(error)
          },
          { clock, budget }
        )
      )()
    )
    await clock.runAll()
    await Promise.all(runs)
    expect(budget.stats()).toMatchObject({ requests: 100, retries: 30, failures: 130, denied: 100, balance: 0 })
    expect(attempts).toBe(130)
    expect(stoppedBy.filter((s) => s === 'budget').length).toBe(budget.stats().denied)
    expect(stoppedBy.length).toBe(100)
  })

  it('a denied retry ends the call with its last error and stoppedBy budget', async () => {
    const budget = Budget.tokenBucket({ maxTokens: 4, tokenRatio: 1 })
    const errors = ['e1', 'e2', 'e3']
    let attempt = 0
    const failing: TE.TaskEither<string, never> = () => Promise.resolve(E.left(errors[attempt++]))
    const result = await pipe(
      failing,
      Retry.retryOrElse(S.recurs(5), (error, status) => TE.right({ error, status }), { budget })
    )()
    // e1: 3 tokens > 2, retried; e2: 2 tokens, denied
    expect(result).toEqual(
      E.right({ error: 'e2', status: { attempts: 2, totalDelay: 0, elapsed: expect.any(Number), stoppedBy: 'budget' } })
    )
    expect(budget.stats()).toMatchObject({ requests: 1, failures: 2, retries: 1, denied: 1 })
  })

  it('successes refill a token bucket between calls', async () => {
    const budget = Budget.tokenBucket({ maxTokens: 4, tokenRatio: 1 })
    let outcomes: Array<E.Either<string, string>> = []
    const service: TE.TaskEither<string, string> = () => Promise.resolve(outcomes.shift() ?? E.left('503'))
    const call = pipe(service, Retry.retry(S.recurs(3), { budget }))
    // down: 4 -> 3 (retry) -> 2 (denied)
    expect(await call()).toEqual(E.left('503'))
    outcomes = [E.left('503')]
    expect(await call()).toEqual(E.left('503')) // 2 is not > 2: not even one retry
    expect(budget.stats().tokens).toBe(1)
    outcomes = [E.right('ok'), E.right('ok'), E.right('ok')]
    await call()
    await call()
    await call()
    expect(budget.stats().tokens).toBe(4)
    outcomes = [E.left('503'), E.right('ok')]
    expect(await call()).toEqual(E.right('ok')) // 4 -> 3 (retried) -> 4
    expect(budget.stats()).toMatchObject({ requests: 6, successes: 4, failures: 4, retries: 2, denied: 2 })
  })
})

describe('at extremes', () => {
  it('percent: a percentage too small to pay for a retry allows none, with a balance of 0, not NaN', () => {
    const budget = Budget.percent({ ttl: 10_000, minRetriesPerSec: 0, percentCanRetry: 1e-306 }, manualClock())
    times(1_000, budget.onRequest)
    expect(budget.stats().balance).toBe(0)
    expect(budget.tryRetry()).toBe(false)
    expect(budget.stats()).toMatchObject({ retries: 0, denied: 1, balance: 0 })
    // the smallest number there is, and no reserve: still nothing, however many calls
    const least = Budget.percent({ ttl: 60_000, minRetriesPerSec: 0, percentCanRetry: Number.MIN_VALUE }, manualClock())
    times(10_000, least.onRequest)
    expect([least.tryRetry(), least.stats().balance]).toEqual([false, 0])
  })

  it('percent: a small percentage pays exactly, where Finagle would allow one retry per 2.1 million calls', () => {
    // one retry per 10 million calls
    const budget = Budget.percent({ ttl: 60_000, minRetriesPerSec: 0, percentCanRetry: 1e-7 }, manualClock())
    times(9_999_999, budget.onRequest)
    expect(budget.tryRetry()).toBe(false)
    budget.onRequest()
    expect(budget.stats().balance).toBe(1)
    expect(budget.tryRetry()).toBe(true)
    expect(budget.tryRetry()).toBe(false)
  })

  it('percent: reads the percentage as the decimal written, and rounds nothing up', () => {
    // as binary numbers, 0.3 and 0.7 are just below 3 and 7 tenths; Finagle's rounding of the cost lets 600 be 1000
    const cases: ReadonlyArray<[number, number, number]> = [
      [0.3, 10, 3],
      [0.3, 9, 2],
      [0.7, 10, 7],
      [0.7, 1_000, 700],
      [1.5, 3, 4],
      [600, 1, 600],
      [999.999, 1, 999]
    ]
    for (const [percentCanRetry, calls, retries] of cases) {
      const budget = Budget.percent({ ttl: 1_000, minRetriesPerSec: 0, percentCanRetry }, manualClock())
      times(calls, budget.onRequest)
      expect(budget.stats().balance, `${percentCanRetry} of ${calls}`).toBe(retries)
      let allowed = 0
      while (budget.tryRetry()) allowed++
      expect(allowed, `${percentCanRetry} of ${calls}`).toBe(retries)
    }
    // the reserve too: 0.7 a second over 10 s is 7
    const reserve = Budget.percent({ ttl: 10_000, minRetriesPerSec: 0.7, percentCanRetry: 0 }, manualClock())
    expect(reserve.stats().balance).toBe(7)
  })

  it('percent: a reserve too large to count saturates the balance at MAX_SAFE_INTEGER and allows retries', () => {
    for (const minRetriesPerSec of [1e20, 1e300, Number.MAX_VALUE]) {
      const budget = Budget.percent({ ttl: 60_000, minRetriesPerSec, percentCanRetry: 1e-306 }, manualClock())
      expect(budget.stats().balance).toBe(Number.MAX_SAFE_INTEGER)
      times(1_000, () => expect(budget.tryRetry()).toBe(true))
      expect(budget.stats()).toMatchObject({ retries: 1_000, denied: 0, balance: Number.MAX_SAFE_INTEGER })
    }
  })

  it('tokenBucket: refuses a bucket too large to count exactly, rather than denying every retry', () => {
    for (const maxTokens of [1e306, 1e13, 1e12 + 0.5]) {
      expect(() => Budget.tokenBucket({ maxTokens, tokenRatio: 0.1 })).toThrow(RangeError)
      expect(() => Budget.tokenBucket({ maxTokens, tokenRatio: 0.1 })).toThrow(
        `Budget.tokenBucket: maxTokens must be a number between 0.001 and 1e12, got ${maxTokens}`
      )
    }
    const largest = Budget.tokenBucket({ maxTokens: 1e12, tokenRatio: 0.001 })
    largest.onFailure('503')
    expect(largest.tryRetry()).toBe(true)
    expect(largest.stats()).toMatchObject({ tokens: 1e12 - 1, balance: 5e11 - 2 })
    largest.onSuccess()
    expect(largest.stats().tokens).toBe(1e12 - 0.999)
  })

  it('tokenBucket: a tokenRatio above maxTokens fills the bucket with one success', () => {
    for (const tokenRatio of [20, 1e306, Number.MAX_VALUE]) {
      const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio })
      times(10, () => budget.onFailure('503'))
      budget.onSuccess()
      expect(budget.stats()).toMatchObject({ tokens: 10, balance: 4 })
    }
  })

  it('tokenBucket: reads both numbers as the decimals written, to three of them', () => {
    const budget = Budget.tokenBucket({ maxTokens: 123456789.123, tokenRatio: 0.3 })
    expect(budget.stats().tokens).toBe(123456789.123)
    budget.onFailure('503')
    times(10, budget.onSuccess)
    expect(budget.stats().tokens).toBe(123456789.123)
    const small = Budget.tokenBucket({ maxTokens: 1.0019999, tokenRatio: 0.0019999 })
    times(2, () => small.onFailure('503'))
    small.onSuccess()
    expect(small.stats().tokens).toBe(0.001)
  })
})

describe('countsAsFailure', () => {
  interface GrpcError {
    readonly code: number
  }
  const INVALID_ARGUMENT: GrpcError = { code: 3 }
  const UNAVAILABLE: GrpcError = { code: 14 }
  const { isRetryable } = Config.fromGrpcRetryPolicy({
    maxAttempts: 4,
    initialBackoff: 100,
    maxBackoff: 1_000,
    backoffMultiplier: 2,
    retryableStatusCodes: ['UNAVAILABLE']
  })

  it('tokenBucket: an INVALID_ARGUMENT storm takes no token, so the retries that matter still go through', () => {
    const grpc = Budget.tokenBucket({
      maxTokens: 10,
      tokenRatio: 0.1,
      countsAsFailure: (e: GrpcError) => isRetryable(e.code)
    })
    const naive = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
    for (const budget of [grpc, naive]) {
      times(1_000, () => budget.onFailure(INVALID_ARGUMENT))
      budget.onFailure(UNAVAILABLE)
    }
    expect(grpc.tryRetry()).toBe(true)
    expect(grpc.stats()).toMatchObject({ failures: 1_001, tokens: 9, balance: 3 })
    expect(naive.tryRetry()).toBe(false)
    expect(naive.stats()).toMatchObject({ failures: 1_001, tokens: 0, balance: 0 })
  })

  it('tokenBucket: a failure that does not count is neither a failure nor a success for the tokens', () => {
    const budget = Budget.tokenBucket({ maxTokens: 4, tokenRatio: 0.5, countsAsFailure: (e: string) => e === '503' })
    budget.onFailure('503')
    budget.onFailure('404')
    expect(budget.stats().tokens).toBe(3)
    budget.onSuccess()
    expect(budget.stats().tokens).toBe(3.5)
    // its retry is still allowed only while there are more than half the tokens
    budget.onFailure('503') // 2.5
    budget.onFailure('404')
    expect(budget.tryRetry()).toBe(true)
    budget.onFailure('503') // 1.5
    budget.onFailure('404')
    expect(budget.tryRetry()).toBe(false)
  })

  it('is asked once per failure with the error as it is, whatever it is', () => {
    const seen: Array<unknown> = []
    const countsAsFailure = (error: unknown): boolean => {
      seen.push(error)
      return false
    }
    const clock = manualClock()
    const budgets = [
      Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1, countsAsFailure }),
      Budget.percent({ ttl: 1_000, minRetriesPerSec: 1, percentCanRetry: 0.2, countsAsFailure }, clock)
    ]
    const errors: ReadonlyArray<unknown> = [undefined, null, 0, '', { _tag: 'AttemptTimeout' }, new Error('x')]
    for (const budget of budgets) {
      for (const error of errors) budget.onFailure(error)
    }
    expect(seen).toEqual([...errors, ...errors])
    expect(budgets[0].stats()).toMatchObject({ failures: errors.length, tokens: 10 })
  })

  it('asks about an error that is undefined like any other', () => {
    const countsAsFailure = vi.fn((_: unknown) => false)
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1, countsAsFailure })
    budget.onFailure(undefined)
    expect(budget.stats()).toMatchObject({ failures: 1, tokens: 10 })
    expect(countsAsFailure).toHaveBeenCalledWith(undefined)
  })

  it('lets a predicate that throws throw out of onFailure, leaving the budget as it was', () => {
    const boom = new Error('boom')
    const countsAsFailure = (): boolean => {
      throw boom
    }
    const bucket = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1, countsAsFailure })
    expect(() => bucket.onFailure('503')).toThrow(boom)
    expect(bucket.stats()).toMatchObject({ failures: 0, tokens: 10 })
    const percent = Budget.percent(
      { ttl: 1_000, minRetriesPerSec: 1, percentCanRetry: 0, countsAsFailure },
      manualClock()
    )
    expect(() => percent.onFailure('503')).toThrow(boom)
    expect(percent.stats()).toMatchObject({ failures: 0, balance: 1 })
  })

  it('percent: the retry right after a failure that does not count withdraws nothing, but needs a balance', () => {
    const budget = Budget.percent(
      { ttl: 1_000, minRetriesPerSec: 0, percentCanRetry: 0.5, countsAsFailure: (e: GrpcError) => isRetryable(e.code) },
      manualClock()
    )
    times(2, budget.onRequest)
    expect(budget.stats().balance).toBe(1)
    times(5, () => {
      budget.onFailure(INVALID_ARGUMENT)
      expect(budget.tryRetry()).toBe(true)
    })
    expect(budget.stats()).toMatchObject({ retries: 5, balance: 1 })
    budget.onFailure(UNAVAILABLE)
    expect(budget.tryRetry()).toBe(true)
    expect(budget.stats()).toMatchObject({ retries: 6, balance: 0 })
    // nothing left: even a retry that would cost nothing is denied
    budget.onFailure(INVALID_ARGUMENT)
    expect(budget.tryRetry()).toBe(false)
    expect(budget.stats()).toMatchObject({ retries: 6, denied: 1, failures: 7 })
  })

  it('percent: a failure that does not count frees only the retry asked for in the same step', async () => {
    const budget = Budget.percent(
      { ttl: 1_000, minRetriesPerSec: 0, percentCanRetry: 1, countsAsFailure: (e: string) => e === '503' },
      manualClock()
    )
    times(4, budget.onRequest)
    budget.onFailure('404')
    expect(budget.tryRetry()).toBe(true) // free
    expect(budget.tryRetry()).toBe(true) // a second retry pays
    expect(budget.stats().balance).toBe(3)
    budget.onFailure('404')
    await Promise.resolve()
    expect(budget.tryRetry()).toBe(true) // a later step: it pays
    expect(budget.stats().balance).toBe(2)
    // another event in between takes the verdict back too
    budget.onFailure('404')
    budget.onRequest()
    expect(budget.tryRetry()).toBe(true)
    budget.onFailure('404')
    budget.onSuccess()
    expect(budget.tryRetry()).toBe(true)
    budget.onFailure('404')
    budget.onFailure('503')
    expect(budget.tryRetry()).toBe(true)
    expect(budget.stats()).toMatchObject({ retries: 6, balance: 0 })
  })

  it('is typed by the error it reads, and the budget still fits any run', () => {
    const budget = Budget.tokenBucket({
      maxTokens: 10,
      tokenRatio: 0.1,
      countsAsFailure: (e: GrpcError) => isRetryable(e.code)
    })
    expectTypeOf(budget).toMatchTypeOf<Budget.Budget>()
    expectTypeOf(Budget.tokenBucket<GrpcError>)
      .parameter(0)
      .toHaveProperty('countsAsFailure')
      .toEqualTypeOf<((error: GrpcError) => boolean) | undefined>()
    expectTypeOf(Budget.percent<GrpcError>)
      .parameter(0)
      .toHaveProperty('countsAsFailure')
      .toEqualTypeOf<((error: GrpcError) => boolean) | undefined>()
    // @ts-expect-error: the predicate must answer a boolean
    Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1, countsAsFailure: (e: GrpcError) => String(e.code) })
    const run = pipe(TE.left<GrpcError, never>(UNAVAILABLE), Retry.retry(S.recurs(1), { budget }))
    expectTypeOf(run).toEqualTypeOf<TE.TaskEither<GrpcError, never>>()
  })

  it('validates the option and the options object when the budget is made', () => {
    for (const make of [
      (countsAsFailure: unknown) =>
        Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1, countsAsFailure: countsAsFailure as () => boolean }),
      (countsAsFailure: unknown) =>
        Budget.percent({
          ttl: 1_000,
          minRetriesPerSec: 0,
          percentCanRetry: 0.1,
          countsAsFailure: countsAsFailure as () => boolean
        })
    ]) {
      expect(() => make(42)).toThrow(TypeError)
      expect(() => make('yes')).toThrow(
        /^Budget\.(tokenBucket|percent): countsAsFailure must be a function, got string/
      )
      expect(() => make(null)).toThrow(/countsAsFailure must be a function, got null/)
      expect(() => make(undefined)).not.toThrow()
    }
    expect(() => Budget.tokenBucket(null as unknown as { maxTokens: number; tokenRatio: number })).toThrow(
      new TypeError('Budget.tokenBucket: options must be an object, got null')
    )
    type PercentOptions = Parameters<typeof Budget.percent>[0]
    expect(() => Budget.percent(42 as unknown as PercentOptions)).toThrow(
      new TypeError('Budget.percent: options must be an object, got number')
    )
  })
})

describe('properties', () => {
  /** A decimal `digits · 10^-places`, as a number and as the exact fraction it was written as. */
  const decimal = (maxDigits: number, maxPlaces: number) =>
    fc.tuple(fc.nat({ max: maxDigits }), fc.nat({ max: maxPlaces })).map(([digits, places]) => ({
      value: Number(`${digits}e-${places}`),
      numerator: BigInt(digits),
      denominator: BigInt(10) ** BigInt(places)
    }))

  /**
   * Checks that `balance` is what a run of failures gets: fails and asks for a retry until one is denied, or (when the
   * balance is too large to spend in a test) 1,001 times.
   */
  const drainsAsSaid = (budget: Budget.Budget & { readonly stats: () => Budget.BudgetStats }): void => {
    const { balance } = budget.stats()
    const tries = Math.min(balance, 1_000) + 1
    let allowed = 0
    for (let i = 0; i < tries; i++) {
      budget.onFailure(true)
      if (budget.tryRetry()) allowed++
    }
    expect(allowed).toBe(balance <= 1_000 ? balance : tries)
  }

  const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0

  it('percent: never more retries than reserve + percentCanRetry · calls in a window, never fewer, never NaN', () => {
    const percentage = fc.oneof(
      decimal(1_000_000, 6).filter((p) => p.value <= 1000),
      decimal(1_000, 306) // down to 1e-306
    )
    const reserve = fc.oneof(
      decimal(1_000, 3),
      decimal(10_000_000, 6),
      fc.constant({ value: 0, numerator: BigInt(0), denominator: BigInt(1) })
    )
    const op = fc.oneof(
      fc.record({ kind: fc.constant('calls' as const), n: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('retry' as const), n: fc.integer({ min: 1, max: 10 }) }),
      fc.record({ kind: fc.constant('wait' as const), n: fc.integer({ min: 0, max: 4_000 }) })
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 6_000 }),
        percentage,
        reserve,
        fc.array(op, { maxLength: 60 }),
        (tenths, p, m, ops) => {
          const ttl = tenths * 10
          const clock = manualClock()
          let now = 0
          const budget = Budget.percent({ ttl, minRetriesPerSec: m.value, percentCanRetry: p.value }, clock)
          const calls: Array<number> = []
          const retries: Array<number> = []
          const inWindow = (times: ReadonlyArray<number>, from: number) => BigInt(times.filter((t) => t > from).length)
          // retries <= m · ttl / 1000 + p · calls, multiplied out by the denominators
          const fits = (r: bigint, c: bigint) =>
            r * m.denominator * p.denominator * BigInt(1000) <=
            m.numerator * BigInt(ttl) * p.denominator + p.numerator * m.denominator * BigInt(1000) * c
          for (const { kind, n } of ops) {
            if (kind === 'wait') {
              now += n
              clock.set(now)
            } else if (kind === 'calls') {
              for (let i = 0; i < n; i++) {
                budget.onRequest()
                calls.push(now)
              }
            } else {
              for (let i = 0; i < n; i++) {
                budget.onFailure('503')
                if (budget.tryRetry()) {
                  retries.push(now)
                  // what the window may hold at most: retries of the last 0.9 ttl, calls of the last ttl
                  expect(fits(inWindow(retries, now - 0.9 * ttl), inWindow(calls, now - ttl))).toBe(true)
                } else {
                  // and at least: calls of the last 0.9 ttl, retries of the last ttl
                  expect(fits(inWindow(retries, now - ttl) + BigInt(1), inWindow(calls, now - 0.9 * ttl))).toBe(false)
                }
              }
            }
            expect(isCount(budget.stats().balance)).toBe(true)
          }
          drainsAsSaid(budget)
        }
      ),
      { numRuns: 300 }
    )
  })

  it('tokenBucket: tokens as counted in exact thousandths, a retry only above half, balance as it drains', () => {
    const thousandths = fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 1e15 }))
    // in thousandths; a ratio of 1e300 tokens is more than any bucket holds
    const ratio = fc.oneof(
      thousandths.map((milli) => ({ value: Number(`${milli}e-3`), milli })),
      fc.constant({ value: 1e300, milli: Infinity })
    )
    const op = fc.constantFrom('request', 'success', 'failure', 'ignored failure', 'retry')
    fc.assert(
      fc.property(thousandths, ratio, fc.array(op, { maxLength: 200 }), (maxMilli, ratioMilli, ops) => {
        const budget = Budget.tokenBucket({
          maxTokens: Number(`${maxMilli}e-3`),
          tokenRatio: ratioMilli.value,
          countsAsFailure: (counts: boolean) => counts
        })
        // the model, in exact thousandths
        let tokens = maxMilli
        const refill = Math.min(maxMilli, ratioMilli.milli)
        for (const o of ops) {
          if (o === 'request') budget.onRequest()
          if (o === 'success') {
            budget.onSuccess()
            tokens = Math.min(maxMilli, tokens + refill)
          }
          if (o === 'failure') {
            budget.onFailure(true)
            tokens = Math.max(0, tokens - 1000)
          }
          if (o === 'ignored failure') budget.onFailure(false)
          if (o === 'retry') expect(budget.tryRetry()).toBe(2 * tokens > maxMilli)
          const stats = budget.stats()
          expect(stats.tokens).toBe(tokens / 1000)
          expect(isCount(stats.balance)).toBe(true)
        }
        drainsAsSaid(budget)
      }),
      { numRuns: 300 }
    )
  })

  it('no number in range makes a NaN, negative or fractional balance; out of range is a RangeError', () => {
    const anyNumber = fc.oneof(
      fc.double({ noNaN: true }),
      fc.constantFrom(0, 1e-306, Number.MIN_VALUE, 1e306, Number.MAX_VALUE, NaN, Infinity, -0)
    )
    fc.assert(
      fc.property(anyNumber, anyNumber, anyNumber, (a, b, c) => {
        const made = (make: () => Budget.Budget & { readonly stats: () => Budget.BudgetStats }) => {
          let budget
          try {
            budget = make()
          } catch (error) {
            expect(error).toBeInstanceOf(RangeError)
            return
          }
          for (let i = 0; i < 5; i++) {
            budget.onRequest()
            budget.onFailure('503')
            budget.tryRetry()
            budget.onSuccess()
            expect(isCount(budget.stats().balance)).toBe(true)
          }
        }
        made(() => Budget.tokenBucket({ maxTokens: a, tokenRatio: b }))
        made(() =>
          Budget.percent({ ttl: Math.abs(a) % 60_001, minRetriesPerSec: b, percentCanRetry: c }, manualClock())
        )
      }),
      { numRuns: 500 }
    )
  })
})
