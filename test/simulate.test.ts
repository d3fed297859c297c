import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { describe, expect, it } from 'vitest'
import { contentionExperiment, contentionPolicies, runContention } from '../scripts/simulate/contention'
import { makeEventQueue } from '../scripts/simulate/EventQueue'
import {
  clientPhases,
  type Failure,
  type FleetOptions,
  type FleetPolicy,
  outageExperiment,
  outageScenario,
  runFleet
} from '../scripts/simulate/outage'
import * as Budget from '../src/Budget'
import { seeded } from '../src/internal/random'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'

describe('the outage experiment (quick)', () => {
  const rows = outageExperiment({ quick: true })
  const row = (prefix: string) => {
    const found = rows.find((r) => r.policy.startsWith(prefix))
    if (found === undefined) throw new Error(`no row ${prefix}`)
    return found
  }
  const noRetry = row('no retry')
  const retry = row('maxRetries(3)')
  const tokenBucket = row('+ tokenBucket')
  const finagleDefaults = row('+ percent({ ttl: 10 s, minRetriesPerSec: 10,')
  const percentScaled = row('+ percent({ ttl: 10 s, minRetriesPerSec: 0.5,')

  it('retrying without a budget multiplies the load about 4 times during the outage', () => {
    expect(noRetry.attemptsPerRequest).toBe(1)
    expect(retry.attemptsPerRequest).toBeGreaterThan(3.9)
    expect(retry.attemptsPerRequest).toBeLessThanOrEqual(4)
  })

  it('a budget keeps it at most 1.2 attempts per request', () => {
    expect(tokenBucket.attemptsPerRequest).toBeLessThanOrEqual(1.2)
    expect(percentScaled.attemptsPerRequest).toBeLessThanOrEqual(1.2)
    expect(tokenBucket.deniedRetries).toBeGreaterThan(0)
  })

  it("Finagle's default reserve is too large for a client sending 10 requests a second", () => {
    // 10 retries a second of reserve on top of 20%: about 2.2 attempts per request
    expect(finagleDefaults.attemptsPerRequest).toBeGreaterThan(2)
    expect(finagleDefaults.attemptsPerRequest).toBeLessThan(2.3)
  })

  it('with a budget, recovery is no slower than without retries; without one, it is slower', () => {
    expect(noRetry.recoveryMs).toBe(0)
    expect(retry.recoveryMs).toBeGreaterThan(noRetry.recoveryMs)
    for (const r of [tokenBucket, finagleDefaults, percentScaled]) {
      expect(r.recoveryMs).toBeLessThanOrEqual(noRetry.recoveryMs)
    }
  })

  it('is deterministic', () => {
    expect(outageExperiment({ quick: true })).toEqual(rows)
  })

  it('has the keys of the JSON output', () => {
    for (const r of rows) {
      expect(r).toMatchObject({ experiment: 'outage', clients: 100 })
      expect(typeof r.policy).toBe('string')
    }
  })
})

describe('the contention experiment (quick)', () => {
  const rows = contentionExperiment({ quick: true })
  const find = (policy: string, clients: number) => {
    const found = rows.find((r) => r.policy === policy && r.clients === clients)
    if (found === undefined) throw new Error(`no row ${policy} ${clients}`)
    return found
  }

  it('has a row per policy and number of clients', () => {
    expect(rows.map((r) => [r.policy, r.clients])).toEqual(
      [50, 100, 190].flatMap((clients) => contentionPolicies.map((p) => [p.name, clients]))
    )
    expect(rows.every((r) => r.experiment === 'contention' && r.runs === 10)).toBe(true)
  })

  it('jitter needs fewer calls than exponential backoff without jitter, and than no backoff', () => {
    for (const clients of [50, 100, 190]) {
      const plain = find('exponential, no jitter', clients)
      const none = find('no backoff', clients)
      for (const jittered of ['full jitter', 'equal jitter', 'decorrelated jitter']) {
        const r = find(jittered, clients)
        expect(r.calls).toBeLessThan(0.8 * plain.calls)
        expect(r.calls).toBeLessThan(0.8 * none.calls)
        // and finishes far sooner than without jitter
        expect(r.timeMs).toBeLessThan(0.3 * plain.timeMs)
      }
    }
  })

  it('every client succeeds exactly once', () => {
    const result = runContention(S.forever, 1, 7)
    expect(result.calls).toBe(1)
    // read there, answer back, write there, answer back: four network delays of about 10 ms
    expect(result.time).toBeGreaterThan(20)
    expect(result.time).toBeLessThan(60)
  })

  it('is deterministic', () => {
    expect(contentionExperiment({ quick: true })).toEqual(rows)
  })
})

