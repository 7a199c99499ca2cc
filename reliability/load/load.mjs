// IterPref load suite: autocannon (pinned in package-lock.json) drives the gateway with a mix of
// endpoints at rising rates, one autocannon instance per endpoint so each has its own rate,
// connections and latency percentiles. Bounded: every step stops by itself, the whole run too.
// Started by scripts/load-test.sh, which brings the platform up and passes everything in the
// environment (see the "configuration" block). Writes the raw results JSON and a text summary.
import autocannon from 'autocannon'
import fs from 'node:fs'
import path from 'node:path'
import os from 'node:os'
import { execFile } from 'node:child_process'

// ---- configuration -------------------------------------------------------------------------
const env = process.env
const BASE = env.LOAD_URL ?? 'http://127.0.0.1:8080'
const KEY = need('LOAD_KEY') // read, submit, train; a large per-key rate (capacity phase)
const LIMITED_KEY = need('LOAD_LIMITED_KEY') // read only; a small per-key rate (429 phase)
const LIMITED_RPM = Number(env.LOAD_LIMITED_RPM ?? 60)
const LIMITED_BURST = Number(env.LOAD_LIMITED_BURST ?? 10)
const QUICK = env.LOAD_QUICK === '1'
const STEP_SECONDS = Number(env.LOAD_STEP_SECONDS ?? (QUICK ? 12 : 30))
const RATES = (env.LOAD_RATES ?? (QUICK ? '4 8' : '4 8 16 32 64 96 128 192 256')).trim().split(/[\s,]+/).map(Number)
const SOAK_MINUTES = Number(env.LOAD_SOAK_MINUTES ?? 0)
const SAMPLE_SECONDS = Number(env.LOAD_SAMPLE_SECONDS ?? 30)
const P99_BOUND_MS = Number(env.LOAD_P99_BOUND_MS ?? 5000)
const DRAIN_SECONDS = Number(env.LOAD_DRAIN_SECONDS ?? 900)
const REQUEST_TIMEOUT_S = Number(env.LOAD_REQUEST_TIMEOUT_SECONDS ?? 30)
const OUT_DIR = env.LOAD_OUT ?? 'results'
const TASKS_FILE = env.LOAD_TASKS_FILE ?? '../../examples/tasks/iterpref-examples.jsonl'
// "name:port:pid" per service, for the soak's samples (actuator on each service's own loopback port)
const SERVICES = (env.LOAD_SERVICES ?? '').split(/[\s,]+/).filter(Boolean).map(s => {
  const [name, port, pid] = s.split(':')
  return { name, port: Number(port), pid: Number(pid) }
})
const RUN_TASKS = Number(env.LOAD_RUN_TASKS ?? 2)
const RUN_MAX_ITERATIONS = Number(env.LOAD_RUN_MAX_ITERATIONS ?? 3)

function need (name) {
  if (!env[name]) { console.error(`load.mjs: ${name} is not set (scripts/load-test.sh sets it)`); process.exit(2) }
  return env[name]
}

// The mix: each endpoint's share of the total rate. Runs are a small share: each is RUN_TASKS
// trajectories of up to RUN_MAX_ITERATIONS sandboxed iterations, work that outlives the request.
const MIX = [
  { name: 'executions', share: 0.20 },
  { name: 'task-import', share: 0.10 },
  { name: 'run-submit', share: 0.05 },
  { name: 'run-status', share: 0.20 },
  { name: 'pairs-feed', share: 0.25 },
  { name: 'chat', share: 0.20 }
]

