import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { describe, expect, it } from 'vitest'
import * as Budget from '../src/Budget'
import type { Clock } from '../src/Clock'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'

const times = (n: number, f: () => void): void => {
  for (let i = 0; i < n; i++) f()
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
      balance: 5,
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
    budget.onFailure()
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
    budget.onFailure()
    expect(budget.tryRetry()).toBe(true) // 2 > 1.5
    budget.onFailure()
    expect(budget.tryRetry()).toBe(false) // 1
  })

  it('keeps three decimals of tokenRatio and maxTokens, as gRPC does', () => {
    const budget = Budget.tokenBucket({ maxTokens: 2.0009, tokenRatio: 0.5466 })
    expect(budget.stats().tokens).toBe(2)
    times(2, budget.onFailure)
    budget.onSuccess()
    expect(budget.stats().tokens).toBe(0.546)
  })

  it('reports as balance the retries it would allow if each failed', () => {
    const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.5 })
    expect(budget.stats().balance).toBe(5)
    let allowed = 0
    while (budget.tryRetry()) {
      allowed++
      budget.onFailure()
    }
    expect(allowed).toBe(5)
    expect(budget.stats().balance).toBe(0)
    budget.onSuccess() // 5.5
    expect(budget.stats().balance).toBe(1)
    budget.onRequest()
    expect(budget.stats().requests).toBe(1)
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
    expect(() => Budget.tokenBucket({ maxTokens: '10' as unknown as number, tokenRatio: 0.1 })).toThrow(
      'Budget.tokenBucket: maxTokens must be a finite number >= 0.001, got string 10'
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
