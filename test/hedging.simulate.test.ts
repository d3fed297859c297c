/**
 * The hedging experiment of `npm run simulate` (scripts/simulate/hedging.ts), in quick mode: the
 * rows it prints, that it measures what `TaskEither.hedge` does, that it is deterministic, and that
 * it meets the goal of issue #15 (a hedged policy cuts the p99.9 at least 5x for at most 10% more
 * attempts).
 */
import { pipe } from 'fp-ts/function'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  hedgingExperiment,
  hedgingPolicies,
  type HedgingRow,
  type HedgingScenario,
  hedgingScenarios,
  hedgingTable,
  noHedging,
  quantile,
  runHedging,
  service
} from '../scripts/simulate/hedging'
import * as S from '../src/Schedule'

const KEYS = [
  'experiment',
  'scenario',
  'policy',
  'requests',
  'hedgeDelayMs',
  'p50Ms',
  'p99Ms',
  'p999Ms',
  'p9999Ms',
  'extraLoadPercent',
  'peakExtraLoadPercent',
  'deniedLaunches'
]

describe('the hedging experiment (quick)', () => {
  let rows: ReadonlyArray<HedgingRow> = []
  beforeAll(async () => {
    rows = await hedgingExperiment({ quick: true })
  }, 60_000)
  const find = (scenario: string, prefix: string): HedgingRow => {
    const found = rows.find((r) => r.scenario === scenario && r.policy.startsWith(prefix))
    if (found === undefined) throw new Error(`no row ${scenario} ${prefix}`)
    return found
  }

  const scenarioRows = (scenario: string) => rows.filter((r) => r.scenario === scenario)
  const p95 = () => find('heavy tail', 'one hedge after the p95').hedgeDelayMs as number

  it('has a row per scenario and policy, with the keys of the JSON output', () => {
    const [none, one, ...others] = hedgingPolicies(p95()).map((p) => p.name)
    expect(scenarioRows('heavy tail').map((r) => r.policy.replace(/\(\d+ ms\)$/, '(…)'))).toEqual([
      none,
      'one hedge after the p50 (…)',
      'one hedge after the p90 (…)',
      'one hedge after the p95 (…)',
      'one hedge after the p99 (…)',
      ...others
    ])
    expect(scenarioRows('slowdown').map((r) => r.policy)).toEqual([none, one, ...others])
    expect(rows).toHaveLength(11)
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(KEYS.slice().sort())
      expect(r.experiment).toBe('hedging')
      expect(r.requests).toBe(2000)
      for (const key of ['p50Ms', 'p99Ms', 'p999Ms', 'p9999Ms', 'extraLoadPercent', 'peakExtraLoadPercent'] as const) {
        expect(Number.isFinite(r[key])).toBe(true)
      }
      expect(r.p50Ms).toBeLessThanOrEqual(r.p99Ms)
      expect(r.p99Ms).toBeLessThanOrEqual(r.p999Ms)
      expect(r.p999Ms).toBeLessThanOrEqual(r.p9999Ms)
      expect(r.hedgeDelayMs === null).toBe(r.policy === noHedging.name)
      if (r.hedgeDelayMs !== null) expect(r.policy).toContain(`${r.hedgeDelayMs} ms`)
    }
  })

  it('each hedge delay is a latency percentile observed without hedging, rounded up', () => {
    const none = find('heavy tail', 'no hedging')
    expect(none.extraLoadPercent).toBe(0)
    expect(none.deniedLaunches).toBe(0)
    expect(find('heavy tail', 'one hedge after the p50').hedgeDelayMs).toBe(Math.ceil(none.p50Ms))
    expect(find('heavy tail', 'one hedge after the p99').hedgeDelayMs).toBe(Math.ceil(none.p99Ms))
    // attempts take 8 ms + Exp(2 ms) or, 2% of them, 1-2 s: the p95 is among the fast ones
    expect(p95()).toBeGreaterThan(10)
    expect(p95()).toBeLessThan(25)
    // the slow 2% make the tail: the p99 and p99.9 are over a second without hedging
    expect(none.p50Ms).toBeLessThan(12)
    expect(none.p99Ms).toBeGreaterThan(1000)
    expect(none.p999Ms).toBeGreaterThan(1000)
  })

  it('the earlier the hedge, the more load; after the p99 it comes too late to cut the tail', () => {
    const one = ['p50', 'p90', 'p95', 'p99'].map((p) => find('heavy tail', `one hedge after the ${p}`))
    const extra = one.map((r) => r.extraLoadPercent)
    expect(extra.slice().sort((a, b) => b - a)).toEqual(extra)
    expect(extra[0]).toBeGreaterThan(30)
    const none = find('heavy tail', 'no hedging')
    expect(none.p999Ms / one[3].p999Ms).toBeLessThan(2)
  })

  it('meets the goal: one hedge after the p95 cuts the p99.9 at least 5x for at most 10% more attempts', () => {
    const none = find('heavy tail', 'no hedging')
    const one = find('heavy tail', 'one hedge after the p95')
    expect(none.p999Ms / one.p999Ms).toBeGreaterThanOrEqual(5)
    expect(one.extraLoadPercent).toBeLessThanOrEqual(10)
    // about the 5% of requests still running at the p95 get a hedge
    expect(one.extraLoadPercent).toBeGreaterThan(2)
    // the median does not move
    expect(one.p50Ms).toBe(none.p50Ms)
  })

  it('a budget that the hedges stay under costs nothing when the service is healthy', () => {
    const two = find('heavy tail', 'two hedges')
    const budgeted = scenarioRows('heavy tail')[6]
    expect(budgeted.policy).toMatch(/percent budget 10%$/)
    expect(budgeted.deniedLaunches).toBe(0)
    expect({ ...budgeted, policy: two.policy }).toEqual(two)
  })

  it('in a slowdown hedges only add load, and the budget caps it', () => {
    const none = find('slowdown', 'no hedging')
    const one = find('slowdown', 'one hedge')
    const two = find('slowdown', 'two hedges')
    const budgeted = scenarioRows('slowdown')[3]
    expect(budgeted.policy).toMatch(/percent budget 10%$/)
    // every request of the slowdown is slow: one hedge adds about one attempt each, two about two
    expect(one.extraLoadPercent).toBeGreaterThan(20)
    expect(two.extraLoadPercent).toBeGreaterThan(2 * one.extraLoadPercent - 10)
    // and the p99.9 is no better than a second and a half
    for (const r of [one, two]) expect(r.p999Ms).toBeGreaterThan(1500)
    // the budget: 10% of the requests of the last second, plus 10 a second
    expect(budgeted.deniedLaunches).toBeGreaterThan(0)
    expect(budgeted.extraLoadPercent).toBeLessThan(12)
    expect(budgeted.peakExtraLoadPercent).toBeLessThan(two.peakExtraLoadPercent / 3)
    expect(none.extraLoadPercent).toBe(0)
  })

  it('prints a table per scenario and the comparison with the paper', () => {
    const table = (header: ReadonlyArray<string>, body: ReadonlyArray<ReadonlyArray<string>>) =>
      [header, ...body].map((cells) => cells.join(' | ')).join('\n')
    const text = hedgingTable(rows, table)
    const one = find('heavy tail', 'one hedge after the p95')
    expect(text).toContain('Hedging, heavy tail: 2,000 requests at 1,000/s')
    expect(text).toContain('Hedging, slowdown: 2,000 requests at 1,000/s')
    expect(text).toContain(`${one.policy} | ${one.p50Ms.toFixed(1)} |`)
    expect(text).toContain(
      `"The Tail at Scale" (Dean and Barroso, 2013): a hedged request sent after 10 ms cut a BigTable read's p99.9 from 1,800 ms to 74 ms (24.3x) for about 2% more requests; here ${one.policy} cuts it`
    )
  })
})

