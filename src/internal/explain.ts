/**
 * What a policy does, for people: the report of the `explain` command. A random policy is sampled
 * over many seeds (at most 2,000,000 retries in all) and each figure is computed once; a hedging
 * policy is shown as its launch times.
 *
 * @internal
 */
import * as S from '../Schedule'
import { MAX_ATTEMPTS } from './grpc'

/** What the command refuses, with exit status 2: a bad command line, or more work than its limit. */
export class UsageError {
  constructor(readonly message: string) {}
}

/** The most retries simulated to explain a random policy, over all its samples. */
export const MAX_SIMULATED = 2_000_000

const RANDOM_LIMIT = 1000
const DETERMINISTIC_LIMIT = 10_000
const BAR_WIDTH = 40

/** A decoded policy, ready to be explained. */
export interface Explained {
  readonly kind: 'schedule' | 'grpc' | 'hedging'
  readonly title: string
  readonly canonical: string
  readonly schedule: S.Schedule<unknown, number>
  readonly notes: ReadonlyArray<string>
  readonly limitHint: string
}

/** The options of the report. */
export interface ReportOptions {
  readonly rows: number
  readonly samples: number
  readonly attemptDuration: number | undefined
}

/** A count for people: `1,000`. */
export const formatCount = (n: number): string => n.toLocaleString('en-US')

// -------------------------------------------------------------------------------------
// sampling
// -------------------------------------------------------------------------------------

interface Stats {
  readonly min: number
  readonly median: number
  readonly max: number
  readonly count: number
}

const stats = (values: ReadonlyArray<number>): Stats => {
  const sorted = Float64Array.from(values).sort()
  const mid = Math.floor(sorted.length / 2)
  return {
    min: sorted[0],
    median: sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    max: sorted[sorted.length - 1],
    count: sorted.length
  }
}

/** Many runs of a schedule, held by retry: what every figure of the report is computed from. */
export interface Sample {
  readonly runs: number
  // delays[i], starts[i]: the delay before retry i (0-based) and the time that retry starts, for every run
  // that reached it; a time counts from the start of the first attempt
  readonly delays: ReadonlyArray<ReadonlyArray<number>>
  readonly starts: ReadonlyArray<ReadonlyArray<number>>
  // the number of retries of each run (at most the limit)
  readonly lengths: ReadonlyArray<number>
  readonly largestTotal: number
  // how many runs did not end within the limit
  readonly unfinished: number
}

const tooMuchWork = (samples: number, perRun: number, budget = MAX_SIMULATED): UsageError =>
  new UsageError(
    `--samples ${samples} is too many for this policy: it would simulate about ${formatCount(
      samples * perRun
    )} retries (${formatCount(perRun)} per seed), more than the limit of ${formatCount(
      budget
    )}; use --samples ${Math.floor(budget / perRun)} or fewer`
  )

/**
 * Runs the schedule with each random source, keeping at most `limit` retries of each run, and
 * simulating at most `budget` retries in all: past it, the command is refused, naming the limit.
 */
export const sample = (
  schedule: S.Schedule<unknown, number>,
  sources: ReadonlyArray<{ readonly seed?: number; readonly random?: () => number }>,
  limit: number,
  attemptDuration: number,
  budget = MAX_SIMULATED
): Sample => {
  const delays: Array<Array<number>> = []
  const starts: Array<Array<number>> = []
  const lengths: Array<number> = []
  let largestTotal = 0
  let simulated = 0
  let longest = 0
  let unfinished = 0
  for (const source of sources) {
    const steps = S.simulate({ ...source, steps: limit + 1, attemptDuration })(schedule)
    simulated += steps.length
    longest = Math.max(longest, steps.length)
    if (simulated > budget) {
      throw tooMuchWork(sources.length, longest, budget)
    }
    const kept = Math.min(steps.length, limit)
    let total = 0
    for (let i = 0; i < kept; i++) {
      const { delay, elapsed } = steps[i]
      if (i === delays.length) {
        delays.push([])
        starts.push([])
      }
      delays[i].push(delay)
      starts[i].push(elapsed + delay)
      total += delay
    }
    lengths.push(kept)
    largestTotal = Math.max(largestTotal, total)
    unfinished += steps.length > limit ? 1 : 0
  }
  return { runs: sources.length, delays, starts, lengths, largestTotal, unfinished }
}

// every run waits the same: the policy is not random
const allTheSame = ({ runs, delays, lengths, unfinished }: Sample): boolean =>
  (unfinished === 0 || unfinished === runs) &&
  lengths.every((n) => n === lengths[0]) &&
  delays.every((column) => column.every((d) => d === column[0]))

