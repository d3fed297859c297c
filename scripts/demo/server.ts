/**
 * A real HTTP server for the demo, on an ephemeral 127.0.0.1 port, that fails the way real services
 * do, on a scripted sequence per path: a 503 with `Retry-After`, a 500, a connection reset, a
 * response slower than the client's attempt timeout, a 404. Each request to a path takes the next
 * behaviour of its script; the last one repeats once the script runs out. A slow response whose
 * client gives up first (closes the connection, as an aborted `fetch` does) is counted as cancelled:
 * the hedging demo starts one server per replica and shows that the loser's request was aborted.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the server does with one request. */
export type Behaviour =
  | { readonly _tag: 'Ok'; readonly body: unknown }
  | { readonly _tag: 'ServerError' }
  | { readonly _tag: 'Unavailable'; readonly retryAfterSeconds?: number }
  | { readonly _tag: 'Reset' }
  | { readonly _tag: 'Slow'; readonly ms: number; readonly body: unknown }
  | { readonly _tag: 'NotFound' }

/** A short description of a behaviour, for the demo's header. */
export const describe = (behaviour: Behaviour): string => {
  switch (behaviour._tag) {
    case 'Ok':
      return '200'
    case 'ServerError':
      return '500'
    case 'Unavailable':
      return behaviour.retryAfterSeconds === undefined ? '503' : `503 + Retry-After: ${behaviour.retryAfterSeconds}`
    case 'Reset':
      return 'connection reset'
    case 'Slow':
      return `200 after ${behaviour.ms} ms`
    case 'NotFound':
      return '404'
  }
}

export interface FlakyServer {
  /** The server's origin, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string
  /** How many requests each path has received. */
  readonly requests: (path: string) => number
  /** How many slow responses on a path were cancelled: their client closed the connection first. */
  readonly cancelled: (path: string) => number
  /** Resolves once a slow response on `path` has been cancelled (at once if one has been). */
  readonly whenCancelled: (path: string) => Promise<void>
  /** Stops listening, ends every open connection and clears every pending slow response. */
  readonly close: () => Promise<void>
}

const json = (
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {}
): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

/** Starts the server; `routes` maps a path to its script. Any other path is a 404. */
export const start = (routes: Readonly<Record<string, ReadonlyArray<Behaviour>>>): Promise<FlakyServer> => {
  const counts = new Map<string, number>()
  const cancellations = new Map<string, number>()
  const waiting = new Map<string, Array<() => void>>()
  const pending = new Set<ReturnType<typeof setTimeout>>()
  const cancel = (path: string): void => {
    cancellations.set(path, (cancellations.get(path) ?? 0) + 1)
    waiting.get(path)?.forEach((resolve) => resolve())
    waiting.delete(path)
  }

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/'
    const script = routes[path]
    const n = counts.get(path) ?? 0
    counts.set(path, n + 1)
    const behaviour: Behaviour =
      script === undefined || script.length === 0 ? { _tag: 'NotFound' } : script[Math.min(n, script.length - 1)]
    switch (behaviour._tag) {
      case 'Ok':
        return json(res, 200, behaviour.body)
      case 'ServerError':
        return json(res, 500, { error: 'internal error' })
      case 'Unavailable':
        return json(
          res,
          503,
          { error: 'overloaded' },
          behaviour.retryAfterSeconds === undefined ? {} : { 'retry-after': String(behaviour.retryAfterSeconds) }
        )
      case 'Reset':
        // no response at all: the client sees the connection closed under it
        req.socket.destroy()
        return
      case 'Slow': {
        const timer = setTimeout(() => {
          pending.delete(timer)
          json(res, 200, behaviour.body)
        }, behaviour.ms)
        pending.add(timer)
        // a client that gave up closes the connection: stop working for it
        res.on('close', () => {
          clearTimeout(timer)
          pending.delete(timer)
          if (!res.writableEnded) cancel(path)
        })
        return
      }
      case 'NotFound':
        return json(res, 404, { error: 'not found' })
    }
  })

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        origin: `http://127.0.0.1:${port}`,
        requests: (path) => counts.get(path) ?? 0,
        cancelled: (path) => cancellations.get(path) ?? 0,
        whenCancelled: (path) =>
          new Promise<void>((done) => {
            if ((cancellations.get(path) ?? 0) > 0) done()
            else waiting.set(path, [...(waiting.get(path) ?? []), done])
          }),
        close: () =>
          new Promise<void>((done, fail) => {
            pending.forEach(clearTimeout)
            pending.clear()
            server.close((error) => (error === undefined ? done() : fail(error)))
            server.closeAllConnections()
          })
      })
    })
  })
}
