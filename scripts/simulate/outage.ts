/**
 * Retry amplification in an outage: a fleet of clients sends a steady stream of requests to one
 * service that fails every request for a while, and has a fixed capacity the rest of the time.
 *
 * The model (documented in docs/guide/fleet-safety.md):
 *
 * - each client sends `ratePerClient` requests a second, evenly spaced, starting at a random phase;
 * - each request is one retry run, stepped by the driver's own functions: `record` tells the budget
 *   how an attempt ended and `decide` steps the schedule, then asks the budget (`tryRetry`), exactly
 *   as `TaskEither.retry` does; the next attempt is sent after the (clamped) delay;
 * - an attempt reaches the server at once and its answer comes back `latency` ms later;
 * - the server answers at most `capacity` attempts per second, counted in ticks of 100 ms: the
 *   attempts that arrive in a tick beyond its share are rejected (they fail), first come first
 *   served; during the outage it fails every attempt.
 *
 * Time is virtual: a discrete-event simulation steps each schedule with `schedule.step` and drives
 * each budget with a clock whose `now()` is the simulated time, so a minute of a thousand clients
 * runs in about a second.
 */
import { pipe } from 'fp-ts/function'
import * as Budget from '../../src/Budget'
import type { Clock } from '../../src/Clock'
import { decide, record } from '../../src/internal/driver'
import { left, right } from '../../src/internal/fp'
import { seeded } from '../../src/internal/random'
import * as S from '../../src/Schedule'
import { makeEventQueue } from './EventQueue'

/** The failure an attempt gets: the outage, or a server over its capacity. */
export type Failure = 'outage' | 'overloaded'

/** A retry policy as a fleet runs it: a schedule, and a budget per client (or none). */
export interface FleetPolicy {
  readonly name: string
  readonly schedule: S.Schedule<Failure, unknown>
  readonly budget?: (clock: Clock) => Budget.Budget & { readonly stats: () => Budget.BudgetStats }
}

/** The scenario: who sends what, when the service is down, and how much it can serve. */
export interface FleetOptions {
  readonly clients: number
  /** Requests per second sent by each client. */
  readonly ratePerClient: number
  /** How long clients send new requests, ms. */
  readonly duration: number
  readonly outageStart: number
  readonly outageEnd: number
  /** Attempts per second the server can answer; beyond it, attempts fail. */
  readonly capacity: number
  /** Time from sending an attempt to receiving its answer, ms. */
  readonly latency: number
  /** The width of the windows in which the success rate is measured, ms. */
  readonly window: number
  readonly seed: number
}

/** What a run measured. */
export interface FleetResult {
  /** Requests started during the outage. */
  readonly outageRequests: number
  /** Attempts sent during the outage (first attempts and retries). */
  readonly outageAttempts: number
  /** The highest rate of attempts in any window, per second. */
  readonly peakAttemptsPerSec: number
  /** Time from the end of the outage to the start of the first window from which every window has >= 99% successes. */
  readonly recoveryMs: number
  /** Requests that succeeded in the end, of all requests. */
  readonly requests: number
  readonly succeeded: number
  /** Attempts sent in all. */
  readonly attempts: number
  /** Retries the budgets denied. */
  readonly denied: number
  /** Requests that failed because their schedule was done, or because a budget denied a retry. */
  readonly stoppedBySchedule: number
  readonly stoppedByBudget: number
  /** Each client's budget stats at the end (empty without budgets). */
  readonly budgetStats: ReadonlyArray<Budget.BudgetStats>
  /** Attempts and successes per window, by the time the attempt was sent. */
  readonly windows: ReadonlyArray<{ readonly attempts: number; readonly successes: number }>
}

/** The time the capacity is counted over, ms. */
const TICK = 100

/** The success rate a window needs to count as recovered. */
const RECOVERED = 0.99

/** The phase of each client's requests in [0, period), drawn from `random` in client order. */
export const clientPhases = (clients: number, period: number, random: () => number): ReadonlyArray<number> =>
  Array.from({ length: clients }, () => random() * period)

interface Request {
  readonly client: number
  readonly start: number
  state: unknown
}

type Event =
  | { readonly kind: 'start'; readonly client: number; readonly index: number }
  | { readonly kind: 'answer'; readonly request: Request; readonly sent: number }

