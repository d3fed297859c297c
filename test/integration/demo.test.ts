import { describe, expect, it } from 'vitest'
import { runScript } from './script'

const runDemo = () => runScript('scripts/demo.ts', 25_000)

describe('npm run demo', () => {
  it('runs the live scenarios against a real server, prints their summaries and the simulations, and exits 0', async () => {
    const { code, stdout, stderr } = await runDemo()
    expect(stderr).toBe('')
    expect(code).toBe(0)

    const [recovers, notFound] = stdout.split('  summary\n').slice(1)
    // the flaky service: 500, reset, too slow, 503 + Retry-After, then 200, each attempt reaching the server
    expect(stdout).toMatch(/schedule-ts demo: a live run against a flaky HTTP server at http:\/\/127\.0\.0\.1:\d+/)
    expect(stdout).toMatch(/ 1 {2}500 Internal Server Error .* retry in \d+ ms: backoff/)
    expect(stdout).toMatch(/ 2 {2}network error: .* retry in \d+ ms: backoff/)
    expect(stdout).toMatch(/ 3 {2}no answer in 500 ms: attempt timeout .* retry in \d+ ms: backoff/)
    expect(stdout).toMatch(/ 4 {2}503 Service Unavailable, Retry-After: 1 .* retry in 1\.00 s: Retry-After 1 s/)
    expect(recovers).toMatch(/^ {4}attempts: {3}5 \(4 retries\); the server saw 5 requests$/m)
    expect(recovers).toMatch(/^ {4}result: {5}200 OK \{"id":42,"status":"shipped"\}$/m)
    // the sleeps: three backoffs (about 50, 100 and 200 ms, jittered) and the 1 s the server asked for
    const wait = /^ {4}total wait: {1}(\d+\.\d+) s asleep between attempts, (\d+\.\d+) s in all$/m.exec(recovers)
    expect(wait).not.toBeNull()
    expect(Number(wait?.[1])).toBeGreaterThanOrEqual(1.27)
    expect(Number(wait?.[1])).toBeLessThanOrEqual(1.42)
    expect(Number(wait?.[2])).toBeGreaterThan(Number(wait?.[1]))

    // the permanent error: one retry after the 503, none after the 404
    expect(notFound).toMatch(/^ {4}attempts: {3}2 \(1 retry\); the server saw 2 requests$/m)
    expect(notFound).toMatch(/^ {4}result: {5}failed: 404 Not Found \(not transient: not retried\)$/m)
    expect(stdout).toMatch(/ 2 {2}404 Not Found .* give up: not transient/)

    // the hedged read: the hedge to the fast replica wins, the slow replica's request is aborted through its signal
    expect(stdout).toMatch(
      /onHedge: attempt 2 launched 50 ms after attempt 1 .*\n.*attempt 2: GET \/users\/42 on replica b\n/
    )
    expect(stdout).toMatch(
      /winner: attempt 2, replica b: 200 OK .*\n.*attempt 1 \(replica a\) aborted through its signal/
    )
    expect(stdout).toMatch(/replica a saw 1 request \(1 cancelled\), replica b 1\n/)

    // the simulated part, unchanged: three policies
    expect(stdout).toContain('What three policies will do (simulated, seed 1')
    expect(stdout).toContain('  -> 6 attempts at most, 9.27 s before the last one starts')
    expect(stdout).toContain('Database reconnect')
    expect(stdout).toContain('  -> 11 attempts at most, 1.24 min before the last one starts')
  }, 30_000)
})
