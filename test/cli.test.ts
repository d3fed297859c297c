import { spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type * as S from '../src/Schedule'
import { main, USAGE } from '../src/internal/cli'

// readFileSync is wrapped so that a test can stand in for standard input
vi.mock('fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('fs')>()
  return { ...actual, readFileSync: vi.fn(actual.readFileSync) }
})

// simulate is wrapped to count the retries the command simulates: its work
const simulated = vi.hoisted(() => ({ retries: 0 }))
vi.mock('../src/Schedule', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/Schedule')>()
  const simulate = (options: Parameters<typeof actual.simulate>[0]) => (self: S.Schedule<unknown, unknown>) => {
    const steps = actual.simulate(options)(self)
    simulated.retries += steps.length
    return steps
  }
  return { ...actual, simulate }
})

const root = path.resolve(__dirname, '..')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-ts-cli-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

interface Result {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

const run = (...argv: ReadonlyArray<string>): Result => {
  let stdout = ''
  let stderr = ''
  const status = main(argv, {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    }
  })
  return { status, stdout, stderr }
}

const explain = (policy: unknown, ...options: ReadonlyArray<string>): Result =>
  run('explain', JSON.stringify(policy), ...options)

// the cells of the table row of an attempt
const row = (stdout: string, attempt: number): ReadonlyArray<string> => {
  const line = stdout.split('\n').find((l) => l.trim().split(/\s+/)[0] === String(attempt))
  expect(line).toBeDefined()
  return (line as string).trim().split(/\s{2,}/)
}

const line = (stdout: string, prefix: string): string => {
  const found = stdout.split('\n').find((l) => l.startsWith(prefix))
  expect(found).toBeDefined()
  return found as string
}

const grpcExample = {
  maxAttempts: 4,
  initialBackoff: '.1s',
  maxBackoff: '1s',
  backoffMultiplier: 2,
  retryableStatusCodes: ['UNAVAILABLE']
}

describe('command line', () => {
  it('--help prints the usage and succeeds', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['explain', '--help'], ['explain', '{}', '-h']]) {
      const result = run(...argv)
      expect(result.status).toBe(0)
      expect(result.stdout).toBe(USAGE)
      expect(result.stderr).toBe('')
    }
    expect(USAGE).toContain('Usage: schedule-ts explain [options] <policy>')
  })

  it('no arguments prints the usage to stderr with status 2', () => {
    expect(run()).toEqual({ status: 2, stdout: '', stderr: USAGE })
  })

  it('usage errors exit with status 2 and say what is wrong', () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [['check', '{}'], 'unknown command "check"'],
      [['explain'], 'missing the policy to explain'],
      [['explain', '{}', '{}'], 'expected one policy, got 2'],
      [['explain', '{}', '--verbose'], 'unknown option "--verbose"'],
      [['explain', '{}', '--rows'], '--rows expects a value'],
      [['explain', '{}', '--rows', 'ten'], '--rows expects a whole number from 2 to 100000, got "ten"'],
      [['explain', '{}', '--rows=1'], '--rows expects a whole number from 2 to 100000, got "1"'],
      [['explain', '{}', '--samples=0'], '--samples expects a whole number from 1 to 100000'],
      [['explain', '{}', '--samples=1000000'], '--samples expects a whole number'],
      [['explain', '{}', '--grpc=yes'], '--grpc takes no value'],
      [['explain', '{}', '--hedging=yes'], '--hedging takes no value'],
      [['explain', '{}', '--grpc', '--hedging'], '--grpc and --hedging cannot be used together'],
      [['explain', '{}', '--attempt-duration', '10'], ''],
      [['explain', '{}', '--attempt-duration', 'soon'], '--attempt-duration: expected a duration'],
      [['explain', '{}', '--attempt-duration=-5'], '--attempt-duration: expected a duration']
    ]
    for (const [argv, message] of cases) {
      const result = run(...argv)
      if (message === '') {
        expect(result.status).toBe(0)
        continue
      }
      expect(result.status).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain(`schedule-ts: ${message}`)
      expect(result.stderr).toContain('Run "schedule-ts --help" for usage.')
    }
  })

  it('rejects JSON that does not parse and files that cannot be read', () => {
    const inline = run('explain', '{"constant": }')
    expect(inline.status).toBe(2)
    expect(inline.stderr).toContain('the inline policy is not valid JSON')
    const missing = run('explain', path.join(tmp, 'missing.json'))
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('cannot read')
    expect(missing.stderr).toContain('missing.json')
    const file = path.join(tmp, 'broken.json')
    fs.writeFileSync(file, 'constant: 1s')
    expect(run('explain', file).stderr).toContain(`${JSON.stringify(file)} is not valid JSON`)
  })

  it('reads a policy from a file', () => {
    const file = path.join(tmp, 'policy.json')
    fs.writeFileSync(file, JSON.stringify({ constant: '1s', maxRetries: 2 }))
    const result = run('explain', file)
    expect(result.status).toBe(0)
    expect(line(result.stdout, 'Policy')).toBe('Policy (schedule config): {"constant":"1s","maxRetries":2}')
  })

  it('reads a policy from standard input with "-"', () => {
    const read = vi.mocked(fs.readFileSync as (file: number, encoding: string) => string)
    read.mockReturnValueOnce('{"constant": 5, "maxRetries": 1}')
    try {
      const result = run('explain', '-')
      expect(read).toHaveBeenCalledWith(0, 'utf8')
      expect(result.status).toBe(0)
      expect(result.stdout).toContain('Attempts: 2')
      read.mockImplementationOnce(() => {
        throw new Error('EAGAIN')
      })
      expect(run('explain', '-').stderr).toContain('cannot read standard input: EAGAIN')
    } finally {
      read.mockClear()
    }
  })

  it('lets errors other than usage errors through', () => {
    const boom = () => {
      throw new Error('closed')
    }
    expect(() => main(['explain', '{}'], { stdout: boom, stderr: boom })).toThrow('closed')
  })
})

