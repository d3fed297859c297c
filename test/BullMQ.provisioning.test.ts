/**
 * What `npm test` does first (scripts/provision/ensure-redis.ts): redis-server present, installed with
 * apt-get where it can be, or a stop with the one command that installs it. Never a silent skip.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { type MachineFacts, provisioning } from '../scripts/provision/redis'

const root = path.resolve(__dirname, '..')
const facts = (overrides: Partial<MachineFacts>): MachineFacts => ({
  redisServer: undefined,
  root: false,
  aptGet: false,
  brew: false,
  ...overrides
})

/** Runs scripts/provision/ensure-redis.ts with `PATH` set to `pathDir`; node itself is started by its full path. */
const ensureRedis = (pathDir: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'provision', 'ensure-redis.ts')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: pathDir }
  })

describe('provisioning redis-server', () => {
  it('does nothing when redis-server is there', () => {
    expect(provisioning(facts({ redisServer: '7.0.15', root: true, aptGet: true }))).toEqual({
      _tag: 'Present',
      version: '7.0.15'
    })
  })

  it('installs it with apt-get when root on Debian', () => {
    expect(provisioning(facts({ root: true, aptGet: true }))).toEqual({
      _tag: 'Install',
      commands: [
        ['apt-get', 'update'],
        ['apt-get', 'install', '-y', '--no-install-recommends', 'redis-server']
      ]
    })
  })

  it('otherwise names the one command that installs it', () => {
    expect(provisioning(facts({ aptGet: true }))).toEqual({
      _tag: 'Missing',
      command: 'sudo apt-get update && sudo apt-get install -y redis-server'
    })
    expect(provisioning(facts({ brew: true }))).toEqual({ _tag: 'Missing', command: 'brew install redis' })
    expect(provisioning(facts({ root: true }))).toMatchObject({ _tag: 'Missing' })
  })

  it('the pretest script exits 0, saying nothing, on this machine, which has redis-server', () => {
    const result = ensureRedis(process.env.PATH ?? '')
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('')
    expect(result.status).toBe(0)
  }, 30_000)

  it('the pretest script stops at once, with exit code 1 and the command to run, when it cannot install redis-server', () => {
    // a PATH with nothing on it: no redis-server, no apt-get, no brew
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-ts-path-'))
    try {
      const result = ensureRedis(empty)
      expect(result.status).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain('redis-server is not installed, and the BullMQ integration tests need it')
      expect(result.stderr).toContain("install Redis 7 with your system's package manager")
    } finally {
      fs.rmSync(empty, { recursive: true, force: true })
    }
  }, 30_000)
})
