/**
 * Shared helpers of the HTTP tests of the integration suite: real HTTP servers on 127.0.0.1 that
 * count what they serve, a small HTTP client as a `TaskEither` over `node:http` (so every socket is
 * under the test's control) and a seeded random source. The leak checks are test/helpers.ts's.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as net from 'node:net'
import type { TaskEither } from 'fp-ts/TaskEither'

// -------------------------------------------------------------------------------------
// servers
// -------------------------------------------------------------------------------------

/** What a handler decides for one request: an answer, a reset of the connection, or silence. */
export type Reply =
  | { readonly _tag: 'Answer'; readonly status: number; readonly body: string; readonly after?: number }
  | { readonly _tag: 'Reset' }
  | { readonly _tag: 'Hang' }

export const answer = (status: number, body: string, after?: number): Reply => ({ _tag: 'Answer', status, body, after })
export const reset: Reply = { _tag: 'Reset' }
export const hang: Reply = { _tag: 'Hang' }

/** What the handler sees: the request, its key (the `x-call-id` header) and its 1-based number for that key. */
export interface Arrival {
  readonly req: http.IncomingMessage
  readonly key: string
  readonly count: number
}

export interface TestServer {
  readonly port: number
  readonly url: string
  /** Requests received, per key. */
  readonly perKey: Map<string, number>
  /** Totals: requests received, answered with 2xx, faults injected (error statuses, resets, hangs). */
  readonly totals: { requests: number; succeeded: number; faults: number; resets: number; hangs: number }
  /**
   * Connections that carried a request and are still open. (A connection that never carried one is
   * not counted: undici, behind `fetch`, may open a spare connection it never uses and keeps it until
   * the server closes it.)
   */
  readonly openConnections: () => number
  /** Requests whose connection the client closed before any answer was sent. */
  readonly abandoned: () => number
  readonly close: () => Promise<void>
}

/**
 * Starts a server on 127.0.0.1 (port 0 = ephemeral, unless one is given). Every answer carries
 * `connection: close`, so no client socket outlives its request.
 */
export const startServer = (handle: (arrival: Arrival) => Reply, port = 0): Promise<TestServer> => {
  const perKey = new Map<string, number>()
  const totals = { requests: 0, succeeded: 0, faults: 0, resets: 0, hangs: 0 }
  const sockets = new Set<net.Socket>()
  const used = new WeakSet<net.Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let abandoned = 0
  const server = http.createServer((req, res) => {
    const header = req.headers['x-call-id']
    const key = typeof header === 'string' ? header : ''
    const count = (perKey.get(key) ?? 0) + 1
    perKey.set(key, count)
    used.add(req.socket)
    totals.requests++
    const reply = handle({ req, key, count })
    let answered = false
    res.on('finish', () => (answered = true))
    req.socket.on('close', () => {
      if (!answered && reply._tag !== 'Reset') abandoned++
    })
    switch (reply._tag) {
      case 'Reset':
        totals.faults++
        totals.resets++
        req.socket.destroy()
        return
      case 'Hang':
        totals.faults++
        totals.hangs++
        return
      case 'Answer': {
        if (reply.status >= 200 && reply.status < 300) totals.succeeded++
        else totals.faults++
        const send = (): void => {
          res.writeHead(reply.status, { 'content-type': 'text/plain', connection: 'close' })
          res.end(reply.body)
        }
        if (reply.after === undefined || reply.after <= 0) {
          send()
        } else {
          const timer = setTimeout(() => {
            timers.delete(timer)
            if (!req.socket.destroyed) send()
          }, reply.after)
          timers.add(timer)
        }
      }
    }
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port, host: '127.0.0.1', backlog: 2048 }, () => {
      server.off('error', reject)
      const actual = (server.address() as AddressInfo).port
      resolve({
        port: actual,
        url: `http://127.0.0.1:${actual}/`,
        perKey,
        totals,
        openConnections: () => [...sockets].filter((socket) => used.has(socket)).length,
        abandoned: () => abandoned,
        close: () =>
          new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer)
            timers.clear()
            server.close(() => done())
            server.closeAllConnections()
          })
      })
    })
  })
}

/** A port that was free a moment ago: listen on port 0, note the port, close. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })

// -------------------------------------------------------------------------------------
// client
// -------------------------------------------------------------------------------------

export type HttpError =
  | { readonly _tag: 'Status'; readonly status: number; readonly body: string }
  | { readonly _tag: 'Network'; readonly code: string }

export interface HttpResponse {
  readonly status: number
  readonly body: string
}

const networkCode = (error: unknown): string => {
  const e = error as { code?: unknown; name?: unknown }
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'UNKNOWN'
}

/**
 * `GET url` as a `TaskEither` that never rejects: a non-2xx status or a network error (refused,
 * reset, aborted) is a `Left`. The request uses the given agent (keep-alive off) and signal.
 */
export const get =
  (
    url: string,
    options: { readonly agent: http.Agent; readonly key?: string; readonly signal?: AbortSignal }
  ): TaskEither<HttpError, HttpResponse> =>
  () =>
    new Promise((resolve) => {
      const headers: Record<string, string> = { connection: 'close' }
      if (options.key !== undefined) headers['x-call-id'] = options.key
      const req = http.request(url, { method: 'GET', agent: options.agent, headers, signal: options.signal }, (res) => {
        const chunks: Array<Buffer> = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', (error) => resolve({ _tag: 'Left', left: { _tag: 'Network', code: networkCode(error) } }))
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const body = Buffer.concat(chunks).toString('utf8')
          resolve(
            status >= 200 && status < 300
              ? { _tag: 'Right', right: { status, body } }
              : { _tag: 'Left', left: { _tag: 'Status', status, body } }
          )
        })
      })
      req.on('error', (error) => resolve({ _tag: 'Left', left: { _tag: 'Network', code: networkCode(error) } }))
      req.end()
    })

/**
 * The same `GET` with the global `fetch` (undici), passing `signal` on so that an aborted attempt
 * really stops; a rejection of `fetch` (refused, reset, aborted) is a `Left` with its cause's code.
 */
export const fetchGet =
  (
    url: string,
    options: { readonly key?: string; readonly signal?: AbortSignal }
  ): TaskEither<HttpError, HttpResponse> =>
  async () => {
    try {
      const headers: Record<string, string> = options.key === undefined ? {} : { 'x-call-id': options.key }
      const res = await fetch(url, { headers, signal: options.signal, keepalive: false })
      const body = await res.text()
      return res.ok
        ? { _tag: 'Right', right: { status: res.status, body } }
        : { _tag: 'Left', left: { _tag: 'Status', status: res.status, body } }
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause
      return { _tag: 'Left', left: { _tag: 'Network', code: networkCode(cause ?? error) } }
    }
  }

/** A fresh agent that never keeps a socket open after its request. */
export const makeAgent = (): http.Agent => new http.Agent({ keepAlive: false, maxSockets: Infinity })

// -------------------------------------------------------------------------------------
// randomness
// -------------------------------------------------------------------------------------

/** A seeded source of numbers in [0, 1) (splitmix32). */
export const seeded = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) | 0
    return mix(state)
  }
}

const mix = (x: number): number => {
  let z = x
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  z ^= z >>> 16
  return (z >>> 0) / 4294967296
}

/** A number in [0, 1) fixed by `(seed, a, b)`: the fate of attempt `b` of call `a`, whatever the arrival order. */
export const fate = (seed: number, a: number, b: number): number =>
  mix((Math.imul(seed, 0x9e3779b1) ^ Math.imul(a + 1, 0x85ebca77) ^ Math.imul(b + 1, 0xc2b2ae3d)) | 0)
