/**
 * The live part of `npm run demo`: a client calls the flaky local server (./server.ts) through
 * `fetch`, retried by a composed schedule with an attempt timeout and server hints, and prints each
 * attempt as it happens, then a summary.
 *
 * The client is written as an application would write it: the error type says what can go wrong,
 * `isTransient` says what is worth retrying, `retryAfter` reads the server's hint, and the policy is
 * one value built with `pipe`.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as S from '../../src/Schedule'
import * as Retry from '../../src/TaskEither'
import { type Behaviour, describe, type FlakyServer } from './server'

// -------------------------------------------------------------------------------------
// the client
// -------------------------------------------------------------------------------------

/** What a call can fail with, besides the attempt timeout the runner adds. */
export type FetchError =
  | {
      readonly _tag: 'HttpError'
      readonly status: number
      readonly statusText: string
      readonly retryAfter: O.Option<number>
    }
  | { readonly _tag: 'NetworkError'; readonly reason: string }

/** What the schedule is stepped with: a failed call, or an attempt that ran out of time. */
export type CallError = FetchError | Retry.AttemptTimeout

/** Timeouts, network errors, 408, 429 and 5xx are worth another try; any other status is final. */
export const isTransient = (e: CallError): boolean =>
  e._tag !== 'HttpError' || e.status === 408 || e.status === 429 || e.status >= 500

/** The server's hint, in ms, read from its `Retry-After` header when the call failed. */
export const retryAfter = (e: CallError): O.Option<number> => (e._tag === 'HttpError' ? e.retryAfter : O.none)

const CAP = 2_000
export const ATTEMPT_TIMEOUT = 500

/** Exponential backoff from 50 ms with jitter, server hints honoured, every delay at most 2 s, 6 retries. */
export const policy = pipe(
  S.exponential(50),
  S.jittered,
  S.withDelayHint(retryAfter),
  S.capDelay(CAP),
  S.whileInput(isTransient),
  S.maxRetries(6)
)

export const policyDescription =
  'exponential(50) · jittered · withDelayHint(Retry-After) · capDelay(2 s) · whileInput(transient) · maxRetries(6)'

const networkError = (error: unknown): FetchError => {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined
  return {
    _tag: 'NetworkError',
    reason:
      cause?.message !== undefined
        ? `${cause.message}${cause.code === undefined ? '' : ` (${cause.code})`}`
        : error instanceof Error
        ? error.message
        : String(error)
  }
}

/**
 * One GET of a JSON resource, aborted by `signal`. `connection: close` so that no idle socket
 * outlives the demo.
 */
export const getJson =
  (url: string) =>
  ({ signal }: Retry.AttemptContext): TE.TaskEither<FetchError, unknown> =>
    pipe(
      TE.tryCatch(() => fetch(url, { signal, headers: { connection: 'close' } }), networkError),
      TE.chain((response) =>
        response.ok
          ? TE.tryCatch(() => response.json() as Promise<unknown>, networkError)
          : pipe(
              // read the body so the connection is released, then fail with the status
              TE.tryCatch(() => response.text(), networkError),
              TE.chain(() =>
                TE.left<FetchError>({
                  _tag: 'HttpError',
                  status: response.status,
                  statusText: response.statusText,
                  retryAfter: S.parseRetryAfter(response.headers.get('retry-after'))
                })
              )
            )
      )
    )

// -------------------------------------------------------------------------------------
// printing
// -------------------------------------------------------------------------------------

export const formatMs = (ms: number): string => (ms >= 1_000 ? `${(ms / 1_000).toFixed(2)} s` : `${Math.round(ms)} ms`)

const describeError = (e: CallError): string => {
  switch (e._tag) {
    case 'HttpError':
      return `${e.status} ${e.statusText}${pipe(
        e.retryAfter,
        O.match(
          () => '',
          (ms) => `, Retry-After: ${ms / 1000}`
        )
      )}`
    case 'NetworkError':
      return `network error: ${e.reason}`
    case 'AttemptTimeout':
      return `no answer in ${e.timeout} ms: attempt timeout`
  }
}

/** Why the schedule chose `delay` after `error`: the server's hint, the backoff, or the cap. */
const why = (error: CallError, delay: number): string =>
  pipe(
    retryAfter(error),
    O.filter((hint) => delay === Math.min(hint, CAP)),
    O.match(
      () => (delay === CAP ? 'backoff, capped at 2 s' : 'backoff'),
      (hint) => (hint > CAP ? `Retry-After ${hint / 1000} s, capped at 2 s` : `Retry-After ${hint / 1000} s`)
    )
  )

const row = (start: number, attempt: number, outcome: string, next: string): string =>
  `  ${formatMs(start).padStart(8)}  ${String(attempt).padStart(7)}  ${outcome.padEnd(60)} ${next}`

// -------------------------------------------------------------------------------------
// a scenario
// -------------------------------------------------------------------------------------

export interface Scenario {
  readonly title: string
  readonly path: string
  readonly script: ReadonlyArray<Behaviour>
}

export interface Summary {
  readonly attempts: number
  readonly totalWait: number
  readonly elapsed: number
  readonly result: string
}

/** Calls `path` on the server through the retrying client, printing a line per attempt as it ends. */
export const runScenario = async (server: FlakyServer, scenario: Scenario): Promise<Summary> => {
  console.log(`\n${scenario.title}`)
  console.log(`  GET ${scenario.path}; the server answers, in turn: ${scenario.script.map(describe).join(', ')}`)
  console.log(`  ${'started'.padStart(8)}  attempt  ${'outcome'.padEnd(60)} then`)

  const t0 = performance.now()
  const now = (): number => performance.now() - t0
  const started = new Map<number, number>()
  let totalWait = 0

  const call = (context: Retry.AttemptContext): TE.TaskEither<FetchError, unknown> => {
    started.set(context.attempt, now())
    return getJson(`${server.origin}${scenario.path}`)(context)
  }

  const program = Retry.retryWithContext(policy, {
    attemptTimeout: ATTEMPT_TIMEOUT,
    onRetry: ({ attempt, error, delay }) => {
      totalWait += delay
      const start = started.get(attempt) ?? 0
      const outcome = `${describeError(error)} (${formatMs(now() - start)})`
      console.log(row(start, attempt, outcome, `retry in ${formatMs(delay)}: ${why(error, delay)}`))
    }
  })(call)

  const result = await program()
  const attempts = started.size
  const last = started.get(attempts) ?? 0
  const took = formatMs(now() - last)
  const summary: Summary = {
    attempts,
    totalWait,
    elapsed: now(),
    result:
      result._tag === 'Right'
        ? `200 OK ${JSON.stringify(result.right)}`
        : `failed: ${describeError(result.left)}${isTransient(result.left) ? '' : ' (not transient: not retried)'}`
  }
  console.log(
    row(
      last,
      attempts,
      `${result._tag === 'Right' ? `200 OK` : describeError(result.left)} (${took})`,
      result._tag === 'Right'
        ? 'done'
        : isTransient(result.left)
        ? 'give up: retries exhausted'
        : 'give up: not transient'
    )
  )
  console.log(`  summary`)
  console.log(
    `    attempts:   ${summary.attempts} (${summary.attempts - 1} ${
      summary.attempts === 2 ? 'retry' : 'retries'
    }); the server saw ${server.requests(scenario.path)} requests`
  )
  console.log(
    `    total wait: ${formatMs(summary.totalWait)} asleep between attempts, ${formatMs(summary.elapsed)} in all`
  )
  console.log(`    result:     ${summary.result}`)
  return summary
}
