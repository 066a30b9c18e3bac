#!/usr/bin/env node
// js-libp2p reference peer for the agentanycastd interop suite (test/interop/README.md lists
// every flag). Adapted from the project's shared reference peer: same flags and JSON-lines
// contract, plus what the suite needs (--identify, --echo-streams, --reset-server,
// --reset-dial, --abort-dial, --hangup, --announce, stream:reset events).
// stdout: first line {"peerId","addrs"}, then one JSON object per line (events, results).
// Exit code: 0 on success, 1 if any requested operation failed, 2 on bad usage.
import './polyfill.mjs' // must stay first: Node 20 shims
import { readFile, writeFile } from 'node:fs/promises'
import { createLibp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { autoNAT } from '@libp2p/autonat'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf, publicKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { Uint8ArrayList } from 'uint8arraylist'

// ---------------------------------------------------------------- arguments
// flag name -> number of values it takes. Flags marked with * may repeat.
const SPEC = {
  listen: 1, dial: 1, key: 1, ping: 2, echo: 0, 'echo-dial': 2, perf: 1, 'perf-client': 3,
  dht: 1, 'dht-protocol': 1, 'dht-put': 2, 'dht-get': 1, 'find-peer': 1, provide: 1,
  'find-providers': 1, 'relay-server': 0, 'relay-reserve': 1, dcutr: 0, mdns: 0,
  'identify-print': 0, 'exit-after': 1, 'wait': 1, autonat: 0, quic: 0, stay: 0, quiet: 0,
  'ping-protocol-prefix': 1, 'relay-default-limit': 0,
  // added for the agentanycastd suite
  announce: 1, identify: 1, 'echo-streams': 3, 'echo-protocol': 1, 'reset-server': 0, 'reset-dial': 1,
  'abort-dial': 2, hangup: 1
}
const REPEAT = new Set(['listen', 'dial', 'relay-reserve', 'dht-put', 'dht-get', 'find-peer', 'provide', 'find-providers', 'ping', 'echo-dial', 'perf-client',
  'announce', 'identify', 'echo-streams', 'reset-dial', 'abort-dial', 'hangup'])

function parseArgs (argv) {
  const opts = {}
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '')
    if (!argv[i].startsWith('--') || !(name in SPEC)) usage(`unknown argument ${argv[i]}`)
    const vals = argv.slice(i + 1, i + 1 + SPEC[name])
    if (vals.length !== SPEC[name]) usage(`--${name} needs ${SPEC[name]} value(s)`)
    i += SPEC[name]
    const v = SPEC[name] === 0 ? true : SPEC[name] === 1 ? vals[0] : vals
    if (REPEAT.has(name)) (opts[name] ??= []).push(v)
    else opts[name] = v
  }
  // environment fallbacks (PEER_LISTEN, PEER_KEY, ...) for container use
  if (opts.listen == null && process.env.PEER_LISTEN) opts.listen = process.env.PEER_LISTEN.split(',')
  if (opts.key == null && process.env.PEER_KEY) opts.key = process.env.PEER_KEY
  return opts
}
function usage (msg) { console.error(`peer.mjs: ${msg} (see README.md)`); process.exit(2) }

const out = (obj) => process.stdout.write(JSON.stringify({ t: Date.now(), ...obj }) + '\n')
let ready = false // events are only printed after the ready line
const log = (obj) => { if (ready && !opts.quiet) out(obj) }
const opts = parseArgs(process.argv.slice(2))
const mib = (bytes, ms) => +((bytes / 1048576) / (ms / 1000)).toFixed(2)

// ---------------------------------------------------------------- identity
async function loadKey (file) {
  if (file == null) return generateKeyPair('Ed25519')
  try {
    return privateKeyFromProtobuf(await readFile(file)) // libp2p PrivateKey protobuf {Type, Data}
  } catch (err) {
    if (err.code !== 'ENOENT') throw err
    const key = await generateKeyPair('Ed25519')
    await writeFile(file, privateKeyToProtobuf(key))
    return key
  }
}

// ---------------------------------------------------------------- node
const listen = opts.listen ?? ['/ip4/127.0.0.1/tcp/0']
if (opts.quic) listen.push('/ip4/127.0.0.1/udp/0/quic-v1')
for (const relay of opts['relay-reserve'] ?? []) listen.push(`${relay}/p2p-circuit`)