const taskLines = fs.readFileSync(new URL(TASKS_FILE, import.meta.url), 'utf8').split('\n').filter(l => l.trim())
const execution = JSON.stringify({
  language: 'python',
  code: 'def add(a, b):\n    return a + b\n',
  tests: [{ name: 'sum', code: 'assert add(2, 3) == 5' }, { name: 'neg', code: 'assert add(-1, 1) == 0' }],
  limits: { wallTimeMs: 5000, memoryMb: 256, maxProcesses: 32, maxOutputBytes: 65536 }
})
const chatBody = JSON.stringify({
  model: 'tiny-qwen2', max_tokens: 8, temperature: 0,
  messages: [{ role: 'user', content: 'Write a Python function that adds two numbers.' }]
})
const RUN_SET = `load-runs-${Date.now()}`
const runBody = JSON.stringify({
  taskSet: RUN_SET, source: { type: 'bug-injection' }, maxIterations: RUN_MAX_ITERATIONS, samplesPerTask: 1, seed: 7
})
const auth = key => ({ authorization: `Bearer ${key}` })
const json = { 'content-type': 'application/json' }

// what the verification needs afterwards: every accepted run and import
const accepted = { runs: [], imports: [] }
let importSeq = 0
const tag = Date.now().toString(36)

function requestsFor (name) {
  switch (name) {
    case 'executions':
      return [{ method: 'POST', path: '/api/executions', headers: { ...json, ...auth(KEY) }, body: execution }]
    case 'task-import':
      // one task line per request into a set of its own (load-TAG-N), so that each accepted import
      // must leave exactly that task behind: the check afterwards counts the set's tasks
      return [{
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', ...auth(KEY) },
        setupRequest: (req, ctx) => {
          const n = importSeq++
          ctx.set = `load-${tag}-${n}`
          return { ...req, path: `/api/tasks/import?format=jsonl&set=${ctx.set}`, body: taskLines[n % taskLines.length] }
        },
        onResponse: (status, body, ctx) => {
          if (status >= 200 && status < 300) {
            let imported = null
            try { imported = JSON.parse(body).imported } catch { }
            accepted.imports.push({ set: ctx.set, imported })
          }
        }
      }]
    case 'run-submit':
      return [{
        method: 'POST', path: '/api/generation-runs', headers: { ...json, ...auth(KEY) }, body: runBody,
        onResponse: (status, body) => {
          if (status >= 200 && status < 300) {
            try { accepted.runs.push(JSON.parse(body).id) } catch { accepted.runs.push(null) }
          }
        }
      }]
    case 'run-status':
      return [{
        method: 'GET', headers: auth(KEY),
        setupRequest: req => {
          const ids = accepted.runs.filter(Boolean)
          return { ...req, path: `/api/generation-runs/${ids[Math.floor(Math.random() * ids.length)]}` }
        }
      }]
    case 'pairs-feed':
      return [{ method: 'GET', path: '/api/pairs?limit=20', headers: auth(KEY) }]
    case 'chat':
      return [{ method: 'POST', path: '/v1/chat/completions', headers: { ...json, ...auth(KEY) }, body: chatBody }]
  }
  throw new Error(name)
}

// ---- one autocannon instance -----------------------------------------------------------------
function percentile (sorted, p) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)]
}

// rate may be fractional: the instance sends round(rate * seconds) requests at ceil(rate)/s at most
function drive (name, requests, rate, seconds) {
  return new Promise((resolve, reject) => {
    const amount = Math.max(1, Math.round(rate * seconds))
    const perSecond = Math.max(1, Math.ceil(rate))
    const latencies = []
    const codes = {}
    let errors = 0
    let timeouts = 0
    const started = Date.now()
    const instance = autocannon({
      url: BASE,
      requests,
      amount,
      overallRate: perSecond,
      connections: perSecond, // autocannon caps connections at the rate; one request in flight each
      timeout: REQUEST_TIMEOUT_S,
      bailout: undefined
    }, (err, result) => {
      clearTimeout(guard)
      if (err) return reject(err)
      latencies.sort((a, b) => a - b)
      const count = c => Object.entries(codes).filter(([k]) => c(Number(k))).reduce((s, [, v]) => s + v, 0)
      const ok = count(s => s >= 200 && s < 300)
      resolve({
        endpoint: name,
        offeredRate: rate,
        planned: amount,
        sent: latencies.length + errors,
        ok,
        r429: count(s => s === 429),
        other4xx: count(s => s >= 400 && s < 500 && s !== 429),
        r5xx: count(s => s >= 500),
        errors: errors - timeouts,
        timeouts,
        statusCodes: codes,
        wallSeconds: (Date.now() - started) / 1000,
        throughput: ok / Math.max(seconds, (Date.now() - started) / 1000),
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies.length ? latencies[latencies.length - 1] : null,
        autocannon: { requests: result.requests, latency: result.latency, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }
      })
    })
    instance.on('response', (client, statusCode, bytes, responseTime) => {
      latencies.push(responseTime)
      codes[statusCode] = (codes[statusCode] ?? 0) + 1
    })
    instance.on('reqError', err => { errors++; if (String(err?.code ?? err).includes('TIMEOUT') || /timed? ?out/i.test(String(err?.message))) timeouts++ })
    // bounded: an endpoint that cannot keep up is stopped a while after its step's time
    const guard = setTimeout(() => instance.stop(), (seconds + Math.min(60, REQUEST_TIMEOUT_S + 5)) * 1000)
  })
}

