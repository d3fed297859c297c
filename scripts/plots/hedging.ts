/**
 * Draws docs/img/hedging.svg, the chart of the hedging guide: the latency of each percentile of the
 * requests, from the median to the p99.99, with and without hedges, as measured by the hedging
 * experiment of `npm run simulate` (scripts/simulate/hedging.ts, full size: 10,000 requests, each a
 * real `TaskEither.hedge` call on a TestClock). The experiment is seeded, so the chart is the same on
 * every run. Called by `npm run docs:plots` (scripts/plots.ts), or alone:
 * `npx tsx scripts/plots/hedging.ts`.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type * as vl from 'vega-lite'
import { hedgingRuns, type HedgingRun, quantile, sortedLatencies } from '../simulate/hedging'
import { frameStyle, titleStyle, toSvg } from './svg'

/** The percentiles drawn, as nines: x = -log10(1 - q), from the median (0.30) to the p99.99 (4). */
const STEP = 0.02
const LAST = 4
const TICKS: ReadonlyArray<readonly [number, string]> = [
  [Math.log10(2), 'p50'],
  [1, 'p90'],
  [2, 'p99'],
  [3, 'p99.9'],
  [4, 'p99.99']
]

interface Point {
  readonly policy: string
  readonly nines: number
  readonly ms: number
}

/** The curve of each run: its latency at each drawn percentile. */
export const hedgingPoints = (runs: ReadonlyArray<HedgingRun>): ReadonlyArray<Point> =>
  runs.flatMap((run) => {
    const sorted = sortedLatencies(run.result)
    const points: Array<Point> = []
    for (let nines = Math.log10(2); nines <= LAST + 1e-9; nines += STEP) {
      points.push({ policy: run.row.policy, nines, ms: quantile(sorted, 1 - 10 ** -nines) })
    }
    return points
  })

const spec = (runs: ReadonlyArray<HedgingRun>): vl.TopLevelSpec => {
  const [first] = runs
  const labels = TICKS.map(([value, label]) => `abs(datum.value - ${value}) < 0.01 ? '${label}'`).join(' : ')
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `Hedging a heavy tail: ${first.row.requests.toLocaleString('en-US')} requests, latency by percentile`,
      subtitle: [
        'attempts take 8 ms + Exp(2 ms), or (2% of them, independently) 1 to 2 s',
        'each hedge delay is a latency percentile observed without hedging (npm run simulate)'
      ],
      ...titleStyle
    },
    width: 520,
    height: 280,
    ...frameStyle,
    padding: { left: 80, top: 72, right: 24, bottom: 44 },
    data: { values: hedgingPoints(runs) as Array<Point> },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
        encoding: {
          x: {
            field: 'nines',
            type: 'quantitative',
            title: 'percentile of requests',
            scale: { domain: [Math.log10(2), LAST] },
            axis: { values: TICKS.map(([value]) => value), labelExpr: `${labels} : ''`, grid: true }
          },
          y: {
            field: 'ms',
            type: 'quantitative',
            title: 'latency (ms, log scale)',
            scale: { type: 'log', domain: [5, 2500] },
            axis: { values: [5, 10, 20, 50, 100, 200, 500, 1000, 2000], format: ',.0f' }
          },
          color: {
            field: 'policy',
            type: 'nominal',
            title: null,
            scale: { domain: runs.map((run) => run.row.policy) },
            legend: { orient: 'top-left', labelLimit: 0, symbolType: 'stroke', symbolOpacity: 1 }
          },
          strokeDash: {
            field: 'policy',
            type: 'nominal',
            scale: {
              domain: runs.map((run) => run.row.policy),
              range: runs.map((run) => (run.row.policy.startsWith('two') ? [6, 3] : [1, 0]))
            },
            title: null
          }
        }
      }
    ]
  }
}

/** Renders the chart of `runs`, one curve each (two hedges drawn dashed). */
export const renderHedging = (runs: ReadonlyArray<HedgingRun>): Promise<string> => toSvg(spec(runs))

/** Runs the experiment (full size) and writes the chart to `dir`/hedging.svg; returns the file. */
export const writeHedgingChart = async (dir: string): Promise<string> => {
  const runs = await hedgingRuns({ quick: false })
  // the heavy tail; the budgeted policy draws the same curve as two hedges there (it denies nothing)
  const drawn = runs.filter(
    (run) =>
      run.row.scenario === 'heavy tail' &&
      /^(no hedging|one hedge after the p(95|99) |two hedges, \d+ ms apart$)/.test(run.row.policy)
  )
  const file = path.join(dir, 'hedging.svg')
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(file, await renderHedging(drawn))
  return file
}

if (require.main === module) {
  writeHedgingChart(path.resolve(__dirname, '..', '..', 'docs', 'img'))
    .then((file) => console.log(`${path.relative(process.cwd(), file)}  hedging: latency by percentile`))
    .catch((error: unknown) => {
      console.error(error)
      process.exitCode = 1
    })
}
