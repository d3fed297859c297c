/**
 * Durable retries on a real Redis server with real BullMQ queues and workers: the suite starts a
 * redis-server of its own on a free 127.0.0.1 port (no persistence, a temporary directory) and stops
 * it after. Workers in child processes (./BullMQ.worker.ts) show that a retry outlives its worker.
 *
 * No assertion depends on how fast the machine is: a delay is checked from below (BullMQ never runs
 * a job before it is due), and every wait is for an event, bounded only by the test's timeout.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import * as path from 'node:path'
import * as readline from 'node:readline'
import { type Job, Queue, Worker } from 'bullmq'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import IORedis from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../scripts/provision/redis'
import * as BullMQ from '../../src/BullMQ'
import * as S from '../../src/Schedule'
import {
  type JobData,
  policies,
  type PolicyName,
  processor,
  recordingStrategy,
  type WorkerEvent
} from './BullMQ.fixtures'

const root = path.resolve(__dirname, '..', '..')

let redis: RedisServer
let admin: IORedis

beforeAll(async () => {
  redis = await startRedis()
  admin = new IORedis({ host: redis.host, port: redis.port, lazyConnect: true })
  await admin.connect()
}, 20_000)

afterAll(async () => {
  await admin?.quit()
  await redis?.stop()
})

// -------------------------------------------------------------------------------------
// what each test creates, and closes
// -------------------------------------------------------------------------------------

const closing: Array<() => Promise<unknown>> = []
const children: Array<ChildProcess> = []
let queues = 0

const connection = () => ({ host: redis.host, port: redis.port })

/** A queue of its own for each test. */
const makeQueue = (): Queue<JobData> => {
  const queue = new Queue<JobData>(`durable-${++queues}`, { connection: connection() })
  closing.push(() => queue.close())
  return queue
}

interface Attempt {
  readonly id: string
  readonly attempt: number
  readonly at: number
  readonly worker: string
}

interface Backoff {
  readonly id: string
  readonly attemptsMade: number
  readonly delay: number
  readonly at: number
  readonly worker: string
}

/** A worker over the fixtures' policies, recording every attempt and every delay it computes. */
const makeWorker = (
  queue: Queue<JobData>,
  name: string,
  log: { attempts: Array<Attempt>; backoffs: Array<Backoff> },
  options: { readonly concurrency?: number; readonly strategy?: BullMQ.BackoffStrategy } = {}
) => {
  const errors: Array<Error> = []
  const worker = new Worker<JobData>(
    queue.name,
    processor((id, attempt, at) => log.attempts.push({ id, attempt, at, worker: name })),
    {
      connection: connection(),
      concurrency: options.concurrency ?? 1,
      settings: {
        backoffStrategy: options.strategy ?? recordingStrategy((call) => log.backoffs.push({ ...call, worker: name }))
      }
    }
  )
  worker.on('error', (error) => errors.push(error))
  closing.push(() => worker.close())
  return { worker, errors }
}

/** Resolves when `worker` emits `event` for the job with `id` and `predicate` holds. */
const when = (
  worker: Worker<JobData>,
  event: 'completed' | 'failed',
  id: string | undefined,
  predicate: (job: Job<JobData>) => boolean = () => true
): Promise<Job<JobData>> =>
  new Promise((resolve) => {
    const listener = (job: Job<JobData> | undefined) => {
      if (job !== undefined && job.id === id && predicate(job)) {
        worker.off(event, listener)
        resolve(job)
      }
    }
    worker.on(event, listener)
  })

const isFinal = (job: Job<JobData>): boolean => job.finishedOn !== undefined

/** The delay the schedule gives job `id` before retry `n`, as the strategy rounds it; -1 when done. */
const expectedDelay = (policy: PolicyName, id: string, n: number, input?: Error): number =>
  pipe(
    policies[policy],
    S.nthDelay(n, { seed: id, input }),
    O.match(
      () => -1,
      (delay) => Math.round(delay)
    )
  )

/** Checks that each retry of `id` started no earlier than the delay computed after the failure before it. */
const expectBackoffsRespected = (id: string, attempts: ReadonlyArray<Attempt>, backoffs: ReadonlyArray<Backoff>) => {
  const starts = attempts.filter((a) => a.id === id).sort((a, b) => a.attempt - b.attempt)
  for (const backoff of backoffs.filter((b) => b.id === id && b.delay >= 0)) {
    const next = starts.find((a) => a.attempt === backoff.attemptsMade + 1)
    expect(next, `attempt ${backoff.attemptsMade + 1} of job ${id}`).toBeDefined()
    expect(next!.at - backoff.at).toBeGreaterThanOrEqual(backoff.delay)
  }
}