/** The sources of `sample` for seeds 0 to n - 1. */
export const seeds = (n: number): ReadonlyArray<{ readonly seed: number }> =>
  Array.from({ length: n }, (_, seed) => ({ seed }))

// -------------------------------------------------------------------------------------
// printing
// -------------------------------------------------------------------------------------

const trim = (text: string): string => (text.includes('.') ? text.replace(/\.?0+$/, '') : text)

/** A duration for people: `850ms`, `1.25s`, `2m 5s`, `1h 30m`, `3d 4h`. */
export const formatMs = (ms: number): string => {
  if (ms < 1000) {
    return `${trim(ms.toFixed(ms < 10 ? 2 : ms < 100 ? 1 : 0))}ms`
  }
  if (ms < 60_000) {
    return `${trim((ms / 1000).toFixed(2))}s`
  }
  if (ms < 3_600_000) {
    const seconds = Math.round(ms / 1000)
    return seconds % 60 === 0 ? `${seconds / 60}m` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`
  }
  if (ms < 86_400_000) {
    const minutes = Math.round(ms / 60_000)
    return minutes % 60 === 0 ? `${minutes / 60}h` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`
  }
  const hours = Math.round(ms / 3_600_000)
  return hours % 24 === 0 ? `${formatCount(hours / 24)}d` : `${formatCount(Math.floor(hours / 24))}d ${hours % 24}h`
}

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padStart(widths[column]))
      .join('  ')
      .trimEnd()
  )
}

// which retries (0-based) to show: all of them, or the first ones, a gap (-1) and the last
const selectRetries = (total: number, finished: boolean, capacity: number): ReadonlyArray<number> => {
  const all = Array.from({ length: Math.min(total, capacity) }, (_, i) => i)
  if (total <= capacity) {
    return all
  }
  return finished ? [...all.slice(0, capacity - 1), -1, total - 1] : [...all, -1]
}

const bar = (value: number, upTo: number, scale: number): string => {
  const cells = (x: number) => (x <= 0 || scale <= 0 ? 0 : Math.max(1, Math.round((x / scale) * BAR_WIDTH)))
  const full = cells(value)
  return `${'█'.repeat(full)}${'░'.repeat(Math.max(0, cells(upTo) - full))}`.padEnd(BAR_WIDTH)
}

// every random draw at its maximum: the longest each random delay can be
const AT_MAXIMUM = { random: () => 1 - Number.EPSILON / 2 }

// the figures of the retries shown, each computed once
const figures = (runs: Sample, retries: ReadonlyArray<number>): ReadonlyMap<number, readonly [Stats, Stats]> =>
  new Map(retries.filter((i) => i >= 0).map((i) => [i, [stats(runs.delays[i]), stats(runs.starts[i])]] as const))

