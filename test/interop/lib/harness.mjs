// Interop test harness (node ESM, no dependencies): processes with deadlines and process-group
// kills, JSON-line / KEY=VALUE readers, free ports, temp dirs, a tiny test runner, and the
// choice of our binaries (plain or ASan build). Used by test/interop/*.test.mjs and bench_js.mjs.
//
// Runner contract: a test passes by returning, fails by throwing, and is skipped by calling
// t.skip(reason) (or throwing Skip). Output: one line per test, then the closing line
// "N passed, N failed, N skipped". Exit code 1 if anything failed.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const INTEROP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const ROOT = resolve(INTEROP_DIR, '../..')
export const PEER_MJS = join(INTEROP_DIR, 'js', 'peer.mjs')

// ------------------------------------------------------------------ small utilities
export class Skip extends Error { constructor (reason) { super(reason); this.name = 'Skip' } }
export const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))

export function assert (cond, msg) { if (!cond) throw new Error(`assertion failed: ${msg}`) }
export function assertEq (actual, expected, what) {
  const a = JSON.stringify(actual); const e = JSON.stringify(expected)
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`)
}

/** Rejects with `what: timeout after N ms` unless p settles first. */
export function withTimeout (p, ms, what) {
  let timer
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timeout after ${ms} ms`)), ms) })
  ])
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the kernel picked it). */
export function freePort (host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, host, () => { const { port } = srv.address(); srv.close(() => resolve(port)) })
  })
}

const tempDirs = new Set()
/** A fresh directory under $TMPDIR, removed at exit unless AAC_KEEP_TMP=1. */
export function tempDir (prefix = 'aac-interop-') {
  const d = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.add(d)
  return d
}

export const percentile = (xs, p) => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}

// ------------------------------------------------------------------ binaries (plain / ASan)
/** The build directory under test: env AAC_BUILD_DIR, default <repo>/build. */
export function buildDir () { return resolve(ROOT, process.env.AAC_BUILD_DIR || 'build') }

/** True when the build directory was configured with AAC_SANITIZE=ON (ASan+UBSan). */
export function isSanitized (dir = buildDir()) {
  try { return /^AAC_SANITIZE:BOOL=ON$/m.test(readFileSync(join(dir, 'CMakeCache.txt'), 'utf8')) } catch { return false }
}

/** Deadlines are multiplied by this: 3 for a sanitizer build, env AAC_TIME_SCALE overrides. */
export function timeScale () {
  if (process.env.AAC_TIME_SCALE) return Number(process.env.AAC_TIME_SCALE)
  return isSanitized() ? 3 : 1
}

/** Path of one of our binaries; throws Skip("<name> not built") when it is not in the build dir. */
export function binary (name) {
  const p = join(buildDir(), name)
  if (!existsSync(p)) throw new Skip(`${name} not built (${p} missing)`)
  return p
}

// Sanitizer settings for our binaries: any report is fatal, and the harness fails the test.
const SANITIZER_ENV = {
  ASAN_OPTIONS: 'abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1'
}
const SANITIZER_REPORT = /ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error: |SUMMARY: (Address|Undefined|Leak)Sanitizer/

// ------------------------------------------------------------------ processes
const live = new Set() // every Proc not yet reaped, for the exit-time kill
let currentScope = null // Procs started by the running test (killed when it ends)
const longLived = new Set() // Procs started with { longLived: true }: killed when the suite ends

function killGroup (pid, sig) { try { process.kill(-pid, sig) } catch { try { process.kill(pid, sig) } catch {} } }

/**
 * A child process in its own process group; stdout/stderr collected as lines.
 * opts: env (merged over process.env; AGENTANYCAST_ENABLE_MDNS=false unless overridden),
 * cwd, name (for messages), sanitized (check stderr for sanitizer reports), stdin ('ignore'|'pipe'),
 * longLived (a fixture shared by several tests: killed at the end of the suite, not of the test).
 */