describe('explaining a policy', () => {
  it('bad policies print every problem to stderr with status 2', () => {
    const result = explain({ exponential: { base: '10' }, maxRetires: 5 })
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.split('\n')).toEqual([
      'schedule-ts explain: the policy is not valid (2 problems):',
      '  maxRetires: unknown key; did you mean "maxRetries"?',
      expect.stringMatching(/^ {2}exponential\.base: expected a duration with a unit/),
      ''
    ])
    expect(explain({ constant: 'x' }).stderr).toContain('(1 problem)')
    expect(explain([1, 2]).stderr).toContain('(root): expected a schedule policy object')
  })

  it('a deterministic policy: one figure per attempt, the attempts, the total wait and a chart', () => {
    const { status, stdout } = explain({ exponential: { base: '100ms' }, maxRetries: 3 })
    expect(status).toBe(0)
    expect(stdout).toContain('Deterministic: every run waits the same.')
    expect(row(stdout, 1)).toEqual(['1', '-', '0ms'])
    expect(row(stdout, 2)).toEqual(['2', '100ms', '100ms'])
    expect(row(stdout, 3)).toEqual(['3', '200ms', '300ms'])
    expect(row(stdout, 4)).toEqual(['4', '400ms', '700ms'])
    expect(stdout).not.toMatch(/^\s+5\s/m)
    expect(line(stdout, 'Attempts')).toBe('Attempts: 4 (the first call and 3 retries)')
    expect(line(stdout, 'Worst-case total wait')).toBe('Worst-case total wait: 700ms')
    expect(stdout).toContain('Delay before each attempt:')
    expect(line(stdout, '4 |')).toBe(`4 |${'█'.repeat(40)}| 400ms`)
    expect(line(stdout, '2 |')).toBe(`2 |${'█'.repeat(10).padEnd(40)}| 100ms`)
    expect(explain({ constant: 5, maxRetries: 1 }).stdout).toContain('Attempts: 2 (the first call and 1 retry)')
  })

  it('a random policy: min, median and max over the seeds, and the bound of the worst case', () => {
    const { status, stdout } = explain({ exponential: { base: '100ms' }, jitter: 'full', cap: '1s', maxRetries: 5 })
    expect(status).toBe(0)
    expect(stdout).toContain('Random: figures are the min, median and max over 1,000 seeds.')
    const header = stdout.split('\n').find((l) => l.startsWith('attempt')) as string
    expect(header.trim().split(/\s{2,}/)).toEqual([
      'attempt',
      'delay min',
      'median',
      'max',
      'cumulative min',
      'median',
      'max'
    ])
    expect(row(stdout, 1)).toEqual(['1', '-', '-', '-', '0ms', '0ms', '0ms'])
    const [, min, median, max] = row(stdout, 2)
    expect(parseFloat(min)).toBeLessThan(5)
    expect(parseFloat(median)).toBeGreaterThan(40)
    expect(parseFloat(median)).toBeLessThan(60)
    expect(parseFloat(max)).toBeGreaterThan(95)
    expect(max).toMatch(/ms$/)
    expect(row(stdout, 6)[3]).toBe('1s')
    expect(line(stdout, 'Attempts')).toBe('Attempts: 6 (the first call and 5 retries)')
    expect(line(stdout, 'Worst-case total wait')).toBe('Worst-case total wait: 2.5s (every random draw at its maximum)')
    expect(stdout).toContain('Delay before each attempt (█ median, ░ up to the max):')
    expect(line(stdout, '6 |')).toMatch(/^6 \|█+░+\| \d+ms \(max 1s\)$/)
  })

  it('--samples sets how many seeds are sampled', () => {
    const { stdout } = explain({ constant: 100, jitter: 'default', maxRetries: 1 }, '--samples', '7')
    expect(stdout).toContain('over 7 seeds')
  })

  it('a policy whose number of attempts varies: a runs column and a range of attempts', () => {
    const { stdout } = explain(
      { exponential: { base: '100ms' }, jitter: 'full', maxCumulativeDelay: '1s' },
      '--samples=200'
    )
    expect(stdout.split('\n').find((l) => l.startsWith('attempt'))).toMatch(/runs$/)
    expect(row(stdout, 2)[7]).toBe('100%')
    expect(line(stdout, 'Attempts')).toMatch(
      /^Attempts: \d+ to \d+, median \d+(\.5)? \(the first call and the retries\)$/
    )
    expect(line(stdout, 'Worst-case total wait')).toMatch(/^Worst-case total wait: \d+ms \(the largest of 200 seeds\)$/)
  })

  it('an unbounded policy says so and shows a capped table', () => {
    const { status, stdout } = explain({ constant: '1s' }, '--rows', '5')
    expect(status).toBe(0)
    expect(row(stdout, 5)).toEqual(['5', '1s', '4s'])
    expect(stdout).not.toMatch(/^\s+6\s/m)
    expect(stdout).toMatch(/^\s+…$/m)
    expect(line(stdout, 'Attempts')).toBe('Attempts: unbounded (still retrying after 10,000 retries)')
    expect(line(stdout, 'Worst-case total wait')).toBe('Worst-case total wait: unbounded')
    expect(stdout).toContain(
      'Note: this policy never gives up by itself; add maxRetries, maxElapsed or maxCumulativeDelay.'
    )
    const randomUnbounded = explain({ constant: '1s', jitter: 'default' }, '--samples=3')
    expect(line(randomUnbounded.stdout, 'Attempts')).toBe('Attempts: unbounded (still retrying after 1,000 retries)')
    expect(
      explain({})
        .stdout.split('\n')
        .filter((l) => /^\s*\d+\s+[-\d]/.test(l))
    ).toHaveLength(20)
  })

  it('a long bounded policy shows its first attempts, a gap and its last one', () => {
    const { stdout } = explain({ constant: '1s', maxRetries: 30 })
    expect(row(stdout, 19)).toEqual(['19', '1s', '18s'])
    expect(stdout).not.toMatch(/^\s+20\s/m)
    expect(row(stdout, 31)).toEqual(['31', '1s', '30s'])
    expect(line(stdout, 'Attempts')).toBe('Attempts: 31 (the first call and 30 retries)')
    expect(line(stdout, 'Worst-case total wait')).toBe('Worst-case total wait: 30s')
    expect(stdout.split('\n').filter((l) => l.trim() === '…')).toHaveLength(2)
  })

  it('--attempt-duration counts toward the cumulative time and maxElapsed', () => {
    const { stdout } = explain({ constant: '100ms', maxElapsed: '1s' }, '--attempt-duration=200ms')
    expect(stdout).toContain('Each attempt is assumed to take 200ms.')
    expect(row(stdout, 2)).toEqual(['2', '100ms', '300ms'])
    expect(row(stdout, 4)).toEqual(['4', '100ms', '900ms'])
    expect(line(stdout, 'Attempts')).toBe('Attempts: 4 (the first call and 3 retries)')
    expect(row(explain({ constant: 100, maxRetries: 1 }, '--attempt-duration', '50').stdout, 2)).toEqual([
      '2',
      '100ms',
      '150ms'
    ])
  })

  it('a zero-delay policy has no bars', () => {
    const { stdout } = explain({ maxRetries: 2 })
    expect(line(stdout, '2 |')).toBe(`2 |${' '.repeat(40)}| 0ms`)
    expect(line(stdout, 'Worst-case total wait')).toBe('Worst-case total wait: 0ms')
    const never = explain({ maxRetries: 0 })
    expect(never.stdout).toContain('Attempts: 1 (the first call and 0 retries)')
    expect(never.stdout).not.toContain('Delay before each attempt')
  })
})