const services = {
  identify: identify(),
  identifyPush: identifyPush(),
  // js's ping defaults allow 2 inbound / 1 outbound stream per connection; the suite runs
  // 100 concurrent ping streams against ping-only servers (--echo-protocol /ipfs/ping/1.0.0)
  ping: ping({ protocolPrefix: opts['ping-protocol-prefix'] ?? 'ipfs', maxInboundStreams: 1024, maxOutboundStreams: 1024 })
}
if (opts.dht) {
  if (!['server', 'client'].includes(opts.dht)) usage('--dht takes server|client')
  services.dht = kadDHT({
    protocol: opts['dht-protocol'] ?? '/ipfs/kad/1.0.0',
    clientMode: opts.dht === 'client',
    peerInfoMapper: passthroughMapper, // keep 127.0.0.1 addresses (default mappers drop them)
    allowQueryWithZeroPeers: true,
    // permissive validator/selector so --dht-put works for keys under /test/
    validators: { test: async () => {} },
    selectors: { test: () => 0 }
  })
}
// unlimited relayed connections unless --relay-default-limit (js default: 128 KiB / 2 min, connection marked 'limited')
if (opts['relay-server']) services.relay = circuitRelayServer({ reservations: { applyDefaultLimit: !!opts['relay-default-limit'] } })
if (opts.dcutr) services.dcutr = dcutr()
if (opts.autonat) { services.autoNAT = autoNAT(); services.autoNATv2 = autoNATv2() }

const transports = [tcp(), circuitRelayTransport()]
if (opts.quic) {
  const { quic } = await import('@chainsafe/libp2p-quic') // optional dependency
  transports.push(quic())
}

const node = await createLibp2p({
  privateKey: await loadKey(opts.key),
  addresses: { listen, appendAnnounce: opts.announce ?? [] },
  transports,
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // The mDNS component's own 'peer' events are logged as "mdns:peer": libp2p's
  // peer:discovery fires on a peer's first peer-store entry, which may come
  // from its inbound connection (with no addresses) before its mDNS answer.
  peerDiscovery: opts.mdns
    ? [(components) => {
        const m = mdns({ interval: 1000 })(components)
        m.addEventListener('peer', (e) => log({ event: 'mdns:peer', peer: e.detail.id.toString(), addrs: e.detail.multiaddrs.map(String) }))
        return m
      }]
    : [],
  services,
  connectionManager: { inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 100 },
  start: false // started below, after the event listeners are attached
})

// ---------------------------------------------------------------- events
const connInfo = (c) => ({ remotePeer: c.remotePeer.toString(), remoteAddr: c.remoteAddr.toString(), direction: c.direction, encryption: c.encryption, multiplexer: c.multiplexer, limited: c.limits != null })
node.addEventListener('peer:connect', (e) => log({ event: 'peer:connect', peer: e.detail.toString() }))
node.addEventListener('peer:disconnect', (e) => log({ event: 'peer:disconnect', peer: e.detail.toString() }))
node.addEventListener('connection:open', (e) => log({ event: 'connection:open', ...connInfo(e.detail) }))
node.addEventListener('connection:close', (e) => log({ event: 'connection:close', ...connInfo(e.detail) }))
node.addEventListener('peer:discovery', (e) => log({ event: 'peer:discovery', peer: e.detail.id.toString(), addrs: e.detail.multiaddrs.map(String) }))
let lastAddrs = ''
node.addEventListener('self:peer:update', () => {
  const addrs = node.getMultiaddrs().map(String)
  if (addrs.join() === lastAddrs) return
  lastAddrs = addrs.join()
  log({ event: 'self:peer:update', addrs, circuit: addrs.filter(a => a.includes('/p2p-circuit')) })
})
// Every field of an identify result. publicKey is the protobuf PublicKey the remote sent (hex);
// publicKeyMatchesPeerId says whether it hashes to the remote's peer ID; signedPeerRecord is
// null when the remote sent none (js only keeps a record whose envelope signature verified).
function identifyFields (r) {
  let keyMatches = null
  if (r.publicKey != null) {
    try { keyMatches = peerIdFromPublicKey(publicKeyFromProtobuf(r.publicKey)).equals(r.peerId) } catch { keyMatches = false }
  }
  const spr = r.signedPeerRecord
  return {
    peer: r.peerId.toString(),
    agentVersion: r.agentVersion ?? null,
    protocolVersion: r.protocolVersion ?? null,
    protocols: [...r.protocols].sort(),
    listenAddrs: r.listenAddrs.map(String),
    observedAddr: r.observedAddr?.toString() ?? null,
    publicKey: r.publicKey != null ? Buffer.from(r.publicKey).toString('hex') : null,
    publicKeyMatchesPeerId: keyMatches,
    signedPeerRecord: spr != null ? { seq: spr.seq?.toString() ?? null, addresses: (spr.addresses ?? []).map(String) } : null
  }
}
const identified = new Map() // peer id string -> latest identify result
const identifyWaiters = new Map() // peer id string -> [resolve]
node.addEventListener('peer:identify', (e) => {
  const fields = identifyFields(e.detail)
  identified.set(fields.peer, fields)
  for (const resolve of identifyWaiters.get(fields.peer) ?? []) resolve(fields)
  identifyWaiters.delete(fields.peer)
  if (opts['identify-print']) out({ event: 'identify', ...fields })
})