export class Proc {
  constructor (argv, opts = {}) {
    this.argv = argv
    this.name = opts.name ?? argv[0].split('/').pop()
    this.sanitized = opts.sanitized ?? false
    this.out = []; this.err = []
    this.waiters = []
    const env = { ...process.env, AGENTANYCAST_ENABLE_MDNS: 'false', ...(this.sanitized ? SANITIZER_ENV : {}), ...(opts.env ?? {}) }
    this.child = spawn(argv[0], argv.slice(1), { env, cwd: opts.cwd, detached: true, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] })
    this.pid = this.child.pid
    this.exitInfo = null
    this.exited = new Promise(resolve => {
      this.child.on('error', (err) => { this.spawnError = err; this.exitInfo = { code: null, signal: null, error: err.message }; this._wake(); resolve(this.exitInfo) })
      this.child.on('close', (code, signal) => { this.exitInfo ??= { code, signal }; live.delete(this); this._wake(); resolve(this.exitInfo) })
    })
    live.add(this)
    if (opts.longLived) longLived.add(this); else if (currentScope) currentScope.add(this)
    this._pump(this.child.stdout, this.out)
    this._pump(this.child.stderr, this.err)
  }

  _pump (stream, lines) {
    let partial = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk) => {
      const parts = (partial + chunk).split('\n')
      partial = parts.pop()
      for (const l of parts) lines.push(l)
      if (parts.length) this._wake()
    })
    stream.on('end', () => { if (partial) { lines.push(partial); partial = '' } this._wake() })
  }

  _wake () { const w = this.waiters; this.waiters = []; for (const f of w) f() }
  _changed () { return new Promise(resolve => this.waiters.push(resolve)) }

  /** Position in stdout, to wait only for lines printed after it. */
  mark () { return this.out.length }

  tail (n = 8) {
    return `stdout tail: ${JSON.stringify(this.out.slice(-n).map(l => l.slice(0, 300)))}; stderr tail: ${JSON.stringify(this.err.slice(-n).map(l => l.slice(0, 300)))}`
  }

  /**
   * First stdout line (from index `since`) for which pick(line) returns a value other than
   * undefined/false; resolves to that value. Rejects on timeout or when the process ended without it.
   */
  async waitFor (pick, ms, what, { since = 0, stream = 'out' } = {}) {
    const deadline = Date.now() + ms
    const lines = stream === 'out' ? this.out : this.err
    let i = since
    for (;;) {
      for (; i < lines.length; i++) {
        const v = pick(lines[i])
        if (v !== undefined && v !== false && v !== null) return v
      }
      if (this.exitInfo) throw new Error(`${this.name} exited (${JSON.stringify(this.exitInfo)}) before ${what}; ${this.tail()}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timeout after ${ms} ms waiting for ${what} from ${this.name}; ${this.tail()}`)
      await Promise.race([this._changed(), sleep(Math.min(left, 200))])
    }
  }

  /** Next JSON object on stdout matching pred. */
  waitJson (pred, ms, what, opts) {
    return this.waitFor((l) => { const o = parseJson(l); return o != null && pred(o) ? o : undefined }, ms, what, opts)
  }

  /** Value of the first `KEY=VALUE` line on stdout. */
  waitKV (key, ms, opts) {
    return this.waitFor((l) => l.startsWith(key + '=') ? l.slice(key.length + 1).trim() : undefined, ms, `${key}=`, opts)
  }

  /** Every JSON object printed on stdout (from index since) matching pred. */
  jsons (pred = () => true, since = 0) { return this.out.slice(since).map(parseJson).filter(o => o != null && pred(o)) }

  /** Waits for the process to exit; on timeout kills its group and throws. */
  async wait (ms, what = 'exit') {
    try {
      return await withTimeout(this.exited, ms, `${this.name} ${what}`)
    } catch (err) {
      await this.kill()
      throw new Error(`${err.message}; ${this.tail()}`)
    }
  }

  /** SIGTERM to the whole process group, SIGKILL after graceMs. Safe to call twice. */
  async kill (graceMs = 2000) {
    if (this.exitInfo || this.pid == null) return this.exitInfo
    killGroup(this.pid, 'SIGTERM')
    const done = await Promise.race([this.exited, sleep(graceMs).then(() => null)])
    if (done == null) { killGroup(this.pid, 'SIGKILL'); await Promise.race([this.exited, sleep(2000)]) }
    // the leader may be gone while group members linger: always sweep the group
    killGroup(this.pid, 'SIGKILL')
    return this.exitInfo
  }

  /** The sanitizer report in stderr, if any (only for sanitized processes). */
  sanitizerReport () {
    if (!this.sanitized) return null
    const i = this.err.findIndex(l => SANITIZER_REPORT.test(l))
    return i < 0 ? null : this.err.slice(Math.max(0, i - 2), i + 30).join('\n')
  }
}

export function parseJson (line) {
  if (!line || line[0] !== '{') return null
  try { return JSON.parse(line) } catch { return null }
}