const redisClients = async (): Promise<number> =>
  String(await admin.client('LIST'))
    .split('\n')
    .filter((line) => line.trim() !== '').length

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('exit', resolve))
    }
  }
  for (const close of closing.splice(0).reverse()) {
    await close()
  }
  // no connection left behind: only the admin's remains (a closed client may take a moment to be gone)
  for (let i = 0; i < 200 && (await redisClients()) > 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  expect(await redisClients()).toBe(1)
})

// -------------------------------------------------------------------------------------
// a worker in a child process
// -------------------------------------------------------------------------------------

interface ChildWorker {
  readonly events: Array<WorkerEvent>
  /** Resolves with the first event (already printed or to come) that satisfies `predicate`. */
  readonly next: (predicate: (event: WorkerEvent) => boolean) => Promise<WorkerEvent>
  readonly exit: Promise<{ readonly code: number | null; readonly stderr: string }>
  readonly process: ChildProcess
}

const spawnWorker = (queue: Queue<JobData>): ChildWorker => {
  // node with tsx's loader: one process (the tsx command would start a second one)
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'BullMQ.worker.ts'), String(redis.port), queue.name],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  children.push(child)
  const events: Array<WorkerEvent> = []
  const waiting: Array<{ predicate: (event: WorkerEvent) => boolean; resolve: (event: WorkerEvent) => void }> = []
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as WorkerEvent
    events.push(event)
    for (const w of waiting.filter((w) => w.predicate(event))) {
      waiting.splice(waiting.indexOf(w), 1)
      w.resolve(event)
    }
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr }))
  )
  const next = (predicate: (event: WorkerEvent) => boolean): Promise<WorkerEvent> => {
    const found = events.find(predicate)
    return found !== undefined
      ? Promise.resolve(found)
      : new Promise((resolve, reject) => {
          waiting.push({ predicate, resolve })
          void exit.then(({ code, stderr }) => reject(new Error(`the worker exited (${code}) first:\n${stderr}`)))
        })
  }
  return { events, next, exit, process: child }
}

// -------------------------------------------------------------------------------------
// the cases
// -------------------------------------------------------------------------------------

