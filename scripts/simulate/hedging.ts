/**
 * Hedging a heavy tail: a service whose attempts usually take about 10 ms but now and then 1 to 2 s,
 * called with and without hedges, and what each policy does to the tail latency and to the load.
 *
 * The model (documented in docs/guide/hedging.md):
 *
 * - requests arrive at `ratePerSec`, in batches of `batch` every `batch / ratePerSec` seconds;
 * - each attempt takes `FAST_MIN` ms plus an exponential of mean `FAST_MEAN - FAST_MIN` ms (about
 *   10 ms), or, independently of every other attempt and with probability `slowShare`, a time drawn
 *   uniformly between 1 and 2 s; the draws are made per request and attempt number before the run,
 *   so every policy meets the same service (common random numbers);
 * - in the slowdown scenario, every attempt launched between `slowdown.start` and `slowdown.end`
 *   takes its slow time: the service is in trouble for everyone, and hedges only add load (the
 *   model does not make the service slower under that load: it understates the harm);
 * - the service answers every attempt: there are no failures, only latency.
 *
 * Each request is a real `TaskEither.hedge` call (the library's runner, schedules and budgets, with
 * the decisions it takes), and each attempt sleeps on one shared `TestClock`, aborted through its
 * signal when it loses. All requests run concurrently in virtual time: 10,000 of them take about a
 * second of real time per policy, and nothing is re-implemented.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as Budget from '../../src/Budget'
import type { Clock } from '../../src/Clock'
import { seeded } from '../../src/internal/random'
import * as S from '../../src/Schedule'
import * as Retry from '../../src/TaskEither'
import * as TestClock from '../../src/TestClock'

/** The fastest an attempt answers, ms. */
export const FAST_MIN = 8
/** The mean time of an attempt that is not slow, ms. */
export const FAST_MEAN = 10
/** The bounds of a slow attempt's time, ms. */
export const SLOW_MIN = 1000
export const SLOW_MAX = 2000
/** The most attempts a policy of the experiment may launch per request. */
export const MAX_ATTEMPTS = 3
/** The window over which the peak load is measured, ms. */
export const PEAK_WINDOW = 1000

/** The service and the traffic. */
export interface HedgingScenario {
  readonly name: string
  readonly requests: number
  readonly ratePerSec: number
  /** Requests that arrive together. */
  readonly batch: number
  /** The chance that an attempt is slow. */
  readonly slowShare: number
  /** While every attempt is slow, ms since the first request arrived. */
  readonly slowdown?: { readonly start: number; readonly end: number } | undefined
  readonly seed: number
}

/** A hedging policy: the schedule of launches, and a budget shared by every request (or none). */
export interface HedgingPolicy {
  readonly name: string
  /** The delay before each hedge, ms (null without hedging). */
  readonly delay: number | null
  readonly schedule: S.Schedule<unknown, unknown>
  readonly budget?: ((clock: Clock) => Budget.Budget & { readonly stats: () => Budget.BudgetStats }) | undefined
}

/** What a run measured. */
export interface HedgingResult {
  /** Each request's latency, from its arrival to its result, ms, by request. */
  readonly latencies: ReadonlyArray<number>
  /** Attempts launched in all. */
  readonly attempts: number
  /** Attempts per request, by second of arrival. */
  readonly attemptsPerWindow: ReadonlyArray<number>
  readonly requestsPerWindow: ReadonlyArray<number>
  /** Launches the budget denied. */
  readonly denied: number
}

/**
 * The service of a scenario: how long attempt `attempt` of request `i` takes when launched at `at`
 * (ms of virtual time). Every time is drawn up front, three per request in order, so that it does not
 * depend on the order in which attempts are launched.
 */
