/**
 * `npm run docs:plots`: renders, from `Schedule.simulate` with fixed seeds, one SVG chart per
 * constructor and per jitter kind into docs/img/: the delay before each retry against the retry's
 * number, over 200 seeds, as a median line with the p10–p90 range shaded dark and the min–max range
 * shaded light. Deterministic schedules draw a single line (every seed gives the same delays).
 * Calendar schedules (`Cron.cron`) are simulated from a fixed date, and their delays drawn in hours.
 *
 * Charts are specified with Vega-Lite and rendered to SVG by Vega on the server (no canvas, no
 * browser). The output is the same on every run, so regenerating only changes what changed.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pipe } from 'fp-ts/function'
import type * as vl from 'vega-lite'
import * as Cron from '../src/Cron'
import * as S from '../src/Schedule'
import { writeHedgingChart } from './plots/hedging'
import { frameStyle, titleStyle, toSvg } from './plots/svg'
import { writeTrace } from './plots/trace'

const SEEDS = 200
const OUT = path.resolve(__dirname, '..', 'docs', 'img')

interface Series {
  readonly label: string
  readonly schedule: S.Schedule<undefined, unknown>
  readonly attemptDuration?: number
  /** The time the first attempt starts (epoch ms for a calendar schedule; default 0). */
  readonly start?: number
}

interface Chart {
  readonly file: string
  readonly title: string
  readonly subtitle: string
  readonly retries: number
  readonly series: ReadonlyArray<Series>
  /** The unit of the delay axis (default: ms). */
  readonly unit?: { readonly name: string; readonly ms: number }
  /** The title of the horizontal axis (default: counts retries). */
  readonly xTitle?: string
}

const HOURS = { name: 'h', ms: 60 * 60 * 1000 }

const exp = S.exponential(100)

const charts: ReadonlyArray<Chart> = [
  // constructors
  {
    file: 'constant',
    title: 'constant(500)',
    subtitle: 'the same delay every time (alias spaced)',
    retries: 8,
    series: [{ label: 'constant(500)', schedule: S.constant(500) }]
  },
  {
    file: 'linear',
    title: 'linear(100)',
    subtitle: 'base · n, growing by base each retry',
    retries: 8,
    series: [{ label: 'linear(100)', schedule: S.linear(100) }]
  },
  {
    file: 'fibonacci',
    title: 'fibonacci(100)',
    subtitle: '100, 100, 200, 300, 500, ...: gentler than exponential',
    retries: 8,
    series: [{ label: 'fibonacci(100)', schedule: S.fibonacci(100) }]
  },
  {
    file: 'exponential',
    title: 'exponential(100) and exponential(100, 1.5)',
    subtitle: 'base · factor^(n − 1) for retry n: doubles by default',
    retries: 8,
    series: [
      { label: 'exponential(100)', schedule: S.exponential(100) },
      { label: 'exponential(100, 1.5)', schedule: S.exponential(100, 1.5) }
    ]
  },
  {
    file: 'fromDelays',
    title: 'fromDelays(100, 100, 1000, 5000)',
    subtitle: 'each listed delay once, then done',
    retries: 8,
    series: [{ label: 'fromDelays(100, 100, 1000, 5000)', schedule: S.fromDelays(100, 100, 1000, 5000) }]
  },
  {
    file: 'fixed',
    title: 'fixed(1000)',
    subtitle: 'fixed rate: the time left to the next 1 s boundary after the attempt ran',
    retries: 8,
    series: [
      { label: 'attempts take 100 ms', schedule: S.fixed(1000), attemptDuration: 100 },
      { label: 'attempts take 600 ms', schedule: S.fixed(1000), attemptDuration: 600 },
      { label: 'attempts take 1500 ms (overrun: next at once)', schedule: S.fixed(1000), attemptDuration: 1500 }
    ]
  },
  {
    file: 'windowed',
    title: 'windowed(1000)',
    subtitle: 'always waits for the next boundary',
    retries: 8,
    series: [
      { label: 'attempts take 100 ms', schedule: S.windowed(1000), attemptDuration: 100 },
      { label: 'attempts take 600 ms', schedule: S.windowed(1000), attemptDuration: 600 },
      {
        label: 'attempts take 1500 ms (overrun: waits for the next boundary)',
        schedule: S.windowed(1000),
        attemptDuration: 1500
      }
    ]
  },
  {
    file: 'decorrelatedJitter',
    title: 'decorrelatedJitter({ base: 100, cap: 5000 })',
    subtitle: 'AWS: min(cap, U(base, 3 · previous)): grows, and spreads clients out',
    retries: 10,
    series: [{ label: 'decorrelatedJitter', schedule: S.decorrelatedJitter({ base: 100, cap: 5000 }) }]
  },
  // jitter kinds, each on exponential(100)
  {
    file: 'jittered',
    title: 'exponential(100) · jittered',
    subtitle: 'd · U(0.8, 1.2): Effect’s default jitter',
    retries: 8,
    series: [{ label: 'jittered', schedule: pipe(exp, S.jittered) }]
  },
  {
    file: 'jitteredWith',
    title: 'exponential(100) · jitteredWith({ min: 0.5, max: 1.5 })',
    subtitle: 'd · U(min, max)',
    retries: 8,
    series: [{ label: 'jitteredWith', schedule: pipe(exp, S.jitteredWith({ min: 0.5, max: 1.5 })) }]
  },
  {
    file: 'fullJitter',
    title: 'exponential(100) · fullJitter',
    subtitle: 'U(0, d): AWS “full jitter”, the widest spread',
    retries: 8,
    series: [{ label: 'fullJitter', schedule: pipe(exp, S.fullJitter) }]
  },
  {
    file: 'equalJitter',
    title: 'exponential(100) · equalJitter',
    subtitle: 'd/2 + U(0, d/2): AWS “equal jitter”, keeps half the backoff',
    retries: 8,
    series: [{ label: 'equalJitter', schedule: pipe(exp, S.equalJitter) }]
  },
  {
    file: 'addJitter',
    title: 'exponential(100) · addJitter(1000)',
    subtitle: 'd + U(0, max): spreads small delays too',
    retries: 8,
    series: [{ label: 'addJitter(1000)', schedule: pipe(exp, S.addJitter(1000)) }]
  },
  {
    file: 'capped',
    title: 'exponential(100) · jittered · capDelay(5000)',
    subtitle: 'a cap after jitter is a hard bound: the band is clipped',
    retries: 10,
    series: [{ label: 'jittered, capped', schedule: pipe(exp, S.jittered, S.capDelay(5000)) }]
  },
  // calendar
  {
    file: 'cron',
    title: "Cron.cron('0 9 * * 1-5', { timezone: 'Europe/Paris' })",
    subtitle: 'the wait to 09:00 on the next weekday, from Thursday 27 March 2025 at noon UTC',
    retries: 12,
    unit: HOURS,
    xTitle: 'recurrence (n-th wait: before run n + 1)',
    series: [
      {
        label: 'weekdays at 09:00',
        schedule: Cron.cron('0 9 * * 1-5', { timezone: 'Europe/Paris' }),
        start: Date.UTC(2025, 2, 27, 12)
      }
    ]
  }
]

