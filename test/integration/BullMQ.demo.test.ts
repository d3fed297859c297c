/**
 * `npm run demo:queue` runs: it starts its own redis-server, retries a job across a worker restart,
 * prints each attempt, stops Redis and exits 0 by itself.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '..', '..')

/** Runs the demo's script as a child process; resolves with its exit code and output. */
const runDemo = (): Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo/queue.ts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    // the demo must exit by itself: a connection, a worker or redis-server left open would keep it alive
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the demo did not exit within 50 s\n${stdout}\n${stderr}`))
    }, 50_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

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