// ---------------------------------------------------------------- stream helpers
// Reads exactly n bytes (or until EOF if n == Infinity) from a v3 Stream's async iterator.
function reader (stream) {
  const it = stream[Symbol.asyncIterator]()
  const buf = new Uint8ArrayList()
  return {
    async read (n) {
      while (buf.byteLength < n) {
        const { done, value } = await it.next()
        if (done) { if (n === Infinity) break; throw new Error(`EOF after ${buf.byteLength}/${n} bytes`) }
        buf.append(value)
      }
      const len = Math.min(n, buf.byteLength)
      const chunk = buf.subarray(0, len); buf.consume(len); return chunk
    },
    // drain without buffering; returns total byte count; calls onChunk for each chunk
    async drain (onChunk = () => {}) {
      let total = buf.byteLength; if (total > 0) { onChunk(buf.subarray()); buf.consume(total) }
      for (let r = await it.next(); !r.done; r = await it.next()) { total += r.value.byteLength; onChunk(r.value.subarray ? r.value.subarray() : r.value) }
      return total
    }
  }
}
// Writes with backpressure: send() returns false when the muxer buffer is full.
async function write (stream, data) { if (!stream.send(data)) await stream.onDrain() }
const CHUNK = 64 * 1024
// payload byte i is (i & 0xff); CHUNK is a multiple of 256 so one precomputed block serves every offset
const BLOCK = Uint8Array.from({ length: CHUNK }, (_, i) => i & 0xff)
async function writeN (stream, total) { for (let off = 0; off < total; off += CHUNK) await write(stream, BLOCK.subarray(0, Math.min(CHUNK, total - off))) }
const handlerOpts = { runOnLimitedConnection: true, maxInboundStreams: 1024, maxOutboundStreams: 1024 }
// js caps outbound streams of a protocol it does not serve itself at 64 per connection
// (libp2p registrar DEFAULT_MAX_OUTBOUND_STREAMS): the suite opens 100+ at once.
const streamOpts = { runOnLimitedConnection: true, maxOutboundStreams: 1024 }
// A stream that ends in a reset/abort is reported, so a test can assert the remote's RST arrived.
const streamEnded = (protocol, err) => log({ event: 'stream:reset', protocol, error: err?.name ?? err?.constructor?.name ?? String(err), message: err?.message ?? err?.type })

// ---------------------------------------------------------------- /echo/1.0.0
const ECHO = '/echo/1.0.0'
if (opts.echo) {
  await node.handle(ECHO, async (stream) => {
    let n = 0
    try {
      for await (const chunk of stream) { n += chunk.byteLength; await write(stream, chunk) }
      await stream.close() // remote closed its write side; close ours
    } catch (err) { streamEnded(ECHO, err); return }
    log({ event: 'echo:served', bytes: n })
  }, handlerOpts)
}

// ---------------------------------------------------------------- /perf/1.0.0 (spec: libp2p/specs perf/perf.md)
// client -> server: u64 big-endian "bytes to send back", then upload bytes, then close write.
// server -> client: after reading EOF, sends that many bytes, then closes write.
const PERF = '/perf/1.0.0'
if (opts.perf === 'server') {
  await node.handle(PERF, async (stream) => {
    let up, down
    try {
      const r = reader(stream)
      const hdr = await r.read(8) // may be a view into a larger (pooled) buffer: honour byteOffset
      down = Number(new DataView(hdr.buffer, hdr.byteOffset, 8).getBigUint64(0, false))
      up = await r.drain()
      await writeN(stream, down)
      await stream.close()
    } catch (err) { streamEnded(PERF, err); return }
    log({ event: 'perf:served', uploaded: up, downloaded: down })
  }, handlerOpts)
} else if (opts.perf != null) usage('--perf takes "server"')