// -------------------------------------------------------------------------------------
// data
// -------------------------------------------------------------------------------------

interface Point {
  readonly series: string
  readonly retry: number
  readonly min: number
  readonly p10: number
  readonly median: number
  readonly p90: number
  readonly max: number
}

/** The q-quantile of sorted values, interpolated linearly. */
const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  const i = (sorted.length - 1) * q
  const low = Math.floor(i)
  const high = Math.ceil(i)
  return sorted[low] + (sorted[high] - sorted[low]) * (i - low)
}

const points = (chart: Chart): ReadonlyArray<Point> =>
  chart.series.flatMap((series) => {
    const runs = Array.from({ length: SEEDS }, (_, seed) =>
      pipe(
        series.schedule,
        S.simulate({
          steps: chart.retries,
          seed,
          attemptDuration: series.attemptDuration ?? 0,
          start: series.start ?? 0
        })
      ).map((step) => step.delay / (chart.unit?.ms ?? 1))
    )
    return Array.from({ length: chart.retries }, (_, i) => {
      const delays = runs.flatMap((run) => (i < run.length ? [run[i]] : [])).sort((a, b) => a - b)
      return delays.length === 0
        ? []
        : [
            {
              series: series.label,
              retry: i + 1,
              min: delays[0],
              p10: quantile(delays, 0.1),
              median: quantile(delays, 0.5),
              p90: quantile(delays, 0.9),
              max: delays[delays.length - 1]
            }
          ]
    }).flat()
  })

// -------------------------------------------------------------------------------------
// rendering
// -------------------------------------------------------------------------------------

const spec = (chart: Chart, values: ReadonlyArray<Point>): vl.TopLevelSpec => {
  const several = chart.series.length > 1
  const color = several
    ? {
        field: 'series',
        type: 'nominal' as const,
        title: null,
        scale: { domain: chart.series.map((series) => series.label) },
        legend: { orient: 'top-left' as const, labelLimit: 0, symbolType: 'stroke', symbolOpacity: 1 }
      }
    : { value: '#4c78a8' }
  const x = {
    field: 'retry',
    type: 'quantitative' as const,
    title: chart.xTitle ?? 'retry (n-th delay: before attempt n + 1)',
    scale: { domain: [1, chart.retries] },
    axis: { tickMinStep: 1, format: 'd' }
  }
  const y = { type: 'quantitative' as const, title: `delay (${chart.unit?.name ?? 'ms'})`, axis: { format: ',.0f' } }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: chart.title,
      subtitle: values.some((point) => point.min !== point.max)
        ? [chart.subtitle, `over ${SEEDS} seeds: the median as a line, p10–p90 shaded dark, min–max shaded light`]
        : [chart.subtitle, 'deterministic: every seed gives the same delays'],
      ...titleStyle
    },
    width: 520,
    height: 260,
    ...frameStyle,
    padding: { left: 80, top: 72, right: 24, bottom: 44 },
    data: { values: values as Array<Point> },
    layer: [
      {
        mark: { type: 'area', opacity: 0.15 },
        encoding: { x, y: { ...y, field: 'min' }, y2: { field: 'max' }, color, detail: { field: 'series' } }
      },
      {
        mark: { type: 'area', opacity: 0.3 },
        encoding: { x, y: { ...y, field: 'p10' }, y2: { field: 'p90' }, color, detail: { field: 'series' } }
      },
      {
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { x, y: { ...y, field: 'median' }, color, detail: { field: 'series' } }
      }
    ]
  }
}

const render = (chart: Chart): Promise<string> => toSvg(spec(chart, points(chart)))

const main = async (): Promise<void> => {
  fs.mkdirSync(OUT, { recursive: true })
  for (const chart of charts) {
    const file = path.join(OUT, `${chart.file}.svg`)
    fs.writeFileSync(file, await render(chart))
    console.log(`${path.relative(process.cwd(), file)}  ${chart.title}`)
  }
  console.log(`${path.relative(process.cwd(), await writeTrace(OUT))}  a trace of OpenTelemetry.retry`)
  console.log(`${path.relative(process.cwd(), await writeHedgingChart(OUT))}  hedging: latency by percentile`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
