/**
 * Runs before `npm test` (its `pretest`): the BullMQ integration tests start a redis-server of
 * their own, so it must be installed. When it is missing, this installs it where it can (root on
 * Debian: apt-get), and otherwise stops at once with the one command that installs it. Never a
 * silent skip: the tests that need Redis always run.
 */
import { spawnSync } from 'node:child_process'
import { machineFacts, provisioning, redisServerVersion } from './redis'

const main = (): number => {
  const plan = provisioning(machineFacts())
  switch (plan._tag) {
    case 'Present':
      return 0
    case 'Missing':
      console.error(
        `redis-server is not installed, and the BullMQ integration tests need it. Install it with:\n\n  ${plan.command}\n`
      )
      return 1
    case 'Install': {
      console.log('redis-server is not installed: installing it for the BullMQ integration tests')
      for (const [command, ...args] of plan.commands) {
        console.log(`$ ${[command, ...args].join(' ')}`)
        const result = spawnSync(command, args, {
          stdio: 'inherit',
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
        })
        if (result.error !== undefined || result.status !== 0) {
          console.error(`\`${[command, ...args].join(' ')}\` failed: install redis-server and run npm test again`)
          return 1
        }
      }
      const version = redisServerVersion()
      if (version === undefined) {
        console.error('redis-server is still not on the PATH after apt-get install redis-server')
        return 1
      }
      console.log(`redis-server ${version} installed`)
      return 0
    }
  }
}

process.exitCode = main()
