#!/usr/bin/env node
/**
 * The `schedule-ts` executable: runs the command line with the process's arguments and streams.
 * All the logic is in `cli.ts`, so it can be tested without a process.
 *
 * @internal
 */
import { main } from './cli'

process.exitCode = main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text)
})
