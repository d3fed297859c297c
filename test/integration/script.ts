/**
 * Runs one of the project's scripts (a demo) as a child process, the way `npm run` does.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'

const root = path.resolve(__dirname, '..', '..')

/** What a script printed, and how it exited. */
export interface ScriptRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `script` with tsx and resolves with its exit code and output. The script must exit by itself
 * within `limitMs`: a socket, timer, worker or server left open would keep it alive, and it is then
 * killed and the run rejects with what it printed.
 */
export const runScript = (script: string, limitMs: number): Promise<ScriptRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${script} did not exit within ${limitMs / 1000} s\n${stdout}\n${stderr}`))
    }, limitMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