describe('schedule-ts/BullMQ on a real Redis server', () => {
  it('a job that fails twice, then succeeds: retried after the delays nthDelay gives its id', async () => {
    const queue = makeQueue()
    const log = { attempts: [] as Array<Attempt>, backoffs: [] as Array<Backoff> }
    const { worker, errors } = makeWorker(queue, 'A', log)
    await worker.waitUntilReady()
    const job = await queue.add('charge', { failures: 2 }, BullMQ.jobOptions('flaky'))
    const id = String(job.id)
    const completed = await when(worker, 'completed', job.id)

    expect(completed.returnvalue).toBe('done')
    expect(log.attempts.map((a) => a.attempt)).toEqual([1, 2, 3])
    // BullMQ asked after each failure, counting the failure that just happened
    expect(log.backoffs.map((b) => b.attemptsMade)).toEqual([1, 2])
    expect(log.backoffs.map((b) => b.delay)).toEqual([1, 2].map((n) => expectedDelay('flaky', id, n)))
    expect(log.backoffs.every((b) => b.delay > 0)).toBe(true)
    expectBackoffsRespected(id, log.attempts, log.backoffs)
    const stored = await queue.getJob(id)
    expect(await stored?.getState()).toBe('completed')
    expect(stored?.attemptsMade).toBe(3)
    expect(errors).toEqual([])
  }, 10_000)

  it('a job whose schedule ends fails, after the attempts the schedule allowed', async () => {
    const queue = makeQueue()
    const log = { attempts: [] as Array<Attempt>, backoffs: [] as Array<Backoff> }
    const { worker, errors } = makeWorker(queue, 'A', log)
    await worker.waitUntilReady()
    const job = await queue.add('charge', { failures: 100 }, BullMQ.jobOptions('twice'))
    const failed = await when(worker, 'failed', job.id, isFinal)

    // maxRetries(2): three attempts, the strategy answered 15, 15, then -1
    expect(failed.attemptsMade).toBe(3)
    expect(failed.failedReason).toBe('attempt 3: 503')
    expect(log.backoffs.map((b) => [b.attemptsMade, b.delay])).toEqual([
      [1, 15],
      [2, 15],
      [3, -1]
    ])
    expectBackoffsRespected(String(job.id), log.attempts, log.backoffs)
    expect(await (await queue.getJob(String(job.id)))?.getState()).toBe('failed')
    expect(errors).toEqual([])
  }, 10_000)

  it('the schedule is stepped with the error: a permanent one fails the job at once', async () => {
    const queue = makeQueue()
    const log = { attempts: [] as Array<Attempt>, backoffs: [] as Array<Backoff> }
    const { worker } = makeWorker(queue, 'A', log)
    await worker.waitUntilReady()
    const job = await queue.add('charge', { failures: 5, error: 'permanent' }, BullMQ.jobOptions('flaky'))
    const failed = await when(worker, 'failed', job.id, isFinal)

    expect(failed.attemptsMade).toBe(1)
    expect(failed.failedReason).toBe('attempt 1: bad input')
    expect(log.backoffs.map((b) => [b.attemptsMade, b.delay])).toEqual([[1, -1]])
  }, 10_000)

  it('maxElapsed counts from when the job was added: a job that waited past the deadline is not retried', async () => {
    const queue = makeQueue()
    const log = { attempts: [] as Array<Attempt>, backoffs: [] as Array<Backoff> }
    const { worker } = makeWorker(queue, 'A', log)
    await worker.waitUntilReady()
    // maxElapsed(250) with 100 ms delays; the job first runs 300 ms after it was added
    const job = await queue.add('charge', { failures: 100 }, { ...BullMQ.jobOptions('deadline'), delay: 300 })
    const failed = await when(worker, 'failed', job.id, isFinal)

    expect(log.attempts[0].at - job.timestamp).toBeGreaterThanOrEqual(300)
    expect(failed.attemptsMade).toBe(1)
    expect(log.backoffs.map((b) => [b.attemptsMade, b.delay])).toEqual([[1, -1]])
  }, 10_000)

  it('a retry outlives its worker: closed, then killed in the middle of a backoff, each next worker in another process goes on', async () => {
    const queue = makeQueue()
    const log = { attempts: [] as Array<Attempt>, backoffs: [] as Array<Backoff> }
    const { worker } = makeWorker(queue, 'A', log)
    await worker.waitUntilReady()
    const job = await queue.add('charge', { failures: 3 }, BullMQ.jobOptions('durable'))
    const id = String(job.id)

    // worker A (this process): attempt 1 fails; A is closed while the job waits for its retry
    await when(worker, 'failed', job.id)
    await worker.close()
    expect(await queue.getJobState(id)).toBe('delayed')
    expect(log.attempts.map((a) => a.attempt)).toEqual([1])

    // worker B (a child process): attempt 2 fails; B is killed (SIGKILL) while the job waits again
    const b = spawnWorker(queue)
    await b.next((e) => e.event === 'failed' && e.id === id)
    b.process.kill('SIGKILL')
    await b.exit
    expect(await queue.getJobState(id)).toBe('delayed')

    // worker C (another child process): attempt 3 fails, attempt 4 succeeds
    const c = spawnWorker(queue)
    await c.next((e) => e.event === 'completed' && e.id === id)
    const { code, stderr } = await c.exit
    expect(stderr).toBe('')
    expect(code).toBe(0)

    const attempts = [
      ...log.attempts,
      ...[b, c].flatMap((w, i) =>
        w.events.flatMap((e) => (e.event === 'attempt' ? [{ ...e, worker: i === 0 ? 'B' : 'C' }] : []))
      )
    ]
    const backoffs = [
      ...log.backoffs,
      ...[b, c].flatMap((w, i) =>
        w.events.flatMap((e) => (e.event === 'backoff' ? [{ ...e, worker: i === 0 ? 'B' : 'C' }] : []))
      )
    ]
    expect(attempts.map((a) => [a.attempt, a.worker])).toEqual([
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
      [4, 'C']
    ])
    // each process computed its own delay, and all agree with nthDelay here: the seeded replay
    expect(backoffs.map((x) => [x.attemptsMade, x.worker, x.delay])).toEqual([
      [1, 'A', expectedDelay('durable', id, 1)],
      [2, 'B', expectedDelay('durable', id, 2)],
      [3, 'C', expectedDelay('durable', id, 3)]
    ])
    // and no retry started before its delay, across the restarts
    expectBackoffsRespected(id, attempts, backoffs)
    const stored = await queue.getJob(id)
    expect(await stored?.getState()).toBe('completed')
    expect(stored?.attemptsMade).toBe(4)
    // two processes to start: a bound against a hang, not a timing claim
  }, 60_000)

  it('many jobs over two workers: every delay is what nthDelay gives the job, spread as the schedule says', async () => {
    const queue = makeQueue()
    const log = { attempts: [] as Array<Attempt>, backoffs: [] as Array<Backoff> }
    const one = makeWorker(queue, 'one', log, { concurrency: 4 })
    const two = makeWorker(queue, 'two', log, { concurrency: 4 })
    await Promise.all([one.worker.waitUntilReady(), two.worker.waitUntilReady()])
    const count = 40
    const done = new Set<string>()
    const allDone = new Promise<void>((resolve) => {
      const onCompleted = (job: Job<JobData>) => {
        done.add(String(job.id))
        if (done.size === count) {
          resolve()
        }
      }
      one.worker.on('completed', onCompleted)
      two.worker.on('completed', onCompleted)
    })
    const jobs = await queue.addBulk(
      Array.from({ length: count }, (_, i) => ({
        name: `job ${i}`,
        data: { failures: 2 },
        opts: BullMQ.jobOptions('spread')
      }))
    )
    await allDone

    const ids = jobs.map((j) => String(j.id))
    expect(new Set(ids).size).toBe(count)
    for (const id of ids) {
      const mine = log.backoffs.filter((b) => b.id === id).sort((x, y) => x.attemptsMade - y.attemptsMade)
      expect(mine.map((b) => b.attemptsMade)).toEqual([1, 2])
      expect(mine.map((b) => b.delay)).toEqual([expectedDelay('spread', id, 1), expectedDelay('spread', id, 2)])
      expectBackoffsRespected(id, log.attempts, log.backoffs)
    }
    // full jitter over exponential(40): the first delays spread over [0, 40], the second over [0, 80]
    const first = log.backoffs.filter((b) => b.attemptsMade === 1).map((b) => b.delay)
    const second = log.backoffs.filter((b) => b.attemptsMade === 2).map((b) => b.delay)
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...first)).toBeLessThanOrEqual(40)
    expect(Math.max(...second)).toBeLessThanOrEqual(80)
    expect(new Set(first).size).toBeGreaterThan(count / 3)
    expect(Math.max(...second)).toBeGreaterThan(Math.max(...first))
    // both workers took part, and every attempt ran once
    expect(new Set(log.attempts.map((a) => a.worker))).toEqual(new Set(['one', 'two']))
    expect(log.attempts).toHaveLength(3 * count)
    expect([...one.errors, ...two.errors]).toEqual([])
  }, 20_000)

  it('an unknown backoff type: the worker reports an error and the job stays active until its stalled check', async () => {
    const queue = makeQueue()
    const errors: Array<Error> = []
    const worker = new Worker<JobData>(
      queue.name,
      processor(() => undefined),
      {
        connection: connection(),
        settings: { backoffStrategy: BullMQ.backoffStrategy(policies) },
        // a short lock and stalled check, so the job is found stalled within a second or two
        lockDuration: 500,
        stalledInterval: 250,
        maxStalledCount: 0
      }
    )
    closing.push(() => worker.close())
    const reported = new Promise<void>((resolve) =>
      worker.on('error', (error) => {
        errors.push(error)
        resolve()
      })
    )
    await worker.waitUntilReady()
    const job = await queue.add('charge', { failures: 1 }, { attempts: 3, backoff: { type: 'unknown' } })
    await reported

    expect(errors.map((e) => e.message)).toEqual([
      'BullMQ.backoffStrategy: unknown backoff type "unknown"; the known types are "flaky", "twice", "deadline", "durable", "spread"'
    ])
    expect(await queue.getJobState(String(job.id))).toBe('active')
    const failed = await when(worker, 'failed', job.id, isFinal)
    expect(failed.failedReason).toBe('job stalled more than allowable limit')
  }, 10_000)
})
