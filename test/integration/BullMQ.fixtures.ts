/**
 * What the BullMQ integration tests share with the worker they run in child processes
 * (./BullMQ.worker.ts): the policies, the strategy built from them, and a processor that fails a
 * job's first `data.failures` attempts.
 */
import type { Job } from 'bullmq'
import { pipe } from 'fp-ts/function'
import * as BullMQ from '../../src/BullMQ'
import * as S from '../../src/Schedule'

/** A transient error is worth another attempt; a job that fails with a `TypeError` never succeeds. */
export const isTransient = (e: Error | undefined): boolean => !(e instanceof TypeError) && e?.name !== 'TypeError'

/** The policies, by backoff type: the same value in every process. */
export const policies = {
  // jittered exponential backoff: each job's delays depend on its id
  flaky: pipe(S.exponential(20), S.jittered, S.whileInput(isTransient), S.maxRetries(5)),
  // two retries, then the job fails
  twice: pipe(S.constant(15), S.maxRetries(2)),
  // a deadline counted from when the job was added
  deadline: pipe(S.constant(100), S.maxElapsed(250)),
  // the retries that outlive their worker: long enough to close or kill it in the middle
  durable: pipe(S.exponential(100), S.jittered, S.maxRetries(5)),
  // many jobs: delays spread over [0, 40) ms, then [0, 80) ms
  spread: pipe(S.exponential(40), S.fullJitter, S.maxRetries(3))
}

export type PolicyName = keyof typeof policies

/** What a job carries: how many of its attempts fail, and with what. */
export interface JobData {
  readonly failures: number
  readonly error?: 'transient' | 'permanent'
}

/** One line the worker of a child process prints, as JSON. */
export type WorkerEvent =
  | { readonly event: 'ready'; readonly pid: number }
  | { readonly event: 'attempt'; readonly id: string; readonly attempt: number; readonly at: number }
  | {
      readonly event: 'backoff'
      readonly id: string
      readonly attemptsMade: number
      readonly delay: number
      readonly at: number
    }
  | { readonly event: 'failed'; readonly id: string; readonly attemptsMade: number; readonly final: boolean }
  | { readonly event: 'completed'; readonly id: string; readonly attemptsMade: number }

/** The strategy over `policies`, calling `record` with each delay it returns (and when). */
export const recordingStrategy = (
  record: (call: {
    readonly id: string
    readonly attemptsMade: number
    readonly delay: number
    readonly at: number
  }) => void
): BullMQ.BackoffStrategy => {
  const strategy = BullMQ.backoffStrategy(policies)
  return (attemptsMade, type, err, job) => {
    const delay = strategy(attemptsMade, type, err, job)
    record({ id: String(job?.id), attemptsMade, delay, at: Date.now() })
    return delay
  }
}

/** Fails the first `data.failures` attempts of a job (a `TypeError` when its error is permanent), then returns 'done'. */
export const processor =
  (onAttempt: (id: string, attempt: number, at: number) => void) =>
  async (job: Job<JobData>): Promise<string> => {
    const attempt = job.attemptsMade + 1
    onAttempt(String(job.id), attempt, Date.now())
    if (attempt <= job.data.failures) {
      throw job.data.error === 'permanent'
        ? new TypeError(`attempt ${attempt}: bad input`)
        : new Error(`attempt ${attempt}: 503`)
    }
    return 'done'
  }