describe('explaining a gRPC retryPolicy', () => {
  it('is recognised by its keys', () => {
    const { status, stdout } = explain(grpcExample)
    expect(status).toBe(0)
    expect(line(stdout, 'Policy')).toBe(
      'Policy (gRPC retryPolicy): {"maxAttempts":4,"initialBackoff":"0.1s","maxBackoff":"1s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}'
    )
    expect(line(stdout, 'Attempts')).toBe('Attempts: 4 (the first call and 3 retries)')
    expect(line(stdout, 'Worst-case total wait')).toBe(
      'Worst-case total wait: 700ms (every random draw at its maximum)'
    )
    expect(parseFloat(row(stdout, 4)[3])).toBeLessThanOrEqual(400)
    expect(parseFloat(row(stdout, 4)[3])).toBeGreaterThan(390)
    expect(stdout).toContain('Retryable status codes: UNAVAILABLE (14)')
    expect(stdout).not.toContain('never gives up')
  })

  it('accepts a {"retryPolicy": ...} fragment and notes maxAttempts above 5', () => {
    const { stdout } = explain({
      retryPolicy: { ...grpcExample, maxAttempts: 10, retryableStatusCodes: [14, 'aborted'] }
    })
    expect(line(stdout, 'Attempts')).toBe('Attempts: 5 (the first call and 4 retries)')
    expect(stdout).toContain('Retryable status codes: UNAVAILABLE (14), ABORTED (10)')
    expect(stdout).toContain("Note: maxAttempts 10 counts as 5, gRPC's limit.")
  })

  it('--grpc forces it, and its problems are reported', () => {
    const result = explain({ constant: '1s' }, '--grpc')
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('(6 problems)')
    expect(result.stderr).toContain('constant: unknown key')
    const bad = explain({ ...grpcExample, maxAttempts: 1 })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('maxAttempts: expected a whole number of at least 2')
  })
})

