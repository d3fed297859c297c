/**
 * A throwaway `redis-server` for the BullMQ tests and `npm run demo:queue`: started on a free
 * 127.0.0.1 port, without persistence, in a temporary directory, and stopped (directory removed)
 * by `stop()`.
 *
 * Also what `npm test` runs first (scripts/provision/ensure-redis.ts): `provisioning` decides, from what the
 * machine has, whether redis-server is there, can be installed (root on Debian: apt-get), or is
 * missing, with the one command that installs it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

// -------------------------------------------------------------------------------------
// finding and installing redis-server
// -------------------------------------------------------------------------------------

/** Whether a command runs here (`command --version` exits 0). */
const runs = (command: string): boolean => {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore' })
  return result.error === undefined && result.status === 0
}

/** The version of the redis-server on the PATH (`7.0.15`), or undefined when there is none. */
export const redisServerVersion = (): string | undefined => {
  const result = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (result.error !== undefined || result.status !== 0) {
    return undefined
  }
  return /\bv=(\S+)/.exec(result.stdout)?.[1] ?? result.stdout.trim()
}

/** What the machine has, as far as installing redis-server goes. */
export interface MachineFacts {
  readonly redisServer: string | undefined
  readonly root: boolean
  readonly aptGet: boolean
  readonly brew: boolean
}

export const machineFacts = (): MachineFacts => ({
  redisServer: redisServerVersion(),
  root: process.getuid?.() === 0,
  aptGet: runs('apt-get'),
  brew: runs('brew')
})

/** What to do before the tests run. */
export type Provisioning =
  | { readonly _tag: 'Present'; readonly version: string }
  | { readonly _tag: 'Install'; readonly commands: ReadonlyArray<ReadonlyArray<string>> }
  | { readonly _tag: 'Missing'; readonly command: string }

/**
 * Present when redis-server is on the PATH; otherwise Install with apt-get when root on Debian (or
 * a derivative); otherwise Missing, with the one command that installs it on this machine.
 */
export const provisioning = (facts: MachineFacts): Provisioning => {
  if (facts.redisServer !== undefined) {
    return { _tag: 'Present', version: facts.redisServer }
  }
  if (facts.aptGet && facts.root) {
    return {
      _tag: 'Install',
      commands: [
        ['apt-get', 'update'],
        ['apt-get', 'install', '-y', '--no-install-recommends', 'redis-server']
      ]
    }
  }
  if (facts.aptGet) {
    return { _tag: 'Missing', command: 'sudo apt-get update && sudo apt-get install -y redis-server' }
  }
  if (facts.brew) {
    return { _tag: 'Missing', command: 'brew install redis' }
  }
  return {
    _tag: 'Missing',
    command: "install Redis 7 with your system's package manager, so that redis-server is on the PATH"
  }
}

// -------------------------------------------------------------------------------------
// running redis-server
// -------------------------------------------------------------------------------------

/** A running redis-server, on 127.0.0.1. */
export interface RedisServer {
  readonly host: string
  readonly port: number
  readonly version: string
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  readonly stop: () => Promise<void>
}

/** A port that was free a moment ago (the OS picks it); redis-server may still lose a race for it. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()))

/** Starts redis-server on `port`; resolves once it accepts connections, rejects with its output if it exits first. */
const launch = (port: number, dir: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--logfile',
        ''
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let output = ''
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.off('exit', onExit)
        // keep draining its output, so a full pipe never blocks it
        child.stdout?.off('data', onData).resume()
        child.stderr?.off('data', onData).resume()
        resolve(child)
      }
    }
    const onExit = (): void => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited before it was ready:\n${output}`))
    }
    const timer = setTimeout(() => {
      child.off('exit', onExit)
      child.kill('SIGKILL')
      reject(new Error(`redis-server was not ready within 10 s:\n${output}`))
    }, 10_000)
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', (error) => {
      clearTimeout(timer)
      child.off('exit', onExit)
      reject(error)
    })
  })

/**
 * Starts a redis-server of its own on a free 127.0.0.1 port, with no persistence, in a temporary
 * directory. Throws, with the command that installs it, when redis-server is missing.
 */
export const startRedis = async (): Promise<RedisServer> => {
  const version = redisServerVersion()
  if (version === undefined) {
    const plan = provisioning(machineFacts())
    const hint = plan._tag === 'Missing' ? plan.command : 'npm test installs it: run npm test once'
    throw new Error(`redis-server is not installed, and the BullMQ tests and demo need it: ${hint}`)
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-ts-redis-'))
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    let child: ChildProcess
    try {
      child = await launch(port, dir)
    } catch (error) {
      // another process took the port between freePort and redis-server's bind: try another
      if (attempt < 5 && error instanceof Error && /Address already in use/.test(error.message)) {
        continue
      }
      fs.rmSync(dir, { recursive: true, force: true })
      throw error
    }
    // if this process exits without stop(), the server goes with it
    const killOnExit = (): void => {
      child.kill('SIGKILL')
    }
    process.once('exit', killOnExit)
    let stopping: Promise<void> | undefined
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        process.off('exit', killOnExit)
        const gone = exited(child)
        child.kill('SIGTERM')
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          gone,
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              child.kill('SIGKILL')
              resolve(gone)
            }, 5_000)
          })
        ])
        clearTimeout(timer)
        fs.rmSync(dir, { recursive: true, force: true })
      })()
      return stopping
    }
    return { host: '127.0.0.1', port, version, stop }
  }
}
