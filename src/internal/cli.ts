/**
 * The `schedule-ts explain` command: decodes a retry policy (a schedule config, a gRPC `retryPolicy`
 * or `hedgingPolicy`) and prints what it will do (`explain.ts` writes the report). `main` holds all
 * the logic and returns the exit status; `bin.ts` runs it with the process's arguments.
 *
 * @internal
 */
import * as fs from 'fs'
import type { Either } from 'fp-ts/Either'
import type * as t from 'io-ts'
import * as Config from '../Config'
import { type Explained, MAX_SIMULATED, report, UsageError } from './explain'
import { bimap } from './fp'
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
type Kind = Explained['kind']

interface Options {
  readonly kind: Kind | undefined
  readonly rows: number
  readonly samples: number
  readonly attemptDuration: number | undefined
  readonly policy: string
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

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

// an io-ts result turned into a ConfigError or an explanation
const explainWith = <A>(
  result: Either<t.Errors, A>,
  explain: (a: A) => Explained
): Either<Config.ConfigError, Explained> => bimap(result, Config.toConfigError, explain)

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

// the keys of a retryPolicy that a hedgingPolicy has not (all but maxAttempts)
const RETRY_ONLY: ReadonlyArray<string> = RETRY_KEYS.filter(
  (key) => !(HEDGING_KEYS as ReadonlyArray<string>).includes(key)
)

// a hedgingPolicy may be as short as {"maxAttempts": 2}, which is never a valid retryPolicy
const kindOf = (json: unknown): Kind =>
  !isObject(json) ? 'schedule' : has(json, RETRY_ONLY) ? 'grpc' : has(json, HEDGING_KEYS) ? 'hedging' : 'schedule'

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
