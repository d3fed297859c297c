/**
 * The `schedule-ts explain` command: decodes a retry policy (a schedule config, a gRPC `retryPolicy`
 * or `hedgingPolicy`) and prints what it will do. `main` holds all the logic and returns the exit
 * status; `bin.ts` runs it with the process's arguments.
 *
 * The work is bounded whatever the options: a random policy is sampled at most 2,000,000 retries in
 * all (more is refused with exit status 2, naming the limit), and each figure is computed once.
 *
 * @internal
 */
import * as fs from 'fs'
import type { Either } from 'fp-ts/Either'
import type * as t from 'io-ts'
import * as Config from '../Config'
import * as S from '../Schedule'
import { describeStatusCode, HEDGING_KEYS, MAX_ATTEMPTS, RETRY_KEYS } from './grpc'

/** Where `main` writes. */
export interface Output {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

/** The exit status of a successful run. */
export const EXIT_OK = 0

/** The exit status of a bad policy or a bad command line. */
export const EXIT_USAGE = 2

/** The most retries simulated to explain a random policy, over all its samples. */
export const MAX_SIMULATED = 2_000_000

export const USAGE = `Usage: schedule-ts explain [options] <policy>

Shows what a retry policy will do: the delay before each attempt and the time since the first
attempt started (min, median and max over many seeds when the policy is random), the number of
attempts, the worst-case total wait, and a chart of the delays.

<policy> is inline JSON (starting with "{"), the path of a JSON file, or "-" for standard input.
It is either a schedule config, such as
  {"exponential": {"base": "100ms"}, "jitter": "full", "cap": "10s", "maxRetries": 5}
or a gRPC retryPolicy (recognised by its keys, or forced with --grpc), such as
  {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s",
   "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}
or a gRPC hedgingPolicy (recognised by its keys, or forced with --hedging), such as
  {"maxAttempts": 3, "hedgingDelay": "0.5s", "nonFatalStatusCodes": ["UNAVAILABLE"]}
whose launch times are shown. A gRPC service config fragment {"retryPolicy": {...}} or
{"hedgingPolicy": {...}} is accepted too.

Options:
  --grpc                    read the policy as a gRPC retryPolicy
  --hedging                 read the policy as a gRPC hedgingPolicy
  --rows <n>                show at most n attempts in the table and chart (default 20)
  --samples <n>             how many seeds to sample a random policy with (default 1000); at most
                            ${MAX_SIMULATED.toLocaleString('en-US')} retries are simulated in all
  --attempt-duration <d>    how long each attempt takes, such as "200ms" (default 0); it counts
                            toward maxElapsed and the cumulative time
  -h, --help                show this help

Exit status: 0 when the policy is valid, 2 when it is not or the command line is wrong.
`

const DEFAULT_ROWS = 20
const DEFAULT_SAMPLES = 1000
const RANDOM_LIMIT = 1000
const DETERMINISTIC_LIMIT = 10_000
const BAR_WIDTH = 40

type Kind = 'schedule' | 'grpc' | 'hedging'

interface Options {
  readonly kind: Kind | undefined
  readonly rows: number
  readonly samples: number
  readonly attemptDuration: number | undefined
  readonly policy: string
}

class UsageError {
  constructor(readonly message: string) {}
}

// -------------------------------------------------------------------------------------
// command line
// -------------------------------------------------------------------------------------

const formatCount = (n: number): string => n.toLocaleString('en-US')

const wholeNumber = (flag: string, text: string, min: number, max: number): number => {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`${flag} expects a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`)
  }
  return n
}