/** Runs a command to completion with a deadline; returns { code, signal, out, err, jsons }. */
export async function run (argv, ms, opts = {}) {
  const p = new Proc(argv, opts)
  const info = await p.wait(ms)
  return { ...info, out: p.out, err: p.err, jsons: p.jsons(), proc: p }
}

// Kill every process group still alive when this process ends, however it ends.
function killAllSync () {
  for (const p of live) killGroup(p.pid, 'SIGKILL')
  if (process.env.AAC_KEEP_TMP !== '1') for (const d of tempDirs) { try { rmSync(d, { recursive: true, force: true }) } catch {} }
}
process.on('exit', killAllSync)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { killAllSync(); process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[sig]) })

// ------------------------------------------------------------------ js-libp2p reference peer
/**
 * Starts js/peer.mjs with the given flags; resolves once its ready line is read.
 * Returns the Proc with .peerId and .addr (first listen multiaddr incl. /p2p/).
 */
export async function startJsPeer (args, opts = {}) {
  const p = new Proc([process.execPath, PEER_MJS, ...args], { name: opts.name ?? 'js-peer', env: opts.env, cwd: INTEROP_DIR, longLived: opts.longLived })
  const ready = await p.waitJson(o => typeof o.peerId === 'string', opts.timeoutMs ?? 20000, 'the ready line')
  p.peerId = ready.peerId
  p.addrs = ready.addrs
  p.addr = ready.addrs[0]
  return p
}

/** Runs js/peer.mjs as a one-shot client; resolves to { code, jsons, results, proc }. */
export async function runJsPeer (args, ms, opts = {}) {
  const r = await run([process.execPath, PEER_MJS, ...args], ms, { name: opts.name ?? 'js-client', env: opts.env, cwd: INTEROP_DIR })
  return { ...r, results: r.jsons.filter(o => o.result != null), ready: r.jsons[0] }
}

/** The result line of a js client run, or a thrown error carrying its output. */
export function jsResult (r, name) {
  const res = r.results.find(o => o.result === name)
  if (res == null) throw new Error(`no "${name}" result (exit ${r.code}); ${r.proc.tail()}`)
  if (res.error) throw new Error(`${name} failed: ${res.error}`)
  return res
}

// ------------------------------------------------------------------ our daemon
/**
 * Starts our agentanycastd on loopback with its own key, gRPC socket and store in a fresh
 * temp dir; waits for PEER_ID= and LISTEN_ADDR=. extraArgs are appended (e.g. -enable-perf).
 */
export async function startDaemon (extraArgs = [], opts = {}) {
  const bin = binary('agentanycastd')
  const dir = opts.dir ?? tempDir('aac-daemon-')
  const p = new Proc([bin, '-key', join(dir, 'key'), '-grpc-listen', `unix://${join(dir, 'd.sock')}`,
    '-listen', opts.listen ?? '/ip4/127.0.0.1/tcp/0', ...extraArgs],
  { name: opts.name ?? 'agentanycastd', sanitized: true, longLived: opts.longLived, env: { AGENTANYCAST_STORE_PATH: join(dir, 'data'), ...(opts.env ?? {}) } })
  const ms = 15000 * timeScale()
  p.peerId = await p.waitKV('PEER_ID', ms)
  p.addr = await p.waitKV('LISTEN_ADDR', ms)
  p.dir = dir
  return p
}

// ------------------------------------------------------------------ our diagnostic tool
/** Runs `agentanycast-peer <args>` to completion; resolves to { code, jsons, out, err, proc }. */
export function runOurPeer (args, ms, opts = {}) {
  return run([binary('agentanycast-peer'), ...args], ms * timeScale(), { name: opts.name ?? `agentanycast-peer ${args[0]}`, sanitized: true, env: opts.env })
}

/**
 * Starts `agentanycast-peer listen` (our stack as a plain listener serving identify, ping,
 * perf, /echo/1.0.0 and /reset/1.0.0); waits for PEER_ID= and LISTEN_ADDR=.
 */
export async function startOurListener (opts = {}) {
  const dir = opts.dir ?? tempDir('aac-peer-')
  const p = new Proc([binary('agentanycast-peer'), 'listen', '-listen', opts.listen ?? '/ip4/127.0.0.1/tcp/0', '-key', join(dir, 'key')],
    { name: 'agentanycast-peer listen', sanitized: true, longLived: opts.longLived, env: opts.env })
  const ms = 15000 * timeScale()
  p.peerId = await p.waitKV('PEER_ID', ms)
  p.addr = await p.waitKV('LISTEN_ADDR', ms)
  p.dir = dir
  return p
}

