/**
 * A BullMQ worker in a process of its own, for test/integration/BullMQ.test.ts: the retries it
 * computes must agree with those of every other process, and a job it leaves in the middle of a
 * backoff must be picked up by the next worker.
 *
 * Usage: tsx BullMQ.worker.ts <port> <queue>. Prints one JSON line per event (./BullMQ.fixtures.ts,
 * `WorkerEvent`), and exits once a job completes or fails for good, closing its worker first.
 */
import { Worker } from 'bullmq'
import { processor, recordingStrategy, type WorkerEvent } from './BullMQ.fixtures'

const print = (event: WorkerEvent): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

const main = async (): Promise<void> => {
  const [port, queue] = process.argv.slice(2)
  const worker = new Worker(
    queue,
    processor((id, attempt, at) => print({ event: 'attempt', id, attempt, at })),
    {
      connection: { host: '127.0.0.1', port: Number(port) },
      settings: { backoffStrategy: recordingStrategy((call) => print({ event: 'backoff', ...call })) }
    }
  )
  const finished = new Promise<void>((resolve) => {
    worker.on('completed', (job) => {
      print({ event: 'completed', id: String(job.id), attemptsMade: job.attemptsMade })
      resolve()
    })
    worker.on('failed', (job) => {
      const final = job?.finishedOn !== undefined
      print({ event: 'failed', id: String(job?.id), attemptsMade: job?.attemptsMade ?? 0, final })
      if (final) {
        resolve()
      }
    })
  })
  worker.on('error', (error) => {
    console.error(error)
    process.exitCode = 1
  })
  await worker.waitUntilReady()
  print({ event: 'ready', pid: process.pid })
  await finished
  await worker.close()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