// ---------------------------------------------------------------- /reset/1.0.0 (test protocol)
// Reads the first chunk the dialer sends, then resets the stream (yamux RST): lets a test check
// that the dialer reports "reset by remote" and that the connection survives it.
const RESET = '/reset/1.0.0'
if (opts['reset-server']) {
  await node.handle(RESET, async (stream) => {
    const { value } = await stream[Symbol.asyncIterator]().next()
    stream.abort(new Error('reset by test server'))
    log({ event: 'reset:served', bytesBeforeReset: value?.byteLength ?? 0 })
  }, handlerOpts)
}

// ---------------------------------------------------------------- operations
async function dial (addr) {
  const start = performance.now()
  const conn = await node.dial(multiaddr(addr))
  log({ event: 'dial', addr, ms: +(performance.now() - start).toFixed(2), ...connInfo(conn) })
  return conn
}
const openStream = (addr, proto) => node.dialProtocol(multiaddr(addr), proto, streamOpts)
const peerOf = (addr) => multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')?.value
const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_resolve, reject) => setTimeout(() => reject(new Error(`${what}: timeout after ${ms} ms`)), ms).unref())])

// identify runs by itself on every new connection; this waits for its result (10 s).
async function doIdentify (addr) {
  const peer = peerOf(addr)
  if (peer == null) throw new Error('--identify needs a /p2p/ address')
  await dial(addr)
  const fields = identified.get(peer) ?? await withTimeout(new Promise(resolve => {
    identifyWaiters.set(peer, [...(identifyWaiters.get(peer) ?? []), resolve])
  }), 10000, 'identify')
  out({ result: 'identify', addr, ...fields })
}

// N concurrent streams on one connection; each sends `bytes` (byte i = i & 0xff), half-closes
// and verifies that exactly those bytes come back. With --echo-protocol /ipfs/ping/1.0.0 and a
// multiple of 32 bytes this runs against any ping server (ping echoes 32-byte payloads).
async function doEchoStreams (addr, n, bytes) {
  const proto = opts['echo-protocol'] ?? ECHO
  const total = Number(bytes); const count = Number(n)
  await dial(addr)
  const start = performance.now()
  const one = async (i) => {
    const stream = await openStream(addr, proto)
    const r = reader(stream); let off = 0; let bad = -1
    const check = (c) => { for (let j = 0; j < c.byteLength; j++) if (bad < 0 && c[j] !== ((off + j) & 0xff)) bad = off + j; off += c.byteLength }
    const [, got] = await Promise.all([writeN(stream, total).then(() => stream.close()), r.drain(check)])
    if (got !== total || bad >= 0) throw new Error(`stream ${i}: sent ${total}, got ${got}, first bad byte ${bad}`)
  }
  const results = await Promise.allSettled(Array.from({ length: count }, (_, i) => one(i)))
  const ms = performance.now() - start
  const errors = results.filter(r => r.status === 'rejected').map(r => r.reason?.message ?? String(r.reason))
  if (errors.length > 0) throw new Error(`${errors.length}/${count} streams failed; first: ${errors[0]}`)
  out({ result: 'echo-streams', addr, protocol: proto, streams: count, bytesPerStream: total, ms: +ms.toFixed(1), MiBps: mib(2 * total * count, ms), note: 'MiBps counts both directions of all streams' })
}

// Opens /reset/1.0.0, sends 1 KiB and expects the remote to reset the stream (not EOF, not a
// hang); then checks that the same connection still carries a ping.
async function doResetDial (addr) {
  const conn = await dial(addr)
  const stream = await openStream(addr, RESET)
  await write(stream, BLOCK.subarray(0, 1024))
  let end
  try {
    await withTimeout(reader(stream).drain(), 10000, 'waiting for the reset')
    end = 'eof'
  } catch (err) {
    if (err.name !== 'StreamResetError') throw new Error(`expected StreamResetError, got ${err.name}: ${err.message}`)
    end = 'reset'
  }
  if (end !== 'reset') throw new Error('the stream ended with EOF; expected a reset by the remote')
  const rtt = await node.services.ping.ping(multiaddr(addr))
  out({ result: 'reset-dial', addr, reset: true, sameConnection: conn.status === 'open', pingAfterMs: +Number(rtt).toFixed(3) })
}