export const service = (scenario: HedgingScenario): ((i: number, attempt: number, at: number) => number) => {
  const random = seeded(scenario.seed)
  const size = scenario.requests * MAX_ATTEMPTS
  const fast = new Float64Array(size)
  const slow = new Float64Array(size)
  const isSlow = new Uint8Array(size)
  for (let k = 0; k < size; k++) {
    isSlow[k] = random() < scenario.slowShare ? 1 : 0
    // 1 - random() is in (0, 1]: the log is finite
    fast[k] = FAST_MIN - (FAST_MEAN - FAST_MIN) * Math.log(1 - random())
    slow[k] = SLOW_MIN + (SLOW_MAX - SLOW_MIN) * random()
  }
  const { slowdown } = scenario
  return (i, attempt, at) => {
    if (attempt > MAX_ATTEMPTS) {
      throw new Error(`attempt ${attempt} of request ${i}: the experiment draws ${MAX_ATTEMPTS} per request`)
    }
    const k = i * MAX_ATTEMPTS + attempt - 1
    const down = slowdown !== undefined && at >= slowdown.start && at < slowdown.end
    return isSlow[k] === 1 || down ? slow[k] : fast[k]
  }
}

/** When request `i` arrives, ms. */
export const arrival = (scenario: HedgingScenario, i: number): number =>
  (Math.floor(i / scenario.batch) * scenario.batch * 1000) / scenario.ratePerSec

/** The `q`-quantile of sorted values, by nearest rank: the smallest value with at least `q` of them at or below it. */
export const quantile = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]

/** A run's latencies, from the fastest to the slowest. */
export const sortedLatencies = (result: HedgingResult): ReadonlyArray<number> =>
  result.latencies.slice().sort((a, b) => a - b)

/** Runs every request of the scenario through `TaskEither.hedge` with the policy, on one TestClock. */
export const runHedging = async (policy: HedgingPolicy, scenario: HedgingScenario): Promise<HedgingResult> => {
  const attemptTime = service(scenario)
  const clock = TestClock.make()
  const budget = policy.budget?.(clock)
  const hedged = Retry.hedge(policy.schedule, { clock, budget, random: seeded(scenario.seed + 1) })
  const n = scenario.requests
  const latencies = new Array<number>(n)
  const windows = Math.ceil((arrival(scenario, n - 1) + 1) / PEAK_WINDOW)
  const attemptsPerWindow = new Array<number>(windows).fill(0)
  const requestsPerWindow = new Array<number>(windows).fill(0)
  let attempts = 0

  const request = (i: number): Promise<void> => {
    const start = clock.now()
    const window = Math.floor(start / PEAK_WINDOW)
    requestsPerWindow[window]++
    const call = hedged(({ attempt, signal }: Retry.AttemptContext<'aborted'>) => () => {
      const ms = attemptTime(i, attempt, clock.now())
      attempts++
      attemptsPerWindow[window]++
      // a loser's sleep is aborted through its signal: it leaves the clock, and its Left is ignored
      return clock.sleep(ms, signal).then(
        () => E.right(attempt),
        () => E.left('aborted' as const)
      )
    })
    return call().then((result) => {
      if (E.isLeft(result)) throw new Error(`${policy.name}: request ${i} failed`)
      latencies[i] = clock.now() - start
    })
  }

  // one sleep per batch: each wake-up of the TestClock costs two turns of the event loop
  const batches: Array<Promise<void>> = []
  for (let first = 0; first < n; first += scenario.batch) {
    const last = Math.min(n, first + scenario.batch)
    batches.push(
      clock.sleep(arrival(scenario, first)).then(() => {
        const runs: Array<Promise<void>> = []
        for (let i = first; i < last; i++) runs.push(request(i))
        return Promise.all(runs).then(() => undefined)
      })
    )
  }
  // handled from now on: a defect in a run rejects here, never as an unhandled rejection
  const all = Promise.all(batches)
  all.catch(() => undefined)
  await clock.runAll()
  await all
  return {
    latencies,
    attempts,
    attemptsPerWindow,
    requestsPerWindow,
    denied: budget === undefined ? 0 : budget.stats().denied
  }
}

/** The traffic: 10,000 requests (2,000 in quick mode) at 1,000 a second; a heavy tail, or a slowdown of everyone for a fifth of the time. */
export const hedgingScenarios = (quick: boolean): ReadonlyArray<HedgingScenario> => {
  const requests = quick ? 2_000 : 10_000
  const base = { requests, ratePerSec: 1000, batch: 10, slowShare: 0.02, seed: 1 }
  const span = (requests * 1000) / base.ratePerSec
  return [
    { ...base, name: 'heavy tail' },
    { ...base, name: 'slowdown', slowdown: { start: 0.4 * span, end: 0.6 * span } }
  ]
}