// ------------------------------------------------------------------ the runner
/**
 * const s = suite('js-js'); s.before(fn); s.test('name', async (t) => {...}, { timeoutMs }); await s.run()
 * t.skip(reason) skips; t.note(key, value) records a figure, printed after the test and
 * collected in s.notes (name -> {key: value}).
 */
export function suite (name) {
  const tests = []; const befores = []; const afters = []
  const notes = {}
  let skipAll = null
  const api = {
    notes,
    test (tname, fn, { timeoutMs = 60000 } = {}) { tests.push({ name: tname, fn, timeoutMs }) },
    before (fn) { befores.push(fn) },
    after (fn) { afters.push(fn) },
    /** Every test of the suite is reported as skipped with this reason. */
    skipAll (reason) { skipAll = reason },
    /**
     * A fixture shared by the tests that call the returned getter: started on first use with
     * fn() (whose processes should pass { longLived: true }), memoized, also when it fails.
     */
    fixture (fn) { let memo = null; return () => (memo ??= Promise.resolve().then(fn)) },
    async run () {
      let passed = 0; let failed = 0; let skipped = 0
      const suiteScope = longLived
      const t0 = Date.now()
      console.log(`# suite ${name}: ${tests.length} tests, build dir ${buildDir()}${isSanitized() ? ' (ASan+UBSan)' : ''}`)
      let beforeError = null
      if (skipAll == null) {
        currentScope = suiteScope
        try { for (const f of befores) await withTimeout(Promise.resolve().then(f), 60000 * timeScale(), 'suite setup') } catch (err) {
          if (err instanceof Skip) skipAll = err.message; else beforeError = err
        }
        currentScope = null
      }
      for (const tc of tests) {
        const label = `${name}: ${tc.name}`
        if (skipAll != null) { skipped++; console.log(`SKIP ${label} — skipped: ${skipAll}`); continue }
        if (beforeError) { failed++; console.log(`FAIL ${label} — suite setup failed: ${beforeError.message}`); continue }
        const scope = new Set(); currentScope = scope
        const tnotes = {}
        const t = {
          skip (reason) { throw new Skip(reason) },
          note (k, v) { tnotes[k] = v },
          scale: timeScale()
        }
        const start = Date.now()
        let outcome, msg = ''
        try {
          await withTimeout(Promise.resolve().then(() => tc.fn(t)), tc.timeoutMs * timeScale(), 'test')
          outcome = 'PASS'
        } catch (err) {
          if (err instanceof Skip) { outcome = 'SKIP'; msg = `skipped: ${err.message}` } else { outcome = 'FAIL'; msg = err?.stack?.split('\n').slice(0, 1).join() ?? String(err) }
        }
        currentScope = null
        for (const p of scope) await p.kill()
        // a sanitizer report from any of our processes fails the test, whatever it asserted
        for (const p of [...scope, ...suiteScope]) {
          const rep = p.sanitizerReport()
          if (rep && !p.reported) { p.reported = true; outcome = 'FAIL'; msg = `sanitizer report from ${p.name}:\n${rep}` }
        }
        const ms = Date.now() - start
        if (outcome === 'PASS') passed++; else if (outcome === 'FAIL') failed++; else skipped++
        console.log(`${outcome} ${label} (${ms} ms)${msg ? ' — ' + msg : ''}`)
        if (Object.keys(tnotes).length) { notes[tc.name] = tnotes; console.log(`  figures: ${JSON.stringify(tnotes)}`) }
      }
      currentScope = suiteScope
      for (const f of afters) { try { await f() } catch (err) { failed++; console.log(`FAIL ${name}: teardown: ${err.message}`) } }
      currentScope = null
      for (const p of suiteScope) await p.kill()
      for (const p of suiteScope) {
        const rep = p.sanitizerReport()
        if (rep && !p.reported) { failed++; console.log(`FAIL ${name}: sanitizer report from ${p.name} (at teardown):\n${rep}`) }
      }
      console.log(`# suite ${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
      // exit now: a test that timed out may still hold timers or sockets (stdout to a pipe or
      // file is synchronous on Linux, so nothing printed is lost)
      process.exit(failed > 0 ? 1 : 0)
    }
  }
  return api
}