// Opens `proto`, starts a transfer, then resets the stream ourselves (yamux RST to the remote):
// /perf/1.0.0 asks for 1 GiB and resets after the first 1 MiB arrived; any other protocol
// sends 1 MiB blocks and resets after the first bytes came back. Then pings on the same
// connection: the remote must have survived the reset.
async function doAbortDial (addr, proto) {
  const conn = await dial(addr)
  const stream = await openStream(addr, proto)
  const it = stream[Symbol.asyncIterator]()
  let received = 0
  if (proto === PERF) {
    const hdr = new Uint8Array(8); new DataView(hdr.buffer).setBigUint64(0, BigInt(1 << 30), false)
    await write(stream, hdr); await stream.close() // v3: close() ends our write side only
    while (received < 1048576) { const { done, value } = await it.next(); if (done) throw new Error(`EOF after ${received} bytes`); received += value.byteLength }
  } else {
    write(stream, BLOCK).catch(() => {})
    const { done, value } = await withTimeout(it.next(), 10000, 'first echoed bytes')
    if (done) throw new Error('EOF before any byte came back')
    received += value.byteLength
  }
  stream.abort(new Error('reset by test client'))
  const rtt = await node.services.ping.ping(multiaddr(addr))
  out({ result: 'abort-dial', addr, protocol: proto, receivedBeforeReset: received, sameConnection: conn.status === 'open', pingAfterMs: +Number(rtt).toFixed(3) })
}

// Closes every connection to the peer (yamux GoAway + close) and waits for connection:close.
async function doHangup (addr) {
  const peer = peerOf(addr)
  const start = performance.now()
  await withTimeout(node.hangUp(peer != null ? peerIdFromString(peer) : multiaddr(addr)), 10000, 'hangUp')
  const left = node.getConnections().filter(c => c.remotePeer.toString() === peer).length
  if (left !== 0) throw new Error(`${left} connection(s) to ${peer} still open after hangUp`)
  out({ result: 'hangup', addr, ms: +(performance.now() - start).toFixed(2) })
}

async function doPing (addr, count) {
  // uses a single stream and the spec'd 32-byte payload; RTT measured with performance.now()
  await dial(addr)
  const stream = await openStream(addr, node.services.ping.protocol)
  const r = reader(stream); const rtts = []
  for (let i = 0; i < Number(count); i++) {
    const data = crypto.getRandomValues(new Uint8Array(32))
    const start = performance.now()
    await write(stream, data)
    const back = await r.read(32)
    const rtt = performance.now() - start
    if (Buffer.compare(Buffer.from(back.subarray()), Buffer.from(data)) !== 0) throw new Error('ping payload mismatch')
    rtts.push(+rtt.toFixed(3)); out({ event: 'ping', addr, seq: i, rttMs: +rtt.toFixed(3) })
  }
  await stream.close()
  const sorted = [...rtts].sort((a, b) => a - b)
  out({ result: 'ping', addr, count: rtts.length, minMs: sorted[0], medianMs: sorted[sorted.length >> 1], maxMs: sorted.at(-1) })
}

async function doEcho (addr, bytes) {
  const total = Number(bytes)
  const stream = await openStream(addr, ECHO)
  const start = performance.now()
  const r = reader(stream); let off = 0; let bad = -1
  const check = (c) => { for (let i = 0; i < c.byteLength; i++) if (bad < 0 && c[i] !== ((off + i) & 0xff)) bad = off + i; off += c.byteLength }
  const [, got] = await Promise.all([writeN(stream, total).then(() => stream.close()), r.drain(check)])
  const ms = performance.now() - start
  if (got !== total || bad >= 0) throw new Error(`echo mismatch: sent ${total}, got ${got}, first bad byte ${bad}`)
  out({ result: 'echo', addr, bytes: total, ms: +ms.toFixed(1), MiBps: mib(2 * total, ms), note: 'MiBps counts both directions (2*bytes)' })
}

async function doPerf (addr, upload, download) {
  const up = Number(upload); const down = Number(download)
  const stream = await openStream(addr, PERF)
  const start = performance.now()
  const hdr = new Uint8Array(8); new DataView(hdr.buffer).setBigUint64(0, BigInt(down), false)
  await write(stream, hdr)
  await writeN(stream, up)
  await stream.close()
  const tUp = performance.now()
  const got = await reader(stream).drain()
  const end = performance.now()
  if (got !== down) throw new Error(`perf: expected ${down} bytes, got ${got}`)
  out({ result: 'perf', addr, uploadBytes: up, downloadBytes: down, totalMs: +(end - start).toFixed(1), uploadMiBps: up ? mib(up, tUp - start) : null, downloadMiBps: down ? mib(down, end - tUp) : null })
}

