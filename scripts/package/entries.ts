/**
 * The package's entry points: the one list the build, the package checks and the consumer projects
 * read. A new public module joins with one line here (its `src/<name>.ts` must exist); everything
 * else follows from this list:
 *
 * - `npm run build` compiles it into `dist/cjs/<name>.js` and `dist/esm/<name>.js` (with types) and
 *   writes the folder `<name>/package.json` that TypeScript's `moduleResolution: node` (node10) and
 *   older tools that ignore `exports` resolve `schedule-ts/<name>` through;
 * - package.json's `exports` pattern `./*` makes it importable under node16, nodenext and bundlers,
 *   and its `files` pattern for the entry folders publishes the folder;
 * - `npm run check:package` checks every entry under every resolution mode (arethetypeswrong), and
 *   imports, typechecks and runs each of them in fresh consumer projects made from the tarball.
 *
 * `peer` names the optional peer dependency an entry needs (and nothing else does): the consumer
 * projects install it from the root's devDependencies, so declare it there as well as in
 * `peerDependencies` and `peerDependenciesMeta` (`"optional": true`).
 */
export interface Entry {
  /** The module's name: `src/<name>.ts`, imported as `schedule-ts/<name>`. */
  readonly name: string
  /** The optional peer dependency only this entry needs, if any. */
  readonly peer?: string
}

export const entries: ReadonlyArray<Entry> = [
  { name: 'Schedule' },
  { name: 'TaskEither' },
  { name: 'ReaderTaskEither' },
  { name: 'Clock' },
  { name: 'TestClock' },
  { name: 'Budget' },
  { name: 'Config' },
  { name: 'Cron', peer: 'croner' },
  { name: 'OpenTelemetry', peer: '@opentelemetry/api' },
  { name: 'BullMQ', peer: 'bullmq' }
]
