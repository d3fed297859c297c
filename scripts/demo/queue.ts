/**
 * `npm run demo:queue`: durable retries on BullMQ, live. A redis-server of its own (a free
 * 127.0.0.1 port, no persistence) holds a queue of payments; a worker charges them through a payment
 * service that fails the way services do, and one schedule, the value that would retry a
 * `TaskEither` in-process, decides every retry through `schedule-ts/BullMQ`.
 *
 * Halfway through the first job, worker A stops (a deploy) while the job waits for its retry: the
 * retry waits in Redis, and worker B, started afterwards with a strategy built anew, goes on with
 * the same delays, since each is `nthDelay` replayed from the job's id. Each attempt is printed as
 * it ends. The second job is declined, which is not worth a retry: the schedule's `whileInput` ends
 * it at once. Takes about two seconds; Redis is stopped at the end, and the process exits by itself.
 */
import { type Job, Queue, Worker } from 'bullmq'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as BullMQ from '../../src/BullMQ'
import * as S from '../../src/Schedule'
import { startRedis } from '../provision/redis'

// -------------------------------------------------------------------------------------
// the application: a payment service and its retry policy
// -------------------------------------------------------------------------------------

/** What the payment service does at each attempt of a job, in turn; `ok` once the list runs out. */
type Outcome = 'unavailable' | 'timeout' | 'declined' | 'ok'

interface Payment {
  readonly order: number
  readonly script: ReadonlyArray<Outcome>
}

const failure = (outcome: Exclude<Outcome, 'ok'>): Error => {
  switch (outcome) {
    case 'unavailable':
      return new Error('503 Service Unavailable')
    case 'timeout':
      return new Error('no answer in 500 ms')
    case 'declined':
      return Object.assign(new Error('402 card declined'), { name: 'PaymentDeclined' })
  }
}

/** A declined card stays declined: only the other failures are worth another attempt. */
const isTransient = (e: Error | undefined): boolean => e?.name !== 'PaymentDeclined'

/** The policy: the same value `TaskEither.retry` takes. */
const policy = pipe(S.exponential(200), S.jittered, S.whileInput(isTransient), S.maxRetries(5), S.maxElapsed(10_000))
const policyDescription = 'exponential(200) · jittered · whileInput(transient) · maxRetries(5) · maxElapsed(10 s)'

// -------------------------------------------------------------------------------------
// printing
// -------------------------------------------------------------------------------------

const formatMs = (ms: number): string => (ms >= 1_000 ? `${(ms / 1_000).toFixed(2)} s` : `${Math.round(ms)} ms`)

const row = (at: number, attempt: number, worker: string, outcome: string, next: string): string =>
  `  ${`+${formatMs(at)}`.padStart(9)}  ${`attempt ${attempt}`.padEnd(9)}  ${worker.padEnd(8)}  ${outcome.padEnd(
    26
  )}  ${next}`

// -------------------------------------------------------------------------------------
// the run
// -------------------------------------------------------------------------------------

const QUEUE = 'payments'