const scheduleReport = (explained: Explained, options: ReportOptions): ReadonlyArray<string> => {
  const { schedule } = explained
  const attemptDuration = options.attemptDuration ?? 0
  // four seeds and the maximum draws: a policy is random when they do not all wait the same
  const probes = sample(schedule, [...seeds(4), AT_MAXIMUM], RANDOM_LIMIT, attemptDuration)
  const random = !allTheSame(probes)
  // refused before the work when the probes already show it is too much (and during it otherwise)
  const perRun = Math.max(...probes.lengths) + 1
  if (random && options.samples * perRun > MAX_SIMULATED) {
    throw tooMuchWork(options.samples, perRun)
  }
  const limit = random ? RANDOM_LIMIT : DETERMINISTIC_LIMIT
  const runs = sample(schedule, random ? seeds(options.samples) : seeds(1), limit, attemptDuration)
  const atMaximum = random ? sample(schedule, [AT_MAXIMUM], RANDOM_LIMIT, attemptDuration) : runs
  // when every draw at its maximum never stops, the worst case is unbounded even if the samples stop
  const finished = runs.unfinished === 0 && atMaximum.unfinished === 0
  const lengths = stats(runs.lengths)
  const varying = lengths.min !== lengths.max
  const show = (s: Stats, pick: 'min' | 'median' | 'max') => formatMs(s[pick])

  const lines: Array<string> = []
  lines.push(`Policy (${explained.title}): ${explained.canonical}`)
  lines.push(
    random
      ? `Random: figures are the min, median and max over ${formatCount(options.samples)} seeds.`
      : 'Deterministic: every run waits the same.'
  )
  if (attemptDuration > 0) {
    lines.push(`Each attempt is assumed to take ${formatMs(attemptDuration)}.`)
  }
  lines.push('')

  const retries = selectRetries(lengths.max, finished, options.rows - 1)
  const figuresOf = figures(runs, retries)
  const header = random
    ? ['attempt', 'delay min', 'median', 'max', 'cumulative min', 'median', 'max', ...(varying ? ['runs'] : [])]
    : ['attempt', 'delay', 'cumulative']
  const first = random ? ['1', '-', '-', '-', '0ms', '0ms', '0ms', ...(varying ? ['100%'] : [])] : ['1', '-', '0ms']
  const rows: Array<ReadonlyArray<string>> = [header, first]
  for (const i of retries) {
    const found = figuresOf.get(i)
    if (found === undefined) {
      rows.push(header.map((_, column) => (column === 0 ? '…' : '')))
      continue
    }
    const [d, c] = found
    rows.push(
      random
        ? [
            String(i + 2),
            show(d, 'min'),
            show(d, 'median'),
            show(d, 'max'),
            show(c, 'min'),
            show(c, 'median'),
            show(c, 'max'),
            ...(varying ? [`${trim(((100 * d.count) / runs.runs).toFixed(1))}%`] : [])
          ]
        : [String(i + 2), show(d, 'median'), show(c, 'median')]
    )
  }
  lines.push(...table(rows))
  lines.push('')

  if (!finished) {
    lines.push(`Attempts: unbounded (still retrying after ${formatCount(limit)} retries)`)
    lines.push('Worst-case total wait: unbounded')
  } else {
    lines.push(
      varying
        ? `Attempts: ${lengths.min + 1} to ${lengths.max + 1}, median ${trim(
            String(lengths.median + 1)
          )} (the first call and the retries)`
        : `Attempts: ${lengths.max + 1} (the first call and ${lengths.max} ${lengths.max === 1 ? 'retry' : 'retries'})`
    )
    const sampled = runs.largestTotal
    const bound = atMaximum.largestTotal
    lines.push(
      !random
        ? `Worst-case total wait: ${formatMs(sampled)}`
        : bound >= sampled
        ? `Worst-case total wait: ${formatMs(bound)} (every random draw at its maximum)`
        : `Worst-case total wait: ${formatMs(sampled)} (the largest of ${formatCount(options.samples)} seeds)`
    )
  }

  if (figuresOf.size > 0) {
    let scale = 0
    figuresOf.forEach(([d]) => {
      scale = Math.max(scale, d.max)
    })
    lines.push('')
    lines.push(random ? 'Delay before each attempt (█ median, ░ up to the max):' : 'Delay before each attempt:')
    const width = String(retries[retries.length - 1] + 2).length
    for (const i of retries) {
      const found = figuresOf.get(i)
      if (found === undefined) {
        lines.push(`${'…'.padStart(width)}`)
        continue
      }
      const [d] = found
      const label = random ? `${formatMs(d.median)} (max ${formatMs(d.max)})` : formatMs(d.median)
      lines.push(`${String(i + 2).padStart(width)} |${bar(d.median, d.max, scale)}| ${label}`)
    }
  }

  return !finished && explained.limitHint !== ''
    ? [...lines, '', ...explained.notes, `Note: this policy never gives up by itself; ${explained.limitHint}.`]
    : explained.notes.length > 0
    ? [...lines, '', ...explained.notes]
    : lines
}

// a hedging policy launches its attempts on a timer, whatever they take: its report is when
const hedgingReport = (explained: Explained, options: ReportOptions): ReadonlyArray<string> => {
  if (options.attemptDuration !== undefined) {
    throw new UsageError('--attempt-duration does not apply to a hedging policy: its launches do not wait for attempts')
  }
  const launches = S.simulate({ steps: MAX_ATTEMPTS })(explained.schedule)
  const retries = selectRetries(launches.length, true, options.rows - 1)
  const rows: Array<ReadonlyArray<string>> = [
    ['attempt', 'launched at'],
    ['1', '0ms']
  ]
  for (const i of retries) {
    rows.push(i < 0 ? ['…', ''] : [String(i + 2), formatMs(launches[i].elapsed + launches[i].delay)])
  }
  // maxAttempts is at least 2: there is at least one hedge
  const hedges = launches.length
  const last = launches[hedges - 1].elapsed + launches[hedges - 1].delay
  return [
    `Policy (${explained.title}): ${explained.canonical}`,
    'Hedging: each attempt is launched without waiting for the earlier ones to fail, until one succeeds.',
    '',
    ...table(rows),
    '',
    `Attempts: at most ${hedges + 1} (the first call and ${hedges} ${
      hedges === 1 ? 'hedge' : 'hedges'
    }), the last launched at ${formatMs(last)}`,
    '',
    ...explained.notes
  ]
}

/** The report of a policy: a table, the attempts, the worst case and a chart, or the launches of a hedging policy. */
export const report = (explained: Explained, options: ReportOptions): string =>
  `${(explained.kind === 'hedging' ? hedgingReport : scheduleReport)(explained, options).join('\n')}\n`
