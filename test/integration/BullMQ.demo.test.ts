/**
 * `npm run demo:queue` runs: it starts its own redis-server, retries a job across a worker restart,
 * prints each attempt, stops Redis and exits 0 by itself.
 */
import { describe, expect, it } from 'vitest'
import { runScript } from './script'

const runDemo = () => runScript('scripts/demo/queue.ts', 50_000)

describe('npm run demo:queue', () => {
  it('retries a job across a worker restart with the delays nthDelay predicts, gives up on a declined card, and exits 0', async () => {
    const { code, stdout, stderr } = await runDemo()
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^schedule-ts demo: durable retries on BullMQ \(redis-server \S+ on 127\.0\.0\.1:\d+/)

    const [job1, job2] = stdout.split('\nJob ').slice(1)
    // attempts 1 and 2 on worker A, which stops while the job waits in Redis; 3 and 4 on worker B
    expect(job1).toMatch(/attempt 1 {2}worker A {2}503 Service Unavailable +retry in \d+ ms/)
    expect(job1).toMatch(/attempt 2 {2}worker A {2}no answer in 500 ms +retry in \d+ ms/)
    expect(job1).toMatch(/worker A stops \(a deploy\) while job 1 waits for attempt 3/)
    expect(job1).toMatch(/^ {2}job 1 is delayed$/m)
    expect(job1).toMatch(/attempt 3 {2}worker B {2}503 Service Unavailable +retry in \d+ ms/)
    expect(job1).toMatch(/attempt 4 {2}worker B {2}charged order 42 +done/)
    expect(job1).toMatch(/-> completed after 4 attempts, .* over two workers/)
    expect(job1.indexOf('worker A stops')).toBeLessThan(job1.indexOf('worker B starts'))
    expect(job1.indexOf('worker B starts')).toBeLessThan(job1.indexOf('attempt 3  worker B'))

    // the delays both workers used are the ones nthDelay predicted from the job's id
    const predicted = /the delays any worker computes for job 1 \(nthDelay, seed "1"\): (.+)$/m.exec(job1)?.[1]
    const used = [...job1.matchAll(/retry in (\d+(?:\.\d+)? m?s)/g)].map((m) => m[1])
    expect(used).toHaveLength(3)
    expect(predicted).toBe(used.join(', '))

    // the declined card: whileInput ends the schedule at the first failure
    expect(job2).toMatch(/attempt 1 {2}worker B {2}402 card declined +give up: not transient/)
    expect(job2).toMatch(/-> failed after 1 attempt: 402 card declined/)
  }, 60_000)
})