async function step (totalRate, seconds, label) {
  const load1 = os.loadavg()[0]
  const started = new Date().toISOString()
  const results = await Promise.all(MIX.map(m => drive(m.name, requestsFor(m.name), totalRate * m.share, seconds)))
  const sum = k => results.reduce((s, r) => s + (r[k] ?? 0), 0)
  const total = {
    label, offeredRate: totalRate, seconds, started, loadavg1Start: load1, loadavg1End: os.loadavg()[0],
    planned: sum('planned'), sent: sum('sent'), ok: sum('ok'), r429: sum('r429'), other4xx: sum('other4xx'),
    r5xx: sum('r5xx'), errors: sum('errors'), timeouts: sum('timeouts'), throughput: sum('throughput'),
    worstP99: Math.max(...results.map(r => r.p99 ?? 0))
  }
  const reasons = []
  // 5xx and connection errors are not saturation: below saturation they are failures (see below)
  if (total.timeouts > 0) reasons.push(`${total.timeouts} client timeouts (${REQUEST_TIMEOUT_S} s)`)
  if (total.worstP99 > P99_BOUND_MS) reasons.push(`p99 ${total.worstP99} ms > ${P99_BOUND_MS} ms (${results.find(r => r.p99 === total.worstP99).endpoint})`)
  // against what was planned (round(rate x seconds) requests), so that rounding a small rate is not saturation
  if (total.throughput < 0.9 * total.planned / seconds) reasons.push(`throughput ${total.throughput.toFixed(1)}/s < 90% of ${totalRate}/s offered`)
  for (const r of results) {
    if (r.throughput < 0.9 * r.planned / seconds) reasons.push(`${r.endpoint} answered ${r.throughput.toFixed(1)}/s 2xx < 90% of its ${fmt(r.offeredRate)}/s`)
  }
  if (total.r429 > 0) reasons.push(`${total.r429} 429 (back-pressure)`)
  total.saturated = reasons.length > 0
  total.reasons = reasons
  return { total, endpoints: results }
}

// ---- reporting -------------------------------------------------------------------------------
const lines = []
function say (s = '') { console.log(s); lines.push(s) }
const fmt = v => v === null || v === undefined ? '-' : (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v))
function table (rows, cols) {
  const widths = cols.map(c => Math.max(c.length, ...rows.map(r => fmt(r[c]).length)))
  say(cols.map((c, i) => c.padStart(widths[i])).join('  '))
  for (const r of rows) say(cols.map((c, i) => fmt(r[c]).padStart(widths[i])).join('  '))
}
function printStep (s) {
  const t = s.total
  say(`--- ${t.label}: ${t.offeredRate} req/s offered for ${t.seconds} s (load average ${t.loadavg1Start.toFixed(2)} -> ${t.loadavg1End.toFixed(2)})` +
      (t.saturated ? `  SATURATED: ${t.reasons.join('; ')}` : ''))
  table([...s.endpoints, { ...t, endpoint: 'total', p50: null, p95: null, p99: t.worstP99 }],
    ['endpoint', 'offeredRate', 'planned', 'sent', 'ok', 'r429', 'other4xx', 'r5xx', 'errors', 'timeouts', 'throughput', 'p50', 'p95', 'p99'])
}