// text that is not already a CID becomes CIDv1(raw, sha256(text)) so both sides agree trivially
async function toCid (s) { try { return CID.parse(s) } catch { return CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(s))) } }
const dhtKey = (k) => new TextEncoder().encode(k)
const evSummary = (ev) => ({ name: ev.name, from: ev.from?.toString() })

async function dhtOps () {
  const dht = node.services.dht
  for (const [k, v] of opts['dht-put'] ?? []) {
    let n = 0; for await (const ev of dht.put(dhtKey(k), new TextEncoder().encode(v))) if (ev.name === 'PEER_RESPONSE') n++
    out({ result: 'dht-put', key: k, responses: n })
  }
  for (const k of opts['dht-get'] ?? []) {
    let value = null
    for await (const ev of dht.get(dhtKey(k))) if (ev.name === 'VALUE') { value = new TextDecoder().decode(ev.value); break }
    if (value == null) throw new Error(`dht-get ${k}: not found`)
    out({ result: 'dht-get', key: k, value })
  }
  for (const p of opts['find-peer'] ?? []) {
    let found = null
    for await (const ev of dht.findPeer(peerIdFromString(p))) if (ev.name === 'FINAL_PEER') { found = ev.peer; break }
    if (found == null) throw new Error(`find-peer ${p}: not found`)
    out({ result: 'find-peer', peer: p, addrs: found.multiaddrs.map(String) })
  }
  for (const c of opts.provide ?? []) {
    const cid = await toCid(c); let n = 0
    for await (const ev of dht.provide(cid)) if (ev.name === 'PEER_RESPONSE') n++
    out({ result: 'provide', cid: cid.toString(), responses: n })
  }
  for (const c of opts['find-providers'] ?? []) {
    const cid = await toCid(c); const providers = []
    for await (const ev of dht.findProviders(cid)) {
      if (ev.name === 'PROVIDER') for (const p of ev.providers) providers.push({ peer: p.id.toString(), addrs: p.multiaddrs.map(String) })
      if (providers.length > 0) break
    }
    if (providers.length === 0) throw new Error(`find-providers ${cid}: none`)
    out({ result: 'find-providers', cid: cid.toString(), providers })
  }
}

// ---------------------------------------------------------------- main
await node.start()
lastAddrs = node.getMultiaddrs().map(String).join()
out({ peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })
ready = true
const sleep = (s) => new Promise(resolve => setTimeout(resolve, s * 1000))
let failed = false
const run = async (name, fn) => { try { await fn() } catch (err) { failed = true; out({ result: name, error: err.message ?? String(err) }) } }

for (const addr of opts.dial ?? []) await run('dial', () => dial(addr))
if (opts.wait) await sleep(Number(opts.wait))
const oneShot = ['identify', 'ping', 'echo-dial', 'echo-streams', 'perf-client', 'abort-dial', 'reset-dial', 'hangup',
  'dht-put', 'dht-get', 'find-peer', 'provide', 'find-providers'].some(k => opts[k] != null)
for (const addr of opts.identify ?? []) await run('identify', () => doIdentify(addr))
for (const [addr, n] of opts.ping ?? []) await run('ping', () => doPing(addr, n))
for (const [addr, n] of opts['echo-dial'] ?? []) await run('echo', () => doEcho(addr, n))
for (const [addr, n, b] of opts['echo-streams'] ?? []) await run('echo-streams', () => doEchoStreams(addr, n, b))
for (const [addr, u, d] of opts['perf-client'] ?? []) await run('perf', () => doPerf(addr, u, d))
for (const [addr, p] of opts['abort-dial'] ?? []) await run('abort-dial', () => doAbortDial(addr, p))
for (const addr of opts['reset-dial'] ?? []) await run('reset-dial', () => doResetDial(addr))
if (opts.dht) await run('dht', dhtOps)
for (const addr of opts.hangup ?? []) await run('hangup', () => doHangup(addr))

const shutdown = async (code) => { await node.stop().catch(() => {}); out({ event: 'exit', code }); process.exit(code) }
process.on('SIGINT', () => shutdown(0)); process.on('SIGTERM', () => shutdown(0))
if (opts['exit-after']) setTimeout(() => shutdown(failed ? 1 : 0), Number(opts['exit-after']) * 1000)
else if (oneShot && !opts.stay) await shutdown(failed ? 1 : 0)