/** The budget of the last policy: hedges up to 10% of the requests of the last second, plus 10 a second. */
export const hedgingBudget = (clock: Clock) =>
  Budget.percent({ ttl: 1000, minRetriesPerSec: 10, percentCanRetry: 0.1 }, clock)

/** The baseline: one attempt per request. */
export const noHedging: HedgingPolicy = { name: 'no hedging', delay: null, schedule: S.stop }

/** One hedge, `delay` ms after the first attempt (the latency percentile named `percentile`). */
export const oneHedge = (percentile: string, delay: number): HedgingPolicy => ({
  name: `one hedge after the ${percentile} (${delay} ms)`,
  delay,
  schedule: pipe(S.constant(delay), S.maxRetries(1))
})

/** The policies of every scenario, for a hedge delay of `delay` ms (the p95 observed without hedging). */
export const hedgingPolicies = (delay: number): ReadonlyArray<HedgingPolicy> => [
  noHedging,
  oneHedge('p95', delay),
  { name: `two hedges, ${delay} ms apart`, delay, schedule: pipe(S.constant(delay), S.maxRetries(2)) },
  {
    name: `two hedges, ${delay} ms apart, percent budget 10%`,
    delay,
    schedule: pipe(S.constant(delay), S.maxRetries(2)),
    budget: hedgingBudget
  }
]

/** The other percentiles the heavy tail is hedged after, to show how the delay trades load for latency. */
export const OTHER_PERCENTILES: ReadonlyArray<readonly [string, number]> = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p99', 0.99]
]

/** One row of the hedging table. */
export interface HedgingRow {
  readonly experiment: 'hedging'
  readonly scenario: string
  readonly policy: string
  readonly requests: number
  /** The delay before each hedge, ms (null without hedging). */
  readonly hedgeDelayMs: number | null
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  /** The 99.99th percentile: with 10,000 requests, the second slowest; the slowest in quick mode. */
  readonly p9999Ms: number
  /** Attempts beyond one per request, as a share of the requests, in %. */
  readonly extraLoadPercent: number
  /** The same over the requests that arrived in the worst second. */
  readonly peakExtraLoadPercent: number
  /** Hedges the budget denied. */
  readonly deniedLaunches: number
}

/** A policy's run, with its latencies, for the chart. */
export interface HedgingRun {
  readonly row: HedgingRow
  readonly result: HedgingResult
}

const toRow = (scenario: HedgingScenario, policy: HedgingPolicy, result: HedgingResult) => {
  const n = scenario.requests
  const sorted = sortedLatencies(result)
  const peak = Math.max(...result.attemptsPerWindow.map((a, w) => a / result.requestsPerWindow[w]))
  const row: HedgingRow = {
    experiment: 'hedging',
    scenario: scenario.name,
    policy: policy.name,
    requests: n,
    hedgeDelayMs: policy.delay,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    p999Ms: quantile(sorted, 0.999),
    p9999Ms: quantile(sorted, 0.9999),
    extraLoadPercent: ((result.attempts - n) / n) * 100,
    peakExtraLoadPercent: (peak - 1) * 100,
    deniedLaunches: result.denied
  }
  return row
}

/** A latency percentile of a run, rounded up to a whole ms: a hedge delay. */
const observedDelay = (observed: HedgingResult, q: number): number => Math.ceil(quantile(sortedLatencies(observed), q))

/**
 * Runs the experiment: first without hedging on the heavy tail, to observe its latencies; then every
 * policy in every scenario, with the p95 observed, rounded up to a whole ms, as the hedge delay. The
 * heavy tail is also hedged once after the p50, the p90 and the p99, listed by delay.
 */