describe('EventQueue', () => {
  it('orders events by time, then by the order they were scheduled', () => {
    const queue = makeEventQueue<string>()
    const times = [5, 1, 3, 1, 9, 0, 3, 7, 2, 2]
    times.forEach((t, i) => queue.push(t, `${t}:${i}`))
    const out: Array<string> = []
    for (let e = queue.pop(); e !== undefined; e = queue.pop()) out.push(e.event)
    expect(out).toEqual(['0:5', '1:1', '1:3', '2:8', '2:9', '3:2', '3:6', '5:0', '7:7', '9:4'])
    expect(queue.pop()).toBeUndefined()
  })
})

// The simulation steps schedules and budgets itself instead of running TaskEither.retry; this checks
// that it makes the same calls in the same order, by running a small fleet both ways.
describe('the fleet simulation matches TaskEither.retry', () => {
  const options: FleetOptions = {
    clients: 3,
    ratePerClient: 10,
    duration: 4000,
    outageStart: 1000,
    outageEnd: 2500,
    capacity: Infinity,
    latency: 10,
    window: 100,
    seed: 3
  }

  const throughDriver = async (policy: FleetPolicy) => {
    const clock = TestClock.make()
    const period = 1000 / options.ratePerClient
    const phases = clientPhases(options.clients, period, seeded(options.seed))
    const budgets = phases.map(() => policy.budget?.(clock))
    let attempts = 0
    let succeeded = 0
    let stoppedBySchedule = 0
    let stoppedByBudget = 0
    const attempt: TE.TaskEither<Failure, 'ok'> = () => {
      const sent = clock.now()
      attempts++
      const down = sent >= options.outageStart && sent < options.outageEnd
      return clock.sleep(options.latency).then(() => (down ? E.left('outage' as const) : E.right('ok' as const)))
    }
    const runs: Array<Promise<unknown>> = []
    const client = async (i: number): Promise<void> => {
      for (let k = 0; phases[i] + k * period < options.duration; k++) {
        await clock.sleep(phases[i] + k * period - clock.now())
        const budget = budgets[i]
        const retry = Retry.retryOrElse(
          policy.schedule,
          (error, status) => {
            if (status.stoppedBy === 'budget') stoppedByBudget++
            else stoppedBySchedule++
            return TE.left(error)
          },
          budget === undefined ? { clock } : { clock, budget }
        )
        runs.push(
          pipe(attempt, retry)().then((r) => {
            if (E.isRight(r)) succeeded++
          })
        )
      }
    }
    const clients = phases.map((_, i) => client(i))
    await clock.runAll()
    await Promise.all(clients)
    await Promise.all(runs)
    return { attempts, succeeded, stoppedBySchedule, stoppedByBudget, budgetStats: budgets.map((b) => b?.stats()) }
  }

  const schedule: S.Schedule<Failure, unknown> = pipe(S.exponential(100), S.maxRetries(3))
  const policies: ReadonlyArray<FleetPolicy> = [
    { name: 'no budget', schedule },
    // budgets loose enough that some requests use all their retries and others are denied one
    { name: 'tokenBucket', schedule, budget: () => Budget.tokenBucket({ maxTokens: 40, tokenRatio: 0.5 }) },
    {
      name: 'percent',
      schedule,
      budget: (clock) => Budget.percent({ ttl: 1000, minRetriesPerSec: 5, percentCanRetry: 1 }, clock)
    }
  ]

  for (const policy of policies) {
    it(`with ${policy.name}`, async () => {
      const simulated = runFleet(policy, options)
      const driven = await throughDriver(policy)
      expect(driven.attempts).toBe(simulated.attempts)
      expect(driven.succeeded).toBe(simulated.succeeded)
      expect(driven.stoppedBySchedule).toBe(simulated.stoppedBySchedule)
      expect(driven.stoppedByBudget).toBe(simulated.stoppedByBudget)
      expect(simulated.stoppedBySchedule).toBeGreaterThan(0)
      if (policy.budget !== undefined) {
        expect(driven.budgetStats).toEqual(simulated.budgetStats)
        // the scenario does exercise the budget
        expect(simulated.stoppedByBudget).toBeGreaterThan(0)
        expect(simulated.denied).toBe(simulated.stoppedByBudget)
        expect(simulated.budgetStats.every((s) => s.retries > 0)).toBe(true)
      }
    })
  }

  it('counts capacity per tick and rejects the excess', () => {
    const result = runFleet(
      { name: 'no retry', schedule: S.stop },
      { ...outageScenario(true), clients: 50, capacity: 250, outageStart: 0, outageEnd: 0 }
    )
    // 500 requests a second against 250 attempts a second: half of them fail
    expect(result.succeeded / result.requests).toBeCloseTo(0.5, 2)
    expect(result.recoveryMs).toBe(60_000)
  })
})