describe('bin', () => {
  it('runs main with the process arguments and sets the exit code', async () => {
    const argv = process.argv
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const writeError = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      process.argv = ['node', 'bin.js', 'explain', '{"constant": 5, "maxRetries": 1}']
      await import('../src/internal/bin')
      expect(process.exitCode).toBe(0)
      expect(write).toHaveBeenCalledWith(expect.stringContaining('Attempts: 2'))
      expect(writeError).not.toHaveBeenCalled()
      vi.resetModules()
      process.argv = ['node', 'bin.js', 'explain', '{"constant": "5"}']
      await import('../src/internal/bin')
      expect(process.exitCode).toBe(2)
      expect(writeError).toHaveBeenCalledWith(expect.stringContaining('constant: expected a duration with a unit'))
    } finally {
      process.argv = argv
      process.exitCode = undefined
      write.mockRestore()
      writeError.mockRestore()
    }
  })

  const tsx = path.join(root, 'node_modules', '.bin', 'tsx')
  const runTsx = (args: ReadonlyArray<string>, input?: string) =>
    spawnSync(tsx, [path.join(root, 'src', 'internal', 'bin.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
      input,
      timeout: 60_000
    })

  it('runs as a process with tsx: status 0 for a good policy, 2 for a bad one', () => {
    const good = runTsx(['explain', JSON.stringify({ exponential: { base: '100ms' }, maxRetries: 5 })])
    expect(good.stderr).toBe('')
    expect(good.status).toBe(0)
    expect(good.stdout).toContain('Attempts: 6 (the first call and 5 retries)')
    const bad = runTsx(['explain', JSON.stringify({ exponential: { base: '100ms' }, maxRetires: 5 })])
    expect(bad.status).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toContain('maxRetires: unknown key; did you mean "maxRetries"?')
  }, 60_000)

  it('reads the policy from standard input with "-"', () => {
    const result = runTsx(['explain', '-'], JSON.stringify(grpcExample))
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('Policy (gRPC retryPolicy)')
  }, 60_000)

  it('runs as a built CommonJS executable', () => {
    const out = path.join(tmp, 'build')
    const build = spawnSync(
      path.join(root, 'node_modules', '.bin', 'esbuild'),
      [
        'src/internal/bin.ts',
        '--bundle',
        '--platform=node',
        '--format=cjs',
        '--target=es2020',
        '--packages=external',
        `--outfile=${path.join(out, 'bin.js')}`,
        '--log-level=warning'
      ],
      { cwd: root, encoding: 'utf8', timeout: 120_000 }
    )
    expect(build.stderr).toBe('')
    expect(build.status).toBe(0)
    const bin = path.join(out, 'bin.js')
    expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    const env = { ...process.env, NODE_PATH: path.join(root, 'node_modules') }
    const good = spawnSync(process.execPath, [bin, 'explain', JSON.stringify(grpcExample)], { encoding: 'utf8', env })
    expect(good.status).toBe(0)
    expect(good.stdout).toContain('Attempts: 4 (the first call and 3 retries)')
    const bad = spawnSync(process.execPath, [bin, 'explain', '{"constant": "10"}'], { encoding: 'utf8', env })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('constant: expected a duration with a unit')
    const usage = spawnSync(process.execPath, [bin], { encoding: 'utf8', env })
    expect(usage.status).toBe(2)
  }, 120_000)
})

