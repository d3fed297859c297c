/**
 * The simulated part of `npm run demo`: for three realistic policies, the timeline `simulate`
 * predicts: each retry's attempt number, its delay and the cumulative time, with a seeded random
 * source so the output is the same on every run.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as S from '../../src/Schedule'

interface HttpError {
  readonly status: number
  readonly retryAfterMs?: number
}

const isTransient = (e: HttpError): boolean => e.status === 429 || e.status >= 500

/** An HTTP client: exponential backoff with jitter, server hints honoured but capped, 5 retries. */
const httpClient = pipe(
  S.exponential(100),
  S.jittered,
  S.withDelayHint((e: HttpError) => O.fromNullable(e.retryAfterMs)),
  S.capDelay(5_000),
  S.whileInput(isTransient),
  S.maxRetries(5)
)

/** A database reconnect: decorrelated jitter up to 30 s, giving up after 2 minutes in all. */
const databaseReconnect = pipe(S.decorrelatedJitter({ base: 250, cap: 30_000 }), S.maxElapsed(120_000))

/** A polling job: three quick checks a second apart, then every 10 s at a fixed rate, for 10 polls. */
const pollingJob = pipe(S.spaced(1_000), S.maxRetries(3), S.andThen(S.fixed(10_000)), S.maxRetries(10))

const errors: ReadonlyArray<HttpError> = [
  { status: 503 },
  { status: 503, retryAfterMs: 2_000 },
  { status: 500 },
  { status: 429, retryAfterMs: 60_000 },
  { status: 502 },
  { status: 503 },
  { status: 503 }
]

const formatMs = (ms: number): string =>
  ms >= 60_000
    ? `${(ms / 60_000).toFixed(2)} min`
    : ms >= 1_000
    ? `${(ms / 1_000).toFixed(2)} s`
    : `${Math.round(ms)} ms`

const show = <In, Out>(
  title: string,
  description: string,
  schedule: S.Schedule<In, Out>,
  options: S.SimulationOptions<In>,
  note: (step: S.SimulationStep<Out>, i: number) => string = () => ''
): void => {
  const timeline = pipe(schedule, S.simulate(options))
  console.log(`\n${title}`)
  console.log(`  ${description}`)
  console.log(`  ${'attempt'.padEnd(8)} ${'delay'.padStart(10)} ${'cumulative'.padStart(12)}`)
  let cumulative = 0
  timeline.forEach((step, i) => {
    cumulative = step.elapsed + step.delay
    console.log(
      `  ${String(step.attempt + 1).padEnd(8)} ${formatMs(step.delay).padStart(10)} ${formatMs(cumulative).padStart(
        12
      )}  ${note(step, i)}`.trimEnd()
    )
  })
  console.log(`  -> ${timeline.length + 1} attempts at most, ${formatMs(cumulative)} before the last one starts`)
}

/** Prints the three simulated timelines. */
export const printSimulations = (): void => {
  console.log('\nWhat three policies will do (simulated, seed 1; attempt n waits `delay` first)')

  show(
    'HTTP client',
    'exponential(100) · jittered · withDelayHint(Retry-After) · capDelay(5 s) · whileInput(transient) · maxRetries(5)',
    httpClient,
    { steps: 20, inputs: errors, seed: 1, attemptDuration: 50 },
    (_, i) => {
      const e = errors[i]
      return `after ${e.status}${e.retryAfterMs === undefined ? '' : `, Retry-After ${formatMs(e.retryAfterMs)}`}`
    }
  )

  show('Database reconnect', 'decorrelatedJitter({ base: 250 ms, cap: 30 s }) · maxElapsed(2 min)', databaseReconnect, {
    steps: 100,
    seed: 1,
    attemptDuration: 20
  })

  show(
    'Polling job',
    'spaced(1 s) · maxRetries(3), then fixed(10 s) · maxRetries(10); each poll takes 300 ms',
    pollingJob,
    { steps: 100, seed: 1, attemptDuration: 300 }
  )
}
