/**
 * The page the browser test loads: bundled by esbuild from the packed package (not from src/) and
 * run by headless Chromium. It retries `fetch` calls against the test's server and reports what
 * happened through `globalThis.scheduleTsResults`, a promise the test awaits.
 *
 * - `/flaky` fails twice (503), then answers: the retry must end with its answer after 3 attempts.
 * - `/down` always fails: the retry sleeps 60 s after the first failure, and the page aborts it
 *   50 ms into that sleep: the run must end at once, `Interrupted` with the last error.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { TaskEither } from 'fp-ts/TaskEither'
import * as S from 'schedule-ts/Schedule'
import * as Retry from 'schedule-ts/TaskEither'

/** A GET as a TaskEither: an error status or a network failure is a Left, never a rejection. */
const get =
  (path: string): TaskEither<string, unknown> =>
  () =>
    fetch(path, { cache: 'no-store' }).then(
      (response) => (response.ok ? response.json().then(E.right) : E.left(`HTTP ${response.status}`)),
      (error: unknown) => E.left(`network error: ${String(error)}`)
    )

export interface BrowserResults {
  readonly userAgent: string
  readonly flaky: {
    readonly result: E.Either<string, unknown>
    readonly retries: ReadonlyArray<{ readonly attempt: number; readonly error: string; readonly delay: number }>
  }
  readonly aborted: {
    readonly result: E.Either<unknown, unknown>
    /** Milliseconds from `abort()` to the end of the run, on the page's clock. */
    readonly settledAfterAbort: number
  }
}

const flaky = async (): Promise<BrowserResults['flaky']> => {
  const retries: Array<{ attempt: number; error: string; delay: number }> = []
  const policy = pipe(S.exponential(20), S.jittered, S.maxRetries(5))
  const result = await pipe(
    get('/flaky'),
    Retry.retry(policy, {
      onRetry: ({ attempt, error, delay }) => {
        retries.push({ attempt, error: String(error), delay })
      }
    })
  )()
  return { result, retries }
}

const aborted = async (): Promise<BrowserResults['aborted']> => {
  const controller = new AbortController()
  let abortedAt = 0
  const policy = pipe(S.constant(60_000), S.maxRetries(3))
  const result = await pipe(
    get('/down'),
    Retry.retry(policy, {
      signal: controller.signal,
      // announced right before the 60 s sleep: abort 50 ms into it
      onRetry: () => {
        setTimeout(() => {
          abortedAt = performance.now()
          controller.abort()
        }, 50)
      }
    })
  )()
  return { result, settledAfterAbort: performance.now() - abortedAt }
}

const run = async (): Promise<BrowserResults> => ({
  userAgent: navigator.userAgent,
  flaky: await flaky(),
  aborted: await aborted()
})

;(globalThis as { scheduleTsResults?: Promise<BrowserResults> }).scheduleTsResults = run()