/** Runs one policy through the scenario. */
export const runFleet = (policy: FleetPolicy, options: FleetOptions): FleetResult => {
  const { clients, duration, outageStart, outageEnd, latency, window } = options
  const period = 1000 / options.ratePerClient
  const perTick = (options.capacity * TICK) / 1000
  const random = seeded(options.seed)
  let now = 0
  const clock: Clock = { now: () => now, sleep: () => Promise.reject(new Error('virtual clock: nothing sleeps')) }
  const makeBudget = policy.budget
  const budgets = makeBudget === undefined ? undefined : Array.from({ length: clients }, () => makeBudget(clock))
  const phases = clientPhases(clients, period, random)
  const schedule = policy.schedule

  const served: Array<number> = [] // attempts answered per tick
  const windowCount = Math.ceil(duration / window)
  const windowAttempts = new Array<number>(windowCount).fill(0)
  const windowSuccesses = new Array<number>(windowCount).fill(0)
  let requests = 0
  let succeeded = 0
  let attempts = 0
  let outageRequests = 0
  let outageAttempts = 0
  let stoppedBySchedule = 0
  let stoppedByBudget = 0

  const queue = makeEventQueue<Event>()
  for (let client = 0; client < clients; client++) {
    queue.push(phases[client], { kind: 'start', client, index: 0 })
  }

  // the server's answer to an attempt sent at `sent`
  const answer = (sent: number): Failure | undefined => {
    attempts++
    if (sent >= outageStart && sent < outageEnd) {
      outageAttempts++
    }
    const w = Math.floor(sent / window)
    if (w < windowCount) windowAttempts[w]++
    if (sent >= outageStart && sent < outageEnd) {
      return 'outage'
    }
    const tick = Math.floor(sent / TICK)
    const count = served[tick] ?? 0
    served[tick] = count + 1
    if (count >= perTick) {
      return 'overloaded'
    }
    if (w < windowCount) windowSuccesses[w]++
    return undefined
  }

  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    now = next.time
    const event = next.event
    if (event.kind === 'start') {
      const { client, index } = event
      const following = phases[client] + (index + 1) * period
      if (following < duration) {
        queue.push(following, { kind: 'start', client, index: index + 1 })
      }
      requests++
      if (now >= outageStart && now < outageEnd) outageRequests++
      budgets?.[event.client].onRequest()
      queue.push(now + latency, { kind: 'answer', request: { client, start: now, state: schedule.initial }, sent: now })
      continue
    }
    const { request } = event
    const budget = budgets?.[request.client]
    const failure = answer(event.sent)
    // the driver's own bookkeeping and decision, in the driver's order
    record(budget, failure === undefined ? right(undefined) : left(failure))
    if (failure === undefined) {
      succeeded++
      continue
    }
    const decision = decide('simulate', schedule, request.state, failure, { now, start: request.start, random }, budget)
    if (decision._tag === 'Done') {
      if (decision.stoppedBy === 'schedule') stoppedBySchedule++
      else stoppedByBudget++
      continue
    }
    request.state = decision.state
    const sent = now + decision.delay
    queue.push(sent + latency, { kind: 'answer', request, sent })
  }

  let recovered = windowCount
  for (let w = windowCount - 1; w >= 0 && w * window >= outageEnd; w--) {
    if (windowAttempts[w] > 0 && windowSuccesses[w] / windowAttempts[w] < RECOVERED) break
    recovered = w
  }
  const budgetStats = (budgets ?? []).map((budget) => budget.stats())
  const denied = budgetStats.reduce((sum, stats) => sum + stats.denied, 0)
  return {
    outageRequests,
    outageAttempts,
    peakAttemptsPerSec: (Math.max(...windowAttempts) * 1000) / window,
    recoveryMs: Math.max(0, recovered * window - outageEnd),
    requests,
    succeeded,
    attempts,
    denied,
    stoppedBySchedule,
    stoppedByBudget,
    budgetStats,
    windows: windowAttempts.map((a, w) => ({ attempts: a, successes: windowSuccesses[w] }))
  }
}

/** The backoff every retrying policy uses: up to 3 retries, exponential from 100 ms, full jitter. */
export const backoff: S.Schedule<Failure, unknown> = pipe(S.exponential(100), S.fullJitter, S.maxRetries(3))

/** The policies compared; budgets are per client, as gRPC keeps one per channel. */
export const outagePolicies: ReadonlyArray<FleetPolicy> = [
  { name: 'no retry', schedule: S.stop },
  { name: 'maxRetries(3), exponential 100 ms, full jitter', schedule: backoff },
  {
    name: '+ tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })',
    schedule: backoff,
    budget: () => Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
  },
  {
    name: '+ percent({ ttl: 10 s, minRetriesPerSec: 10, percentCanRetry: 0.2 })',
    schedule: backoff,
    budget: (clock) => Budget.percent({ ttl: 10_000, minRetriesPerSec: 10, percentCanRetry: 0.2 }, clock)
  },
  {
    name: '+ percent({ ttl: 10 s, minRetriesPerSec: 0.5, percentCanRetry: 0.1 })',
    schedule: backoff,
    budget: (clock) => Budget.percent({ ttl: 10_000, minRetriesPerSec: 0.5, percentCanRetry: 0.1 }, clock)
  }
]

/** One row of the outage table. */
export interface OutageRow {
  readonly experiment: 'outage'
  readonly policy: string
  readonly clients: number
  /** Attempts sent during the outage per request started during it. */
  readonly attemptsPerRequest: number
  readonly peakAttemptsPerSec: number
  readonly recoveryMs: number
  /** Share of all requests that succeeded in the end. */
  readonly requestSuccess: number
  readonly deniedRetries: number
}

/** The scenario of the issue: 1,000 clients (100 in quick mode) at 10 requests a second for 60 s, down from 10 s to 40 s, 20% spare capacity. */
export const outageScenario = (quick: boolean): FleetOptions => {
  const clients = quick ? 100 : 1000
  return {
    clients,
    ratePerClient: 10,
    duration: 60_000,
    outageStart: 10_000,
    outageEnd: 40_000,
    capacity: clients * 10 * 1.2,
    latency: 10,
    window: 100,
    seed: 1
  }
}

/** Runs every policy through the scenario. */
export const outageExperiment = (options: { readonly quick: boolean }): ReadonlyArray<OutageRow> => {
  const scenario = outageScenario(options.quick)
  return outagePolicies.map((policy) => {
    const result = runFleet(policy, scenario)
    return {
      experiment: 'outage',
      policy: policy.name,
      clients: scenario.clients,
      attemptsPerRequest: result.outageAttempts / result.outageRequests,
      peakAttemptsPerSec: result.peakAttemptsPerSec,
      recoveryMs: result.recoveryMs,
      requestSuccess: result.succeeded / result.requests,
      deniedRetries: result.denied
    }
  })
}