// ---- plain HTTP for set-up, verification and samples ------------------------------------------
async function call (method, url, { key = KEY, body, headers = {} } = {}) {
  const res = await fetch(url.startsWith('http') ? url : BASE + url, {
    method, body, headers: { ...(key ? auth(key) : {}), ...headers }, signal: AbortSignal.timeout(60000)
  })
  const text = await res.text()
  let parsed = null
  try { parsed = JSON.parse(text) } catch { }
  return { status: res.status, body: parsed, text }
}
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function prometheus (port) {
  const res = await call('GET', `http://127.0.0.1:${port}/actuator/prometheus`, { key: null })
  const sums = {}
  for (const line of res.text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/)
    if (!m) continue
    const [, name, labels = '', value] = m
    const key = name === 'jvm_memory_used_bytes' ? (labels.includes('area="heap"') ? 'heap' : 'nonheap') : name
    sums[key] = (sums[key] ?? 0) + Number(value)
  }
  return sums
}
function descendants (root) {
  const children = new Map()
  const comm = new Map()
  for (const p of fs.readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      comm.set(Number(p), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))
      if (!children.has(ppid)) children.set(ppid, [])
      children.get(ppid).push(Number(p))
    } catch { }
  }
  const out = []
  const todo = [root]
  while (todo.length) { for (const c of children.get(todo.pop()) ?? []) { out.push(c); todo.push(c) } }
  return out.map(p => ({ pid: p, comm: comm.get(p) }))
}
// heap is sampled twice: as used (a GC sawtooth, shown) and right after a full GC that jcmd asks the
// service's JVM for (GC.run): the live heap, which is what a leak makes grow
function fullGc (pid) { // asynchronous: the autocannon instances share this event loop
  return new Promise(resolve => execFile('jcmd', [String(pid), 'GC.run'], { timeout: 30000 }, err => resolve(!err)))
}
async function sample () {
  const s = { at: new Date().toISOString(), loadavg1: os.loadavg()[0] }
  for (const svc of SERVICES) {
    const before = await prometheus(svc.port).catch(() => ({}))
    const gc = await fullGc(svc.pid)
    const m = await prometheus(svc.port).catch(() => ({}))
    let fds = null
    try { fds = fs.readdirSync(`/proc/${svc.pid}/fd`).length } catch { }
    s[svc.name] = {
      heapUsedMiB: before.heap / 1048576, heapAfterGcMiB: gc ? m.heap / 1048576 : null, nonHeapMiB: m.nonheap / 1048576, fds,
      filesOpenMetric: m.process_files_open_files ?? null,
      dbActive: m.hikaricp_connections_active ?? null, dbTotal: m.hikaricp_connections ?? null,
      threads: m.jvm_threads_live_threads ?? null
    }
    if (svc.name === 'trainer') s.trainer.ndarrays = m.trainer_model_ndarrays ?? null
    if (svc.name === 'executor') {
      const d = descendants(svc.pid)
      s.executor.sandboxProcesses = d.length
      s.executor.bwrap = d.filter(p => p.comm === 'bwrap').length
    }
  }
  return s
}

// ---- the phases --------------------------------------------------------------------------------
const report = {
  tool: 'autocannon 9.0.0', startedAt: new Date().toISOString(), host: { nproc: os.cpus().length, loadavgStart: os.loadavg() },
  config: { BASE, QUICK, STEP_SECONDS, RATES, SOAK_MINUTES, SAMPLE_SECONDS, P99_BOUND_MS, LIMITED_RPM, LIMITED_BURST, MIX, RUN_TASKS, RUN_MAX_ITERATIONS, REQUEST_TIMEOUT_S },
  steps: [], rateLimit: null, verification: null, soak: null
}
const failures = []

say(`IterPref load: ${BASE}, autocannon 9.0.0, nproc ${os.cpus().length}, load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`)
say(`mix (share of the total rate): ${MIX.map(m => `${m.name} ${m.share}`).join(', ')}; steps ${RATES.join(', ')} req/s x ${STEP_SECONDS} s`)