describe('hostile input', () => {
  it('a file starting with a UTF-8 byte order mark is read', () => {
    const file = path.join(tmp, 'bom.json')
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"constant": "1s", "maxRetries": 2}')])
    )
    const result = run('explain', file)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(line(result.stdout, 'Policy')).toBe('Policy (schedule config): {"constant":"1s","maxRetries":2}')
    const read = vi.mocked(fs.readFileSync as (file: number, encoding: string) => string)
    read.mockReturnValueOnce('\uFEFF{"constant": 5, "maxRetries": 1}')
    expect(run('explain', '-').status).toBe(0)
    // a byte order mark anywhere else is not JSON
    read.mockReturnValueOnce(' \uFEFF{}')
    expect(run('explain', '-').stderr).toContain('standard input is not valid JSON')
  })

  it('refuses sampling more than the limit, naming it, before doing the work', () => {
    simulated.retries = 0
    const result = explain({ constant: '1s', jitter: 'default' }, '--samples', '100000', '--rows', '100000')
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(
      'schedule-ts: --samples 100000 is too many for this policy: it would simulate about 100,100,000 retries (1,001 per seed), more than the limit of 2,000,000; use --samples 1998 or fewer'
    )
    // only the probes ran: four seeds and the maximum draws, 1,001 retries each
    expect(simulated.retries).toBe(5 * 1001)
  })

  it('a short random policy may be sampled many times: the work is the samples times its retries', () => {
    simulated.retries = 0
    const { status, stdout } = explain(
      { exponential: { base: '100ms' }, jitter: 'full', maxRetries: 5 },
      '--samples',
      '10000',
      '--rows',
      '100000'
    )
    expect(status).toBe(0)
    expect(stdout).toContain('over 10,000 seeds')
    expect(line(stdout, 'Attempts')).toBe('Attempts: 6 (the first call and 5 retries)')
    // the probes (four seeds and the maximum draws), the samples, the maximum draws again
    expect(simulated.retries).toBe(5 * 5 + 10_000 * 5 + 5)
  })

  it('a deterministic policy is simulated once, whatever --samples and --rows', () => {
    simulated.retries = 0
    const { stdout } = explain({ constant: '1s' }, '--samples', '100000', '--rows', '100000')
    expect(line(stdout, 'Attempts')).toBe('Attempts: unbounded (still retrying after 10,000 retries)')
    expect(stdout.split('\n').filter((l) => /^\s*\d+\s+1s\s/.test(l))).toHaveLength(10_000)
    expect(simulated.retries).toBe(5 * 1001 + 10_001)
  })

  it('100,000 unknown keys: every problem counted, 100 of them printed', () => {
    const policy: Record<string, number> = {}
    for (let i = 0; i < 100_000; i++) {
      policy[`key${i}`] = i
    }
    const result = explain(policy)
    expect(result.status).toBe(2)
    const lines = result.stderr.split('\n')
    expect(lines[0]).toBe('schedule-ts explain: the policy is not valid (100000 problems):')
    expect(lines).toHaveLength(103)
    expect(lines[101]).toBe('  and 99900 more')
    expect(result.stderr.length).toBeLessThan(20_000)
  })
})

