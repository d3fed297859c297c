/**
 * The `schedule-ts explain` command: decodes a retry policy (a schedule config or a gRPC
 * `retryPolicy`) and prints what it will do. `main` holds all the logic and returns the exit status;
 * `bin.ts` runs it with the process's arguments.
 *
 * @internal
 */
import * as fs from 'fs'
import type { Either } from 'fp-ts/Either'
import type * as t from 'io-ts'
import * as Config from '../Config'
import * as S from '../Schedule'

/** Where `main` writes. */
export interface Output {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

/** The exit status of a successful run. */
export const EXIT_OK = 0

/** The exit status of a bad policy or a bad command line. */
export const EXIT_USAGE = 2

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
A gRPC service config fragment {"retryPolicy": {...}} is accepted too.

Options:
  --grpc                    read the policy as a gRPC retryPolicy
  --rows <n>                show at most n attempts in the table and chart (default 20)
  --samples <n>             how many seeds to sample a random policy with (default 1000)
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

const GRPC_KEYS = ['maxAttempts', 'initialBackoff', 'maxBackoff', 'backoffMultiplier', 'retryableStatusCodes']

interface Options {
  readonly grpc: boolean
  readonly rows: number
  readonly samples: number
  readonly attemptDuration: number
  readonly policy: string
}

class UsageError {
  constructor(readonly message: string) {}
}

// -------------------------------------------------------------------------------------
// command line
// -------------------------------------------------------------------------------------

const wholeNumber = (flag: string, text: string, min: number, max: number): number => {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`${flag} expects a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`)
  }
  return n
}

const parseOptions = (args: ReadonlyArray<string>): Options => {
  let grpc = false
  let rows = DEFAULT_ROWS
  let samples = DEFAULT_SAMPLES
  let attemptDuration = 0
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
        if (eq >= 0) {
          throw new UsageError('--grpc takes no value')
        }
        grpc = true
        break
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
  return { grpc, rows, samples, attemptDuration, policy: positional[0] }
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
    return JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`)
  }
}

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

interface Explained {
  readonly kind: string
  readonly canonical: string
  readonly schedule: S.Schedule<unknown, number>
  readonly notes: ReadonlyArray<string>
  readonly limitHint: string
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const GRPC_CODE_NUMBERS: Readonly<Record<string, number>> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16
}

// an io-ts result turned into a ConfigError or an explanation; fp-ts stays a type-only import, as in
// every module, since its subpaths do not load as ES modules in Node
const explainWith = <A>(
  result: Either<t.Errors, A>,
  explain: (a: A) => Explained
): Either<Config.ConfigError, Explained> =>
  result._tag === 'Left'
    ? { _tag: 'Left', left: Config.toConfigError(result.left) }
    : { _tag: 'Right', right: explain(result.right) }

const explainGrpc = (json: unknown): Either<Config.ConfigError, Explained> =>
  explainWith(Config.GrpcRetryPolicy.decode(json), (policy) => ({
    kind: 'gRPC retryPolicy',
    canonical: JSON.stringify(Config.GrpcRetryPolicy.encode(policy)),
    schedule: Config.fromGrpcRetryPolicy(policy).schedule,
    notes: [
      `Retryable status codes: ${policy.retryableStatusCodes
        .map((code) => `${code} (${GRPC_CODE_NUMBERS[code]})`)
        .join(', ')}`,
      ...(policy.maxAttempts > 5 ? [`Note: maxAttempts ${policy.maxAttempts} counts as 5, gRPC's limit.`] : [])
    ],
    limitHint: ''
  }))

const explainSchedule = (json: unknown): Either<Config.ConfigError, Explained> =>
  explainWith(Config.ScheduleConfig.decode(json), (config) => ({
    kind: 'schedule config',
    canonical: JSON.stringify(Config.encode(config)),
    schedule: Config.toSchedule(config),
    notes: [],
    limitHint: 'add maxRetries, maxElapsed or maxCumulativeDelay'
  }))

const explainPolicy = (json: unknown, grpc: boolean): Either<Config.ConfigError, Explained> => {
  if (isObject(json) && Object.keys(json).length === 1 && 'retryPolicy' in json) {
    return explainGrpc(json.retryPolicy)
  }
  return grpc || (isObject(json) && GRPC_KEYS.some((key) => key in json)) ? explainGrpc(json) : explainSchedule(json)
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

interface Run {
  readonly delays: ReadonlyArray<number>
  // the time from the start of the first attempt to the start of each later one
  readonly starts: ReadonlyArray<number>
  readonly finished: boolean
}

const toRun = (steps: ReadonlyArray<S.SimulationStep<number>>, limit: number): Run => {
  const kept = steps.slice(0, limit)
  return {
    delays: kept.map((s) => s.delay),
    starts: kept.map((s) => s.elapsed + s.delay),
    finished: steps.length <= limit
  }
}

const simulateRun = (
  schedule: S.Schedule<unknown, number>,
  seed: number,
  limit: number,
  attemptDuration: number
): Run => toRun(S.simulate({ steps: limit + 1, seed, attemptDuration })(schedule), limit)

// the run where every random draw is at its maximum: the largest delays for every built-in jitter
// every draw at its maximum: the longest each random delay can be
const runAtMaximum = (schedule: S.Schedule<unknown, number>, limit: number, attemptDuration: number): Run =>
  toRun(S.simulate({ steps: limit + 1, attemptDuration, random: () => 1 - Number.EPSILON / 2 })(schedule), limit)

const sameRun = (a: Run, b: Run): boolean =>
  a.finished === b.finished && a.delays.length === b.delays.length && a.delays.every((d, i) => d === b.delays[i])

const sum = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0)

