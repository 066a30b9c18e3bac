#!/usr/bin/env node
// js-libp2p <-> js-libp2p baseline for `make bench` (run side by side with our stack's figures).
// The server is a separate js/peer.mjs process (--echo --perf server); the client side runs in
// this process so the timings do not include process start-up. Prints ONE JSON object.
//
//   node test/interop/bench_js.mjs [--bulk-mib 256] [--streams 100] [--stream-mib 2]
//                                   [--dials 1000] [--pings 1000] [--idle-conns 200]
//
// Figures (all on loopback, TCP + Noise + yamux, the versions pinned in package-lock.json):
//   bulk_*_MiBps         perf /perf/1.0.0 on one stream, upload then download of --bulk-mib
//   streams_total_MiBps  --streams concurrent perf streams on one connection, each downloading
//                        --stream-mib; total bytes / wall time
//   connect_ms           --dials sequential new connections: dial (TCP + multistream + Noise XX
//                        + yamux) and dial + first stream (one ping on a new stream); p50/p99
//   ping_rtt_us          --pings pings on one warm stream; p50/p99
//   idle_rss_kib         VmRSS of the idle server process (2 s after start)
//   rss_per_idle_conn_kib  (server VmRSS with --idle-conns idle connections - idle) / conns;
//                        the connections come from --idle-conns client nodes in this process
import './js/polyfill.mjs'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { createLibp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { percentile, sleep, startJsPeer } from './lib/harness.mjs'

const args = process.argv.slice(2)
const opt = (name, def) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def }
const BULK = opt('bulk-mib', 256) * 1048576
const STREAMS = opt('streams', 100)
const STREAM_BYTES = opt('stream-mib', 2) * 1048576
const DIALS = opt('dials', 1000)
const PINGS = opt('pings', 1000)
const IDLE = opt('idle-conns', 200)
// --target <ma> --target-pid <pid>: measure against another server (our daemon) instead of js.
const strOpt = (name) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : null }
const TARGET = strOpt('target')
const TARGET_PID = Number(strOpt('target-pid') ?? 0)

const PERF = '/perf/1.0.0'
const CHUNK = 65536
const BLOCK = new Uint8Array(CHUNK)
const mibs = (bytes, ms) => +((bytes / 1048576) / (ms / 1000)).toFixed(1)
const r3 = (x) => x == null ? null : +x.toFixed(3)
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1])

function client (extra = {}) {
  return createLibp2p({
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping({ maxOutboundStreams: 1024 }) },
    connectionManager: { maxConnections: 10000 },
    ...extra
  })
}
async function write (stream, data) { if (!stream.send(data)) await stream.onDrain() }
async function perf (node, ma, up, down) {
  const stream = await node.dialProtocol(ma, PERF, { maxOutboundStreams: 1024 })
  const t0 = performance.now()
  const hdr = new Uint8Array(8); new DataView(hdr.buffer).setBigUint64(0, BigInt(down), false)
  await write(stream, hdr)
  for (let off = 0; off < up; off += CHUNK) await write(stream, BLOCK.subarray(0, Math.min(CHUNK, up - off)))
  await stream.close()
  const t1 = performance.now()
  let got = 0
  for await (const c of stream) got += c.byteLength
  const t2 = performance.now()
  if (got !== down) throw new Error(`perf: expected ${down}, got ${got}`)
  return { upMs: t1 - t0, downMs: t2 - t1 }
}

const srv = TARGET
  ? { addr: TARGET, pid: TARGET_PID, kill: async () => {} }
  : await startJsPeer(['--echo', '--perf', 'server', '--stay', '--quiet'], { name: 'bench-server' })
const ma = multiaddr(srv.addr)
const result = { impl: 'js-libp2p 3.3.11 (@chainsafe/libp2p-noise 17.0.0, @chainsafe/libp2p-yamux 8.0.1)', node: process.version, cpus: cpus().length, loadavg_1m_at_start: +loadavg()[0].toFixed(2) }
try {
  await sleep(2000)
  if (srv.pid) result.idle_rss_kib = rssKiB(srv.pid)

  const c = await client(); await c.start()
  await c.dial(ma)
  await perf(c, ma, 8 * 1048576, 8 * 1048576) // warm-up (JIT)
  const up = await perf(c, ma, BULK, 0)
  const down = await perf(c, ma, 0, BULK)
  result.bulk_bytes = BULK
  result.bulk_upload_MiBps = mibs(BULK, up.upMs)
  result.bulk_download_MiBps = mibs(BULK, down.downMs)

  const t0 = performance.now()
  await Promise.all(Array.from({ length: STREAMS }, () => perf(c, ma, 0, STREAM_BYTES)))
  result.streams = STREAMS
  result.streams_total_MiBps = mibs(STREAMS * STREAM_BYTES, performance.now() - t0)

  // ping RTT on one warm stream
  const ps = await c.dialProtocol(ma, '/ipfs/ping/1.0.0')
  const it = ps[Symbol.asyncIterator](); const rtts = []
  const payload = new Uint8Array(32)
  for (let i = 0; i < PINGS + 50; i++) {
    crypto.getRandomValues(payload)
    const s = performance.now()
    await write(ps, payload)
    let n = 0; while (n < 32) { const { done, value } = await it.next(); if (done) throw new Error('ping EOF'); n += value.byteLength }
    if (i >= 50) rtts.push((performance.now() - s) * 1000) // first 50 are warm-up
  }
  await ps.close()
  result.ping_rtt_us = { p50: +percentile(rtts, 50).toFixed(1), p99: +percentile(rtts, 99).toFixed(1), n: rtts.length }
  await c.stop()

  // connection setup: a fresh connection each time (hang up between dials)
  const d = await client(); await d.start()
  const dialMs = []; const firstStreamMs = []
  for (let i = 0; i < DIALS + 20; i++) {
    const s = performance.now()
    await d.dial(ma)
    const t1 = performance.now()
    await d.services.ping.ping(ma)
    const t2 = performance.now()
    if (i >= 20) { dialMs.push(t1 - s); firstStreamMs.push(t2 - s) } // first 20 are warm-up
    await d.hangUp(ma)
  }
  await d.stop()
  result.connect_ms = {
    n: dialMs.length,
    dial_p50: r3(percentile(dialMs, 50)),
    dial_p99: r3(percentile(dialMs, 99)),
    dial_and_first_stream_p50: r3(percentile(firstStreamMs, 50)),
    dial_and_first_stream_p99: r3(percentile(firstStreamMs, 99))
  }

  // RSS per idle connection: IDLE client nodes, one connection each
  await sleep(2000)
  const before = srv.pid ? rssKiB(srv.pid) : 0
  const nodes = []
  for (let i = 0; i < IDLE; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, IDLE - i) }, async () => { const n = await client(); await n.start(); await n.dial(ma); return n }))
    nodes.push(...batch)
  }
  await sleep(3000)
  const after = srv.pid ? rssKiB(srv.pid) : 0
  result.idle_conns = nodes.length
  result.idle_rss_before_conns_kib = before
  result.idle_rss_with_conns_kib = after
  result.rss_per_idle_conn_kib = +((after - before) / nodes.length).toFixed(1)
  await Promise.all(nodes.map(n => n.stop()))
} finally {
  await srv.kill()
}
result.loadavg_1m_at_end = +loadavg()[0].toFixed(2) // the machine is shared: read the figures with the load
process.stdout.write(JSON.stringify(result) + '\n')
process.exit(0)