// set-up: the run task set, and one run so that status polls have an id from the start
const setup = await call('POST', `/api/tasks/import?format=jsonl&set=${RUN_SET}`, {
  body: taskLines.slice(0, RUN_TASKS).join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' }
})
if (setup.status !== 200 || setup.body?.valid !== RUN_TASKS) throw new Error(`set-up import failed: ${setup.status} ${setup.text}`)
const first = await call('POST', '/api/generation-runs', { body: runBody, headers: json })
if (first.status >= 300) throw new Error(`set-up run failed: ${first.status} ${first.text}`)
accepted.runs.push(first.body.id)
say(`set-up: task set ${RUN_SET} (${RUN_TASKS} tasks), first run ${first.body.id}`)

// 1. capacity: rising rates until saturation (the first saturated step ends the phase)
let saturation = null
let lastGood = null
for (const rate of RATES) {
  const s = await step(rate, STEP_SECONDS, `step ${rate} req/s`)
  report.steps.push(s)
  printStep(s)
  if (s.total.saturated) { saturation = s.total; break }
  lastGood = s.total
}
say()
if (saturation) {
  say(`saturation: at ${saturation.offeredRate} req/s offered (${saturation.reasons.join('; ')}); ` +
      `last unsaturated step ${lastGood ? `${lastGood.offeredRate} req/s, ${lastGood.throughput.toFixed(1)} req/s answered 2xx` : 'none'}`)
} else {
  say(`saturation: not reached up to ${RATES[RATES.length - 1]} req/s offered (a lower bound)`)
}
for (const s of report.steps) {
  // 5xx and connection errors are failures at every rate below saturation; at the saturated step
  // they are reported in its table
  if (s.total === saturation) continue
  if (s.total.r5xx > 0) failures.push(`${s.total.r5xx} 5xx below saturation at ${s.total.offeredRate} req/s`)
  if (s.total.errors > 0) failures.push(`${s.total.errors} connection errors below saturation at ${s.total.offeredRate} req/s`)
}

// 2. the rate at which 429s start: a key limited to LIMITED_RPM/min (burst LIMITED_BURST), feed reads
say()
say(`--- per-key rate limit: a key with requestsPerMinute ${LIMITED_RPM}, burst ${LIMITED_BURST}; GET /api/pairs at rising rates`)
const limitedRates = QUICK ? [1, 4] : [1, 2, 4, 8]
const limitedSeconds = QUICK ? 6 : 15
report.rateLimit = { requestsPerMinute: LIMITED_RPM, burst: LIMITED_BURST, steps: [], onsetRate: null }
for (const rate of limitedRates) {
  const r = await drive('pairs-feed (limited key)', [{ method: 'GET', path: '/api/pairs?limit=5', headers: auth(LIMITED_KEY) }], rate, limitedSeconds)
  report.rateLimit.steps.push(r)
  if (r.r429 > 0 && report.rateLimit.onsetRate === null) report.rateLimit.onsetRate = rate
  say(`  ${rate} req/s for ${limitedSeconds} s: ${r.sent} sent, ${r.ok} 2xx, ${r.r429} 429 (${(100 * r.r429 / Math.max(1, r.sent)).toFixed(0)}%), ${r.r5xx} 5xx, 2xx throughput ${r.throughput.toFixed(2)}/s`)
  if (r.r5xx > 0) failures.push(`${r.r5xx} 5xx in the rate-limit phase`)
}
say(`429s start at ${report.rateLimit.onsetRate ?? 'none up to ' + limitedRates[limitedRates.length - 1]} req/s offered ` +
    `(the key's sustained rate is ${(LIMITED_RPM / 60).toFixed(2)} req/s after a burst of ${LIMITED_BURST})`)
if (report.rateLimit.onsetRate === null) failures.push('no 429 from a key over its rate')