const main = async (): Promise<void> => {
  const redis = await startRedis()
  const connection = { host: redis.host, port: redis.port }
  const queue = new Queue<Payment>(QUEUE, { connection })
  const workers = new Set<Worker<Payment>>()
  try {
    console.log(
      `schedule-ts demo: durable retries on BullMQ (redis-server ${redis.version} on ${redis.host}:${redis.port}, started for this demo)`
    )
    console.log(`  policy: ${policyDescription}`)
    console.log('  run with: BullMQ.backoffStrategy({ payment: policy }) and BullMQ.jobOptions("payment")')

    // what each attempt did, keyed by job id: when it started, and the delay the strategy chose after it
    const started = new Map<string, number>()
    const delays = new Map<string, number>()

    /** A worker named `name`, with a strategy of its own: nothing but Redis is shared between workers. */
    const startWorker = async (name: string): Promise<Worker<Payment>> => {
      const strategy = BullMQ.backoffStrategy({ payment: policy })
      const worker = new Worker<Payment>(
        QUEUE,
        async (job) => {
          started.set(String(job.id), Date.now())
          const outcome = job.data.script[job.attemptsMade] ?? 'ok'
          if (outcome !== 'ok') {
            throw failure(outcome)
          }
          return `charged order ${job.data.order}`
        },
        {
          connection,
          settings: {
            backoffStrategy: (attemptsMade, type, err, job) => {
              const delay = strategy(attemptsMade, type, err, job)
              delays.set(String(job?.id), delay)
              return delay
            }
          }
        }
      )
      const line = (job: Job<Payment>, outcome: string, next: string): void => {
        const at = (started.get(String(job.id)) ?? job.timestamp) - job.timestamp
        console.log(row(at, job.attemptsMade, name, outcome, next))
      }
      worker.on('failed', (job, error) => {
        if (job !== undefined) {
          const delay = delays.get(String(job.id)) ?? -1
          const next =
            delay >= 0
              ? `retry in ${formatMs(delay)}`
              : isTransient(error)
              ? 'give up: the schedule is done'
              : 'give up: not transient'
          line(job, error.message, next)
        }
      })
      worker.on('completed', (job, result: string) => line(job, result, 'done'))
      worker.on('error', (error) => console.error(`worker ${name}: ${error.message}`))
      workers.add(worker)
      await worker.waitUntilReady()
      console.log(`  ${name} starts`)
      return worker
    }

    const stopWorker = async (worker: Worker<Payment>, name: string, why: string): Promise<void> => {
      await worker.close()
      workers.delete(worker)
      console.log(`  ${name} stops ${why}`)
    }

    /** Resolves once the job `id` completes or fails for good, on whichever worker is running. */
    const settled = (id: string): Promise<Job<Payment>> =>
      new Promise((resolve) => {
        const onDone = (job: Job<Payment> | undefined): void => {
          if (job !== undefined && String(job.id) === id && job.finishedOn !== undefined) {
            for (const worker of workers) {
              worker.off('completed', onDone)
              worker.off('failed', onDone)
            }
            resolve(job)
          }
        }
        for (const worker of workers) {
          worker.on('completed', onDone)
          worker.on('failed', onDone)
        }
      })

    // the first job: three failures, then the payment goes through; worker A stops after the second
    const first: Payment = { order: 42, script: ['unavailable', 'timeout', 'unavailable'] }
    console.log(`\nJob 1, charge order ${first.order}: the payment service answers ${first.script.join(', ')}, then ok`)
    const workerA = await startWorker('worker A')
    const job1 = await queue.add('charge', first, BullMQ.jobOptions('payment'))
    const id1 = String(job1.id)
    const predicted = [1, 2, 3].map((n) =>
      pipe(policy, S.nthDelay(n, { seed: id1, input: new Error('503') }), O.map(Math.round))
    )
    console.log(
      `  the delays any worker computes for job ${id1} (nthDelay, seed "${id1}"): ${predicted
        .map(O.match(() => 'none', formatMs))
        .join(', ')}`
    )
    const secondFailure = new Promise<void>((resolve) =>
      workerA.on('failed', (job) => {
        if (job !== undefined && String(job.id) === id1 && job.attemptsMade === 2) {
          resolve()
        }
      })
    )
    await secondFailure
    await stopWorker(workerA, 'worker A', `(a deploy) while job ${id1} waits for attempt 3: the retry waits in Redis`)
    console.log(`  job ${id1} is ${await queue.getJobState(id1)}`)
    await startWorker('worker B')
    const done1 = await settled(id1)
    const took1 = (done1.finishedOn ?? Date.now()) - done1.timestamp
    console.log(
      `  -> ${await queue.getJobState(id1)} after ${done1.attemptsMade} attempts, ${formatMs(
        took1
      )} after it was added, over two workers`
    )

    // the second job: the card is declined; whileInput ends the schedule at once
    const second: Payment = { order: 7, script: ['declined'] }
    console.log(`\nJob 2, charge order ${second.order}: the payment service answers ${second.script.join(', ')}`)
    const job2 = await queue.add('charge', second, BullMQ.jobOptions('payment'))
    const done2 = await settled(String(job2.id))
    console.log(
      `  -> ${await queue.getJobState(String(job2.id))} after ${done2.attemptsMade} attempt: ${done2.failedReason}`
    )
  } finally {
    for (const worker of workers) {
      await worker.close()
    }
    await queue.close()
    await redis.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