interface Stats {
  readonly min: number
  readonly median: number
  readonly max: number
  readonly count: number
}

const stats = (values: ReadonlyArray<number>): Stats => {
  const sorted = values.slice().sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return {
    min: sorted[0],
    median: sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    max: sorted[sorted.length - 1],
    count: sorted.length
  }
}

// -------------------------------------------------------------------------------------
// printing
// -------------------------------------------------------------------------------------

const trim = (text: string): string => (text.includes('.') ? text.replace(/\.?0+$/, '') : text)

const formatCount = (n: number): string => n.toLocaleString('en-US')

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

const report = (explained: Explained, options: Options): string => {
  const { schedule, attemptDuration } = { schedule: explained.schedule, attemptDuration: options.attemptDuration }
  const probes = [0, 1, 2, 3].map((seed) => simulateRun(schedule, seed, RANDOM_LIMIT, attemptDuration))
  const atMaximum = runAtMaximum(schedule, RANDOM_LIMIT, attemptDuration)
  const random = !probes.every((run) => sameRun(run, atMaximum))
  const runs = random
    ? Array.from({ length: options.samples }, (_, seed) => simulateRun(schedule, seed, RANDOM_LIMIT, attemptDuration))
    : [simulateRun(schedule, 0, DETERMINISTIC_LIMIT, attemptDuration)]
  const limit = random ? RANDOM_LIMIT : DETERMINISTIC_LIMIT
  // when every draw at its maximum never stops, the worst case is unbounded even if the samples stop
  const finished = (random ? [...runs, atMaximum] : runs).every((run) => run.finished)
  const lengths = stats(runs.map((run) => run.delays.length))
  const varying = lengths.min !== lengths.max
  const show = (s: Stats, pick: 'min' | 'median' | 'max') => formatMs(s[pick])

  const lines: Array<string> = []
  lines.push(`Policy (${explained.kind}): ${explained.canonical}`)
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
  const delayStats = (i: number) => stats(runs.filter((run) => run.delays.length > i).map((run) => run.delays[i]))
  const startStats = (i: number) => stats(runs.filter((run) => run.starts.length > i).map((run) => run.starts[i]))
  const header = random
    ? ['attempt', 'delay min', 'median', 'max', 'cumulative min', 'median', 'max', ...(varying ? ['runs'] : [])]
    : ['attempt', 'delay', 'cumulative']
  const first = random ? ['1', '-', '-', '-', '0ms', '0ms', '0ms', ...(varying ? ['100%'] : [])] : ['1', '-', '0ms']
  const rows: Array<ReadonlyArray<string>> = [header, first]
  for (const i of retries) {
    if (i < 0) {
      rows.push(header.map((_, column) => (column === 0 ? '…' : '')))
      continue
    }
    const d = delayStats(i)
    const c = startStats(i)
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
            ...(varying ? [`${trim(((100 * d.count) / runs.length).toFixed(1))}%`] : [])
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
    const sampled = Math.max(...runs.map((run) => sum(run.delays)))
    const bound = sum(atMaximum.delays)
    lines.push(
      !random
        ? `Worst-case total wait: ${formatMs(sampled)}`
        : bound >= sampled
        ? `Worst-case total wait: ${formatMs(bound)} (every random draw at its maximum)`
        : `Worst-case total wait: ${formatMs(sampled)} (the largest of ${formatCount(options.samples)} seeds)`
    )
  }

  const charted = retries.filter((i) => i >= 0)
  if (charted.length > 0) {
    const scale = Math.max(...charted.map((i) => delayStats(i).max))
    lines.push('')
    lines.push(random ? 'Delay before each attempt (█ median, ░ up to the max):' : 'Delay before each attempt:')
    const width = String(Math.max(...charted) + 2).length
    for (const i of retries) {
      if (i < 0) {
        lines.push(`${'…'.padStart(width)}`)
        continue
      }
      const d = delayStats(i)
      const label = random ? `${formatMs(d.median)} (max ${formatMs(d.max)})` : formatMs(d.median)
      lines.push(`${String(i + 2).padStart(width)} |${bar(d.median, d.max, scale)}| ${label}`)
    }
  }

  const notes = [
    ...explained.notes,
    ...(!finished && explained.limitHint !== ''
      ? [`Note: this policy never gives up by itself; ${explained.limitHint}.`]
      : [])
  ]
  if (notes.length > 0) {
    lines.push('')
    lines.push(...notes)
  }
  return `${lines.join('\n')}\n`
}

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
    const explained = explainPolicy(json, options.grpc)
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