// 3. soak at 70% of saturation
if (SOAK_MINUTES > 0) {
  const base = saturation ? saturation.offeredRate : RATES[RATES.length - 1]
  const rate = Math.max(1, Math.round(0.7 * base * 10) / 10)
  say()
  say(`--- soak: ${SOAK_MINUTES} min at ${rate} req/s (70% of ${base} req/s${saturation ? ', the saturation step' : ', the highest step, not saturated'}), a sample every ${SAMPLE_SECONDS} s`)
  // the first window is a warm-up (thread and connection pools grow to the soak's concurrency): its
  // end is the baseline sample; the idle sample before it is kept as preLoad, outside the trends
  report.soak = { rate, minutes: SOAK_MINUTES, preLoad: await sample(), samples: [], windows: [] }
  const end = Date.now() + SOAK_MINUTES * 60000
  while (Date.now() < end) {
    // the sample is taken as each window ends, once its requests are answered: in-flight work (a chat
    // completion's KV cache NDArrays, a sandbox, a borrowed connection) would otherwise read as growth
    const seconds = Math.min(SAMPLE_SECONDS, Math.max(5, Math.round((end - Date.now()) / 1000)))
    const w = await step(rate, seconds, 'soak window')
    report.soak.windows.push(w.total)
    report.soak.samples.push(await sample())
    const t = w.total
    say(`  ${new Date().toISOString().slice(11, 19)} ${t.sent} sent, ${t.ok} 2xx, ${t.r429} 429, ${t.r5xx} 5xx, ${t.errors + t.timeouts} errors, worst p99 ${t.worstP99} ms`)
  }
  report.soak.trends = trends(report.soak.samples)
  say()
  say('soak trends (samples from the end of the warm-up window on; least-squares line; drift = slope x sampled')
  say('length; flat = |drift| <= bound, bound = max(absolute, share of the mean); growth beyond the bound fails):')
  table(report.soak.trends, ['metric', 'preLoad', 'start', 'end', 'min', 'max', 'slopePerMin', 'drift', 'bound', 'flat'])
  for (const t of report.soak.trends) if (t.drift > t.bound) failures.push(`soak: ${t.metric} grows (drift ${fmt(t.drift)} > bound ${fmt(t.bound)})`)
  const soak5xx = report.soak.windows.reduce((s, w) => s + w.r5xx, 0)
  if (soak5xx > 0) failures.push(`${soak5xx} 5xx during the soak`)
}

function trends (samples) {
  const bounds = { heapAfterGcMiB: [0.10, 16], heapUsedMiB: [1e9, 0], // the sawtooth: shown, never judged
     nonHeapMiB: [0.10, 16], fds: [0.10, 20], dbActive: [0, 3], dbTotal: [0, 2], ndarrays: [0.05, 20], bwrap: [0, 8], sandboxProcesses: [0, 16], threads: [0.10, 10] }
  const out = []
  const t0 = Date.parse(samples[0].at)
  for (const svc of SERVICES) {
    for (const [metric, [rel, abs]] of Object.entries(bounds)) {
      const pts = samples.map(s => [(Date.parse(s.at) - t0) / 60000, s[svc.name]?.[metric]]).filter(([, v]) => typeof v === 'number' && !Number.isNaN(v))
      if (pts.length < 2) continue
      const n = pts.length
      const mx = pts.reduce((s, p) => s + p[0], 0) / n
      const my = pts.reduce((s, p) => s + p[1], 0) / n
      const sxx = pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0)
      const slope = sxx ? pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / sxx : 0
      const drift = slope * (pts[n - 1][0] - pts[0][0])
      const bound = Math.max(abs, rel * Math.abs(my))
      const vals = pts.map(p => p[1])
      out.push({ metric: `${svc.name}.${metric}`, preLoad: report.soak.preLoad?.[svc.name]?.[metric] ?? null, start: vals[0], end: vals[n - 1], min: Math.min(...vals), max: Math.max(...vals), slopePerMin: slope, drift, bound, flat: Math.abs(drift) <= bound })
    }
  }
  return out
}