const parseOptions = (args: ReadonlyArray<string>): Options => {
  let kind: Kind | undefined
  let rows = DEFAULT_ROWS
  let samples = DEFAULT_SAMPLES
  let attemptDuration: number | undefined
  const positional: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const flag = eq < 0 ? arg : arg.slice(0, eq)
    const value = (): string => {
      if (eq >= 0) {
        return arg.slice(eq + 1)
      }
      if (i + 1 >= args.length) {
        throw new UsageError(`${flag} expects a value`)
      }
      return args[++i]
    }
    switch (flag) {
      case '--grpc':
      case '--hedging': {
        if (eq >= 0) {
          throw new UsageError(`${flag} takes no value`)
        }
        const forced = flag === '--grpc' ? 'grpc' : 'hedging'
        if (kind !== undefined && kind !== forced) {
          throw new UsageError('--grpc and --hedging cannot be used together')
        }
        kind = forced
        break
      }
      case '--rows':
        rows = wholeNumber(flag, value(), 2, 100_000)
        break
      case '--samples':
        samples = wholeNumber(flag, value(), 1, 100_000)
        break
      case '--attempt-duration': {
        const text = value()
        const decoded = Config.Duration.decode(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text)
        if (decoded._tag === 'Left') {
          throw new UsageError(`--attempt-duration: ${Config.toConfigError(decoded.left).problems[0].message}`)
        }
        attemptDuration = decoded.right
        break
      }
      default:
        throw new UsageError(`unknown option ${JSON.stringify(flag)}`)
    }
  }
  if (positional.length !== 1) {
    throw new UsageError(
      positional.length === 0 ? 'missing the policy to explain' : `expected one policy, got ${positional.length}`
    )
  }
  return { kind, rows, samples, attemptDuration, policy: positional[0] }
}