describe('explaining a gRPC hedgingPolicy', () => {
  const hedgingExample = {
    maxAttempts: 4,
    hedgingDelay: '.5s',
    nonFatalStatusCodes: ['UNAVAILABLE', 'INTERNAL', 'ABORTED']
  }

  it('is recognised by its keys, and shows when each attempt is launched', () => {
    const { status, stdout, stderr } = explain(hedgingExample)
    expect(stderr).toBe('')
    expect(status).toBe(0)
    expect(line(stdout, 'Policy')).toBe(
      'Policy (gRPC hedgingPolicy): {"maxAttempts":4,"hedgingDelay":"0.5s","nonFatalStatusCodes":["UNAVAILABLE","INTERNAL","ABORTED"]}'
    )
    expect(row(stdout, 1)).toEqual(['1', '0ms'])
    expect(row(stdout, 2)).toEqual(['2', '500ms'])
    expect(row(stdout, 3)).toEqual(['3', '1s'])
    expect(row(stdout, 4)).toEqual(['4', '1.5s'])
    expect(line(stdout, 'Attempts')).toBe(
      'Attempts: at most 4 (the first call and 3 hedges), the last launched at 1.5s'
    )
    expect(stdout).toContain('Non-fatal status codes: UNAVAILABLE (14), INTERNAL (13), ABORTED (10)')
    expect(stdout).toContain('A failure with one of them launches the next attempt at once')
  })

  it('without a delay every attempt is launched at once; without non-fatal codes the first failure ends the call', () => {
    const { stdout } = explain({ maxAttempts: 2 })
    expect(row(stdout, 2)).toEqual(['2', '0ms'])
    expect(line(stdout, 'Attempts')).toBe('Attempts: at most 2 (the first call and 1 hedge), the last launched at 0ms')
    expect(stdout).toContain('Non-fatal status codes: none, so the first failure ends the call.')
  })

  it('accepts a {"hedgingPolicy": ...} fragment and --hedging, and notes maxAttempts above 5', () => {
    const { stdout } = explain({ hedgingPolicy: { maxAttempts: 10, hedgingDelay: '1s' } })
    expect(row(stdout, 5)).toEqual(['5', '4s'])
    expect(stdout).not.toMatch(/^\s+6\s/m)
    expect(stdout).toContain("Note: maxAttempts 10 counts as 5, gRPC's limit.")
    const forced = explain({ maxAttempts: 3 }, '--hedging')
    expect(forced.stdout).toContain('Policy (gRPC hedgingPolicy)')
    expect(explain({ hedgingPolicy: { maxAttempts: 3 } }, '--grpc').stderr).toContain('hedgingPolicy: unknown key')
    expect(explain(grpcExample, '--hedging').stderr).toContain('initialBackoff: unknown key')
  })

  it('--rows shows the first launches, a gap and the last', () => {
    const { stdout } = explain({ maxAttempts: 5, hedgingDelay: '100ms' }, '--rows=3')
    expect(row(stdout, 2)).toEqual(['2', '100ms'])
    expect(stdout).not.toMatch(/^\s+3\s/m)
    expect(stdout).toMatch(/^\s+…$/m)
    expect(row(stdout, 5)).toEqual(['5', '400ms'])
  })

  it('reports its problems, and refuses --attempt-duration, which does not apply', () => {
    const bad = explain({ maxAttempts: 1, hedgingDelay: '-1s', nonFatalStatusCodes: ['UNAVAILBLE'] })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('(3 problems)')
    expect(bad.stderr).toContain('nonFatalStatusCodes[0]: expected a gRPC status code name')
    const timed = explain(hedgingExample, '--attempt-duration', '10ms')
    expect(timed.status).toBe(2)
    expect(timed.stderr).toContain('--attempt-duration does not apply to a hedging policy')
  })
})