// 4. no lost submission: every accepted run exists and ends; every accepted import left its task
say()
say(`--- verification: ${accepted.runs.length} accepted runs must exist and end (waiting up to ${DRAIN_SECONDS} s), ${accepted.imports.length} accepted imports must have left their task`)
const verification = { runsAccepted: accepted.runs.length, runsMissing: [], runsNotFinal: [], runsFinal: 0, importsAccepted: accepted.imports.length, importsMissing: [], drainSeconds: null }
const drainStart = Date.now()
let pending = [...new Set(accepted.runs)]
if (pending.includes(null)) { verification.runsMissing.push('a 2xx without a run id'); pending = pending.filter(Boolean) }
while (pending.length && Date.now() - drainStart < DRAIN_SECONDS * 1000) {
  const still = []
  for (const id of pending) {
    const r = await call('GET', `/api/generation-runs/${id}`)
    if (r.status === 404) verification.runsMissing.push(id)
    else if (r.status === 200 && ['COMPLETED', 'CANCELLED'].includes(r.body.status)) verification.runsFinal++
    else still.push(id)
  }
  pending = still
  if (pending.length) {
    process.stdout.write(`  ${pending.length} runs not ended yet after ${Math.round((Date.now() - drainStart) / 1000)} s\r`)
    await sleep(5000)
  }
}
verification.drainSeconds = (Date.now() - drainStart) / 1000
verification.runsNotFinal = pending
for (const imp of accepted.imports) {
  const r = await call('GET', `/api/tasks?set=${imp.set}&size=1`)
  if (r.status !== 200 || r.body.total < 1 || imp.imported !== 1) verification.importsMissing.push({ ...imp, status: r.status, total: r.body?.total })
}
report.verification = verification
if (report.soak) {
  // idle again (the runs drained): every gauge should be back near its pre-load value
  report.soak.postLoad = await sample()
  say('after the load (idle, runs drained) vs before it:')
  const rows = []
  for (const svc of SERVICES) {
    for (const k of ['heapAfterGcMiB', 'fds', 'dbActive', 'dbTotal', 'threads', 'ndarrays', 'bwrap', 'sandboxProcesses']) {
      const a = report.soak.preLoad[svc.name]?.[k]
      const b = report.soak.postLoad[svc.name]?.[k]
      if (typeof a === 'number' && typeof b === 'number') rows.push({ metric: `${svc.name}.${k}`, before: a, after: b })
    }
  }
  table(rows, ['metric', 'before', 'after'])
}
say(`runs: ${verification.runsFinal}/${verification.runsAccepted} ended (${verification.drainSeconds.toFixed(0)} s to drain), ` +
    `${verification.runsMissing.length} missing, ${verification.runsNotFinal.length} not ended; imports: ` +
    `${verification.importsAccepted - verification.importsMissing.length}/${verification.importsAccepted} present`)
if (verification.runsMissing.length) failures.push(`lost runs: ${verification.runsMissing.join(', ')}`)
if (verification.runsNotFinal.length) failures.push(`${verification.runsNotFinal.length} runs not ended after ${DRAIN_SECONDS} s`)
if (verification.importsMissing.length) failures.push(`lost imports: ${JSON.stringify(verification.importsMissing.slice(0, 5))}`)

report.finishedAt = new Date().toISOString()
report.host.loadavgEnd = os.loadavg()
report.saturation = saturation ? { offeredRate: saturation.offeredRate, reasons: saturation.reasons, lastUnsaturated: lastGood?.offeredRate ?? null, lastUnsaturatedThroughput: lastGood?.throughput ?? null } : null
report.failures = failures
say()
say(`load average at the end ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`)
say(failures.length ? `FAILED: ${failures.join('; ')}` : 'PASSED: no 5xx below saturation, no lost submission' + (SOAK_MINUTES > 0 ? ', no growth in the soak' : ''))

fs.mkdirSync(OUT_DIR, { recursive: true })
const stamp = report.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
const base = path.join(OUT_DIR, `load-${QUICK ? 'quick-' : ''}${stamp}`)
fs.writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + '\n')
fs.writeFileSync(`${base}.txt`, lines.join('\n') + '\n')
console.log(`raw results ${base}.json, summary ${base}.txt`)
process.exit(failures.length ? 1 : 0)