const readPolicy = (policy: string): unknown => {
  let text: string
  let source: string
  if (/^\s*[[{]/.test(policy)) {
    text = policy
    source = 'the inline policy'
  } else {
    source = policy === '-' ? 'standard input' : JSON.stringify(policy)
    try {
      text = fs.readFileSync(policy === '-' ? 0 : policy, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read ${source}: ${(error as Error).message}`)
    }
  }
  try {
    // a UTF-8 byte order mark, which some editors write at the start of a file, is not JSON
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text)
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`)
  }
}

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

interface Explained {
  readonly kind: Kind
  readonly title: string
  readonly canonical: string
  readonly schedule: S.Schedule<unknown, number>
  readonly notes: ReadonlyArray<string>
  readonly limitHint: string
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

// an io-ts result turned into a ConfigError or an explanation; fp-ts stays a type-only import, as in
// every module, since its subpaths do not load as ES modules in Node
const explainWith = <A>(
  result: Either<t.Errors, A>,
  explain: (a: A) => Explained
): Either<Config.ConfigError, Explained> =>
  result._tag === 'Left'
    ? { _tag: 'Left', left: Config.toConfigError(result.left) }
    : { _tag: 'Right', right: explain(result.right) }

const attemptsNote = (maxAttempts: number): ReadonlyArray<string> =>
  maxAttempts > MAX_ATTEMPTS ? [`Note: maxAttempts ${maxAttempts} counts as ${MAX_ATTEMPTS}, gRPC's limit.`] : []

const explainGrpc = (json: unknown): Either<Config.ConfigError, Explained> =>
  explainWith(Config.GrpcRetryPolicy.decode(json), (policy) => ({
    kind: 'grpc',
    title: 'gRPC retryPolicy',
    canonical: JSON.stringify(Config.GrpcRetryPolicy.encode(policy)),
    schedule: Config.fromGrpcRetryPolicy(policy).schedule,
    notes: [
      `Retryable status codes: ${policy.retryableStatusCodes.map(describeStatusCode).join(', ')}`,
      ...attemptsNote(policy.maxAttempts)
    ],
    limitHint: ''
  }))

const explainHedging = (json: unknown): Either<Config.ConfigError, Explained> =>
  explainWith(Config.GrpcHedgingPolicy.decode(json), (policy) => {
    const codes = policy.nonFatalStatusCodes ?? []
    return {
      kind: 'hedging',
      title: 'gRPC hedgingPolicy',
      canonical: JSON.stringify(Config.GrpcHedgingPolicy.encode(policy)),
      schedule: Config.fromGrpcHedgingPolicy(policy).schedule,
      notes: [
        codes.length === 0
          ? 'Non-fatal status codes: none, so the first failure ends the call.'
          : `Non-fatal status codes: ${codes.map(describeStatusCode).join(', ')}`,
        ...(codes.length === 0
          ? []
          : ['A failure with one of them launches the next attempt at once; any other status ends the call.']),
        ...attemptsNote(policy.maxAttempts)
      ],
      limitHint: ''
    }
  })

const explainSchedule = (json: unknown): Either<Config.ConfigError, Explained> =>
  explainWith(Config.ScheduleConfig.decode(json), (config) => ({
    kind: 'schedule',
    title: 'schedule config',
    canonical: JSON.stringify(Config.encode(config)),
    schedule: Config.toSchedule(config),
    notes: [],
    limitHint: 'add maxRetries, maxElapsed or maxCumulativeDelay'
  }))

const EXPLAIN: Readonly<Record<Kind, (json: unknown) => Either<Config.ConfigError, Explained>>> = {
  schedule: explainSchedule,
  grpc: explainGrpc,
  hedging: explainHedging
}

const has = (json: Record<string, unknown>, keys: ReadonlyArray<string>): boolean => keys.some((key) => key in json)

// a retryPolicy has keys a hedgingPolicy has not; a hedgingPolicy may be as short as {"maxAttempts": 2}
const kindOf = (json: unknown): Kind =>
  !isObject(json)
    ? 'schedule'
    : has(json, RETRY_KEYS.slice(1))
    ? 'grpc'
    : has(json, HEDGING_KEYS)
    ? 'hedging'
    : 'schedule'

const explainPolicy = (json: unknown, forced: Kind | undefined): Either<Config.ConfigError, Explained> => {
  if (isObject(json) && Object.keys(json).length === 1) {
    if ('retryPolicy' in json && forced !== 'hedging') {
      return explainGrpc(json.retryPolicy)
    }
    if ('hedgingPolicy' in json && forced !== 'grpc') {
      return explainHedging(json.hedgingPolicy)
    }
  }
  return EXPLAIN[forced ?? kindOf(json)](json)
}

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

const scheduleReport = (explained: Explained, options: Options): ReadonlyArray<string> => {
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
const hedgingReport = (explained: Explained, options: Options): ReadonlyArray<string> => {
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
  const hedges = launches.length
  const last = hedges === 0 ? 0 : launches[hedges - 1].elapsed + launches[hedges - 1].delay
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

const report = (explained: Explained, options: Options): string =>
  `${(explained.kind === 'hedging' ? hedgingReport : scheduleReport)(explained, options).join('\n')}\n`

// -------------------------------------------------------------------------------------
// main
// -------------------------------------------------------------------------------------

/**
 * Runs the command line `argv` (without the node and script paths) and returns the exit status:
 * 0 for a valid policy or `--help`, 2 for a bad policy or a bad command line.
 */
export const main = (argv: ReadonlyArray<string>, io: Output): number => {
  const fail = (message: string): number => {
    io.stderr(`schedule-ts: ${message}\nRun "schedule-ts --help" for usage.\n`)
    return EXIT_USAGE
  }
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    io.stdout(USAGE)
    return EXIT_OK
  }
  if (argv.length === 0) {
    io.stderr(USAGE)
    return EXIT_USAGE
  }
  if (argv[0] !== 'explain') {
    return fail(`unknown command ${JSON.stringify(argv[0])}; the only command is "explain"`)
  }
  try {
    const options = parseOptions(argv.slice(1))
    const json = readPolicy(options.policy)
    const explained = explainPolicy(json, options.kind)
    if (explained._tag === 'Left') {
      const { message, problems } = explained.left
      const count = `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`
      const lines = message.split('\n').map((line) => `  ${line}`)
      io.stderr(`schedule-ts explain: the policy is not valid (${count}):\n${lines.join('\n')}\n`)
      return EXIT_USAGE
    }
    io.stdout(report(explained.right, options))
    return EXIT_OK
  } catch (error) {
    if (error instanceof UsageError) {
      return fail(error.message)
    }
    throw error
  }
}
