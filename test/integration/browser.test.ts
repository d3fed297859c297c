/**
 * schedule-ts in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core;
 * `scripts/provision/ensure-chromium.sh` provisions it before `npm test`) loads a page bundled by
 * esbuild from the packed package, which retries `fetch` calls against a server this test starts on
 * 127.0.0.1.
 * Nothing in the library needs Node: performance.now, timers, AbortSignal and fetch are the browser's.
 */
import * as esbuild from 'esbuild'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installedProject } from '../../scripts/package/tarball'
import type { BrowserResults } from './browser-page'

/** The Chromium executable: Debian's package, unless CHROMIUM names another. */
const executable = process.env.CHROMIUM ?? '/usr/bin/chromium'

/** Flags known to work headless on a server; with them Chromium makes no request of its own. */
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** The pids of running processes whose command line mentions `text`. */
const processesMentioning = (text: string): ReadonlyArray<number> =>
  fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)
      } catch {
        return false // the process ended while we looked
      }
    })
    .map(Number)

let project: string
let profile: string
let server: http.Server
let origin: string
let context: BrowserContext | undefined
const served = new Map<string, number>()
let results: BrowserResults

const startServer = (page: string): Promise<http.Server> =>
  new Promise((resolve) => {
    const html =
      '<!doctype html><meta charset="utf-8"><title>schedule-ts</title><script type="module" src="/page.js"></script>'
    const s = http.createServer((req, res) => {
      const url = req.url ?? '/'
      const count = (served.get(url) ?? 0) + 1
      served.set(url, count)
      const send = (status: number, type: string, body: string): void => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', connection: 'close' })
        res.end(body)
      }
      if (url === '/') send(200, 'text/html', html)
      else if (url === '/page.js') send(200, 'text/javascript', page)
      else if (url === '/flaky') send(count <= 2 ? 503 : 200, 'application/json', count <= 2 ? '{}' : '{"ok":true}')
      else if (url === '/down') send(503, 'application/json', '{}')
      else send(404, 'text/plain', 'not found')
    })
    s.listen(0, '127.0.0.1', () => resolve(s))
  })

describe('in headless Chromium, from the packed package', () => {
  beforeAll(async () => {
    if (!fs.existsSync(executable)) {
      throw new Error(`Chromium is not at ${executable}: run  apt-get install -y chromium  (or set CHROMIUM)`)
    }
    // build, pack and install the tarball, then bundle the page from it as an application would
    project = installedProject('schedule-ts-browser', ['fp-ts'])
    const bundle = await esbuild.build({
      stdin: {
        contents: fs.readFileSync(path.join(__dirname, 'browser-page.ts'), 'utf8'),
        resolveDir: project,
        loader: 'ts',
        sourcefile: 'browser-page.ts'
      },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      metafile: true,
      logLevel: 'silent'
    })
    const inputs = Object.keys(bundle.metafile.inputs)
    expect(inputs.some((input) => input.includes('node_modules/schedule-ts/dist/esm/TaskEither.js'))).toBe(true)
    expect(inputs.some((input) => input.includes('/src/'))).toBe(false)

    server = await startServer(bundle.outputFiles[0].text)
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-ts-chromium-'))
    context = await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      chromiumSandbox: false,
      args: flags
    })
    const page = await context.newPage()
    const errors: Array<string> = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${origin}/`)
    await page.waitForFunction(() => 'scheduleTsResults' in globalThis)
    results = await page.evaluate(
      () => (globalThis as unknown as { scheduleTsResults: Promise<BrowserResults> }).scheduleTsResults
    )
    expect(errors).toEqual([])
  }, 300_000) // a build, a pack and a browser start: no timing is asserted here

  afterAll(async () => {
    await context?.close()
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())))
    const left = profile === undefined ? [] : processesMentioning(profile)
    for (const dir of [profile, project]) if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
    // no Chromium process of this test outlives it
    expect(left).toEqual([])
  })

  it('runs in Chromium, not in Node', () => {
    expect(results.userAgent).toMatch(/Chrome\//)
  })

  it('retries a fetch that fails twice, then returns its answer', () => {
    expect(results.flaky.result).toEqual({ _tag: 'Right', right: { ok: true } })
    expect(results.flaky.retries.map(({ attempt, error }) => [attempt, error])).toEqual([
      [1, 'HTTP 503'],
      [2, 'HTTP 503']
    ])
    // exponential(20) with jittered: 20 · [0.8, 1.2), then 40 · [0.8, 1.2)
    expect(results.flaky.retries[0].delay).toBeGreaterThanOrEqual(16)
    expect(results.flaky.retries[0].delay).toBeLessThan(24)
    expect(results.flaky.retries[1].delay).toBeGreaterThanOrEqual(32)
    expect(results.flaky.retries[1].delay).toBeLessThan(48)
    expect(served.get('/flaky')).toBe(3)
  })

  it('ends a run aborted in the middle of its 60 s sleep at once, Interrupted with the last error', () => {
    expect(results.aborted.result).toEqual({
      _tag: 'Left',
      left: { _tag: 'Interrupted', lastError: { _tag: 'Some', value: 'HTTP 503' } }
    })
    // the run ended long before its sleep would have: the abort, not the timer, ended it
    expect(results.aborted.settledAfterAbort).toBeLessThan(30_000)
    // and no attempt started after the abort
    expect(served.get('/down')).toBe(1)
  })
})