describe('the hedging experiment measures TaskEither.hedge', () => {
  const scenario: HedgingScenario = { ...hedgingScenarios(true)[0], requests: 300, slowShare: 0.2, seed: 7 }
  const time = service(scenario)

  it('each request takes as long as its fastest attempt, counted from its launch', async () => {
    const delay = 15
    const [none, one, two] = hedgingPolicies(delay)
    const results = await Promise.all([none, one, two].map((policy) => runHedging(policy, scenario)))
    const expected = (hedges: number) =>
      Array.from({ length: scenario.requests }, (_, i) =>
        Math.min(...Array.from({ length: hedges + 1 }, (_, k) => k * delay + time(i, k + 1, 0)))
      )
    results.forEach((result, hedges) => {
      const want = expected(hedges)
      result.latencies.forEach((latency, i) => expect(latency).toBeCloseTo(want[i], 9))
    })
    // a hedge is launched exactly when the attempts before it have not answered by then
    const launched = (hedges: number) => {
      let attempts = scenario.requests
      for (let k = 1; k <= hedges; k++) attempts += expected(k - 1).filter((latency) => latency > k * delay).length
      return attempts
    }
    expect(results.map((r) => r.attempts)).toEqual([scenario.requests, launched(1), launched(2)])
    // with a slow share of 20%, the scenario does hedge, twice for some requests
    expect(launched(1)).toBeGreaterThan(scenario.requests * 1.1)
    expect(launched(2)).toBeGreaterThan(launched(1))
  })

  it('is deterministic: the same scenario gives the same result, another seed another', async () => {
    const slowdown: HedgingScenario = {
      ...hedgingScenarios(true)[1],
      requests: 400,
      slowdown: { start: 100, end: 250 }
    }
    const budgeted = hedgingPolicies(15)[3]
    const once = await runHedging(budgeted, slowdown)
    const again = await runHedging(budgeted, slowdown)
    expect(again).toEqual(once)
    expect(once.denied).toBeGreaterThan(0)
    expect((await runHedging(budgeted, { ...slowdown, seed: 2 })).latencies).not.toEqual(once.latencies)
  })

  it('stops with an error, never a wrong figure, when a policy launches more attempts than drawn', async () => {
    const tooMany = { name: 'four hedges', delay: 1, schedule: pipe(S.constant(1), S.maxRetries(4)) }
    await expect(runHedging(tooMany, { ...scenario, requests: 20 })).rejects.toThrow(
      /attempt 4 of request \d+: the experiment draws 3 per request/
    )
  })

  it('quantile takes the nearest rank', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1)
    expect(quantile(sorted, 0.5)).toBe(500)
    expect(quantile(sorted, 0.999)).toBe(999)
    expect(quantile(sorted, 0.9999)).toBe(1000)
    expect(quantile(sorted, 0)).toBe(1)
    expect(quantile([3], 0.99)).toBe(3)
  })
})