export const hedgingRuns = async (options: { readonly quick: boolean }): Promise<ReadonlyArray<HedgingRun>> => {
  const scenarios = hedgingScenarios(options.quick)
  const observed = await runHedging(noHedging, scenarios[0])
  const [none, p95, ...others] = hedgingPolicies(observedDelay(observed, 0.95))
  const percentiles = [...OTHER_PERCENTILES.map(([name, q]) => oneHedge(name, observedDelay(observed, q))), p95].sort(
    (a, b) => (a.delay as number) - (b.delay as number)
  )
  const runs: Array<HedgingRun> = [{ row: toRow(scenarios[0], none, observed), result: observed }]
  for (const scenario of scenarios) {
    const policies = scenario === scenarios[0] ? [...percentiles, ...others] : [none, p95, ...others]
    for (const policy of policies) {
      const result = await runHedging(policy, scenario)
      runs.push({ row: toRow(scenario, policy, result), result })
    }
  }
  return runs
}

/** The rows of the experiment, for `npm run simulate`. */
export const hedgingExperiment = async (options: { readonly quick: boolean }): Promise<ReadonlyArray<HedgingRow>> =>
  (await hedgingRuns(options)).map((run) => run.row)

/** What "The Tail at Scale" (Dean and Barroso, 2013) measured: a hedged request sent after 10 ms, on a BigTable read. */
export const PAPER = { p999BeforeMs: 1800, p999AfterMs: 74, extraPercent: 2 } as const

const ms = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1))
const percent = (x: number): string => `${x.toFixed(1)}%`

/** The hedging tables, as Markdown; `table` lays out a header and rows. */
export const hedgingTable = (
  rows: ReadonlyArray<HedgingRow>,
  table: (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) => string
): string => {
  const [first] = rows
  const scenarios = [...new Set(rows.map((r) => r.scenario))]
  // the same in both sizes
  const { ratePerSec, slowShare } = hedgingScenarios(false)[0]
  const description: Record<string, string> = {
    'heavy tail': `each attempt takes ${FAST_MIN} ms + an exponential of mean ${FAST_MEAN - FAST_MIN} ms, or (${
      slowShare * 100
    }% of attempts, independently) ${SLOW_MIN / 1000}-${SLOW_MAX / 1000} s`,
    slowdown: 'the same, except that every attempt launched during the middle fifth of the run takes 1-2 s'
  }
  const sections = scenarios.map((scenario) => {
    const these = rows.filter((r) => r.scenario === scenario)
    const base = these[0]
    return [
      `Hedging, ${scenario}: ${these[0].requests.toLocaleString('en-US')} requests at ${ratePerSec.toLocaleString(
        'en-US'
      )}/s; ${description[scenario] ?? scenario}; each hedge delay is a latency percentile observed without hedging`,
      '',
      table(
        [
          'policy',
          'p50 (ms)',
          'p99 (ms)',
          'p99.9 (ms)',
          'p99.99 (ms)',
          'p99.9 cut',
          'extra attempts',
          'extra, worst second',
          'hedges denied'
        ],
        these.map((r) => [
          r.policy,
          ms(r.p50Ms),
          ms(r.p99Ms),
          ms(r.p999Ms),
          ms(r.p9999Ms),
          `${(base.p999Ms / r.p999Ms).toFixed(1)}x`,
          percent(r.extraLoadPercent),
          percent(r.peakExtraLoadPercent),
          r.deniedLaunches.toLocaleString('en-US')
        ])
      )
    ].join('\n')
  })
  const one = rows.find((r) => r.scenario === first.scenario && r.policy.startsWith('one hedge after the p95')) ?? first
  const paper = `"The Tail at Scale" (Dean and Barroso, 2013): a hedged request sent after 10 ms cut a BigTable read's p99.9 from ${PAPER.p999BeforeMs.toLocaleString(
    'en-US'
  )} ms to ${PAPER.p999AfterMs} ms (${(PAPER.p999BeforeMs / PAPER.p999AfterMs).toFixed(1)}x) for about ${
    PAPER.extraPercent
  }% more requests; here ${one.policy} cuts it from ${ms(first.p999Ms)} ms to ${ms(one.p999Ms)} ms (${(
    first.p999Ms / one.p999Ms
  ).toFixed(1)}x) for ${percent(one.extraLoadPercent)} more attempts.`
  return [...sections, paper].join('\n\n')
}
