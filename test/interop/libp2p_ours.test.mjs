// Our libp2p stack against js-libp2p 3.3.11, both directions, on loopback:
//   ours -> js : `agentanycast-peer identify|ping|perf|echo` dials the js reference peer
//   js -> ours : the js reference peer dials `agentanycastd -enable-perf` and `agentanycast-peer listen`
// Every scenario of js_js.test.mjs: connect, identify (every field), ping x100, perf 64 MiB up
// and down, 100 concurrent echo streams, stream reset by the remote, connection close, and a
// dial with the wrong /p2p/ id. The binaries come from AAC_BUILD_DIR (default build/); while
// agentanycast-peer is not built every test reports "skipped: agentanycast-peer not built".
// The command-line contract these tests hold our binaries to is in test/interop/README.md.
//   AAC_BUILD_DIR=build node test/interop/libp2p_ours.test.mjs
import './js/polyfill.mjs'
import { execFileSync } from 'node:child_process'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import {
  Skip, assert, assertEq, binary, jsResult, runJsPeer, runOurPeer, sleep, startDaemon, startJsPeer,
  startOurListener, suite
} from './lib/harness.mjs'

const s = suite('libp2p-ours')
const MiB = 1048576
const PERF_BYTES = 64 * MiB
const JS_PROTOCOLS = ['/echo/1.0.0', '/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/ipfs/ping/1.0.0', '/perf/1.0.0', '/reset/1.0.0']

try {
  binary('agentanycast-peer') // the libp2p stack has landed once the diagnostic tool is built
  binary('agentanycastd')
} catch (err) {
  if (!(err instanceof Skip)) throw err
  s.skipAll(err.message)
}

const stripP2p = (ma) => ma.replace(/\/p2p\/[^/]+$/, '')
const tcpPort = (ma) => Number(/\/tcp\/(\d+)/.exec(ma)?.[1])
const hexKeyOf = (peerId) => Buffer.from(publicKeyToProtobuf(peerIdFromString(peerId).publicKey)).toString('hex')
async function foreignPeerId () { return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString() }
const withPeer = (ma, id) => `${stripP2p(ma)}/p2p/${id}`

// Sockets of `port` left in CLOSE-WAIT: the remote closed and we never closed our side.
function closeWaitCount (port) {
  const out = execFileSync('ss', ['-Htn', 'state', 'close-wait', `( sport = :${port} )`], { encoding: 'utf8' })
  return out.split('\n').filter(Boolean).length
}

// JSON objects our tool printed: stdout lines that parse as objects.
const objs = (r) => r.jsons
const describe = (r) => `exit ${r.code}; ${r.proc.tail()}`

// ---------------------------------------------------------------- fixtures
// js listener that our tool dials.
const jsServer = s.fixture(() => startJsPeer(['--echo', '--perf', 'server', '--reset-server', '--identify-print', '--stay'], { name: 'js-server', longLived: true }))
// Our daemon and our tool's listener mode, dialed by js.
const daemon = s.fixture(() => startDaemon(['-enable-perf'], { longLived: true }))
const listener = s.fixture(() => startOurListener({ longLived: true }))

// ================================================================ ours -> js
s.test('ours->js: connect + identify (every field of the js peer)', async () => {
  const js = await jsServer()
  const m = js.mark()
  const r = await runOurPeer(['identify', js.addr], 30000)
  assertEq(r.code, 0, `identify exit code (${describe(r)})`)
  const id = objs(r).find(o => o.peer_id != null)
  assert(id != null, `one JSON object with peer_id (${describe(r)})`)
  assertEq(id.peer_id, js.peerId, 'peer_id')
  assert(/^js-libp2p\/3\.3\.11 node\//.test(id.agent_version), `agent_version ${id.agent_version}`)
  assertEq(id.protocol_version, 'ipfs/0.1.0', 'protocol_version')
  for (const p of JS_PROTOCOLS) assert(id.protocols?.includes(p), `protocols has ${p}: ${id.protocols}`)
  assert(id.listen_addrs?.includes(stripP2p(js.addr)), `listen_addrs ${id.listen_addrs} has ${stripP2p(js.addr)}`)
  assert(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+/.test(id.observed_addr ?? ''), `observed_addr ${id.observed_addr}`)
  assertEq(id.public_key, hexKeyOf(js.peerId), 'public_key (hex protobuf)')
  assert(id.signed_peer_record != null, 'signed_peer_record present')
  assert(id.signed_peer_record.addresses?.includes(stripP2p(js.addr)), `signed_peer_record.addresses ${JSON.stringify(id.signed_peer_record)}`)
  const open = await js.waitJson(o => o.event === 'connection:open' && o.direction === 'inbound', 5000, 'js connection:open', { since: m })
  assertEq([open.encryption, open.multiplexer], ['/noise', '/yamux/1.0.0'], 'js view of our connection')
})

s.test('ours->js: ping x100', async (t) => {
  const js = await jsServer()
  const r = await runOurPeer(['ping', js.addr, '-count', '100'], 60000)
  assertEq(r.code, 0, `ping exit code (${describe(r)})`)
  const rtts = objs(r).filter(o => typeof o.rtt_ms === 'number').map(o => o.rtt_ms)
  assertEq(rtts.length, 100, 'objects with rtt_ms')
  assert(rtts.every(x => x > 0), 'every rtt_ms > 0')
  t.note('ping_rtt_ms_median', [...rtts].sort((a, b) => a - b)[50])
})

for (const [dir, up, down] of [['upload', PERF_BYTES, 0], ['download', 0, PERF_BYTES]]) {
  s.test(`ours->js: perf 64 MiB ${dir}`, async (t) => {
    const js = await jsServer()
    const m = js.mark()
    const r = await runOurPeer(['perf', js.addr, '-upload', String(up), '-download', String(down)], 120000)
    assertEq(r.code, 0, `perf exit code (${describe(r)})`)
    const res = objs(r).find(o => o.upload_bytes != null)
    assert(res != null, `a perf result object (${describe(r)})`)
    assertEq([res.upload_bytes, res.download_bytes], [up, down], 'our counts')
    assert(res.seconds > 0, 'seconds > 0')
    const served = await js.waitJson(o => o.event === 'perf:served', 10000, 'js perf:served', { since: m })
    assertEq([served.uploaded, served.downloaded], [up, down], 'js counts')
    t.note(`${dir}_mib_s`, dir === 'upload' ? res.upload_mib_s : res.download_mib_s)
  }, { timeoutMs: 180000 })
}

s.test('ours->js: 100 concurrent echo streams on one connection', async () => {
  const js = await jsServer()
  const m = js.mark()
  const r = await runOurPeer(['echo', js.addr, '-streams', '100', '-bytes', '65536'], 120000)
  assertEq(r.code, 0, `echo exit code (${describe(r)})`)
  const streams = objs(r).filter(o => o.stream != null)
  assertEq(streams.length, 100, 'one object per stream')
  assert(streams.every(o => o.ok === true && o.bytes === 65536), `every stream ok: ${JSON.stringify(streams.find(o => o.ok !== true))}`)
  await js.waitFor(() => js.jsons(o => o.event === 'echo:served', m).length >= 100 || undefined, 10000, '100 js echo:served')
  assert(js.jsons(o => o.event === 'echo:served', m).every(o => o.bytes === 65536), 'js echoed 64 KiB on each')
  assertEq(js.jsons(o => o.event === 'connection:open', m).length, 1, 'one connection for all streams')
})

s.test('ours->js: stream reset by the remote is reported (no hang, no EOF)', async () => {
  const js = await jsServer()
  const m = js.mark()
  const r = await runOurPeer(['echo', js.addr, '-protocol', '/reset/1.0.0', '-bytes', '1024'], 30000)
  assert(r.code !== 0, `exit code non-zero after a reset (${describe(r)})`)
  const o = objs(r).find(x => x.stream != null)
  assert(o != null && o.ok !== true && /reset/i.test(o.error ?? ''), `the stream's object reports a reset: ${JSON.stringify(o)} (${describe(r)})`)
  await js.waitJson(x => x.event === 'reset:served', 5000, 'js reset:served', { since: m })
})

s.test('ours->js: connection close is seen by js within 2 s of our exit', async () => {
  const js = await jsServer()
  const m = js.mark()
  const r = await runOurPeer(['ping', js.addr, '-count', '1'], 30000)
  assertEq(r.code, 0, `ping exit code (${describe(r)})`)
  const open = js.jsons(o => o.event === 'connection:open', m)[0]
  assert(open != null, 'js saw our connection')
  await js.waitJson(o => o.event === 'connection:close' && o.remotePeer === open.remotePeer, 2000, 'js connection:close', { since: m })
})

s.test('ours->js: dial with the wrong /p2p/ id is refused', async () => {
  const js = await jsServer()
  const m = js.mark()
  const right = await runOurPeer(['ping', js.addr, '-count', '1'], 30000) // positive control
  assertEq(right.code, 0, `ping to the right address (${describe(right)})`)
  const m2 = js.mark()
  const wrong = withPeer(js.addr, await foreignPeerId())
  const r = await runOurPeer(['ping', wrong, '-count', '1'], 30000)
  assert(r.code !== 0, `exit code non-zero (${describe(r)})`)
  assert(!objs(r).some(o => typeof o.rtt_ms === 'number'), 'no ping result')
  await sleep(300)
  assertEq(js.jsons(o => o.event === 'connection:open', m).length, 1, 'js saw only the positive control connect')
  assertEq(js.jsons(o => o.event === 'connection:open', m2).length, 0, 'js kept no connection from the wrong-id dial')
})

// ================================================================ js -> ours
// Scenarios shared by both of our listeners. `expectAgent` is the agentVersion prefix.
function jsDialsOurs (label, target, expectAgent, { echoProtocol, echoBytes, resetServer }) {
  s.test(`js->${label}: connect (Noise + yamux)`, async () => {
    const d = await target()
    const r = await runJsPeer(['--dial', d.addr, '--hangup', d.addr], 30000)
    const dial = r.jsons.find(o => o.event === 'dial')
    assert(dial != null, `js dialed (${describe(r)})`)
    assertEq([dial.remotePeer, dial.encryption, dial.multiplexer], [d.peerId, '/noise', '/yamux/1.0.0'], 'js view')
    assertEq(r.code, 0, 'js exit code')
  })

  s.test(`js->${label}: identify (every field of ours)`, async () => {
    const d = await target()
    const r = await runJsPeer(['--identify', d.addr], 30000)
    const id = jsResult(r, 'identify')
    assertEq(id.peer, d.peerId, 'peer')
    assert(id.agentVersion?.startsWith(expectAgent), `agentVersion ${id.agentVersion} starts with ${expectAgent}`)
    assertEq(id.protocolVersion, 'ipfs/0.1.0', 'protocolVersion')
    for (const p of ['/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/ipfs/ping/1.0.0', '/perf/1.0.0']) assert(id.protocols.includes(p), `protocols has ${p}: ${id.protocols}`)
    assert(id.listenAddrs.includes(stripP2p(d.addr)), `listenAddrs ${id.listenAddrs} has ${stripP2p(d.addr)}`)
    assert(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+/.test(id.observedAddr ?? ''), `observedAddr ${id.observedAddr}`)
    assertEq(id.publicKey, hexKeyOf(d.peerId), 'publicKey')
    assertEq(id.publicKeyMatchesPeerId, true, 'publicKey hashes to the peer ID')
    assert(id.signedPeerRecord != null, 'signedPeerRecord present (js verified its envelope)')
    assert(id.signedPeerRecord.addresses.includes(stripP2p(d.addr)), `signed record addresses ${id.signedPeerRecord.addresses}`)
    assertEq(r.code, 0, 'js exit code')
  })

  s.test(`js->${label}: ping x100`, async (t) => {
    const d = await target()
    const r = await runJsPeer(['--ping', d.addr, '100'], 60000)
    const res = jsResult(r, 'ping')
    assertEq(res.count, 100, 'pings')
    assertEq(r.code, 0, 'js exit code')
    t.note('ping_rtt_ms_median', res.medianMs)
  })

  for (const [dir, up, down] of [['upload', PERF_BYTES, 0], ['download', 0, PERF_BYTES]]) {
    s.test(`js->${label}: perf 64 MiB ${dir}`, async (t) => {
      const d = await target()
      const r = await runJsPeer(['--perf-client', d.addr, String(up), String(down)], 120000)
      const res = jsResult(r, 'perf')
      assertEq([res.uploadBytes, res.downloadBytes], [up, down], 'counts')
      assertEq(r.code, 0, 'js exit code')
      t.note(`${dir}_MiBps`, dir === 'upload' ? res.uploadMiBps : res.downloadMiBps)
    }, { timeoutMs: 180000 })
  }

  s.test(`js->${label}: 100 concurrent ${echoProtocol} streams on one connection`, async (t) => {
    const d = await target()
    const r = await runJsPeer(['--echo-streams', d.addr, '100', String(echoBytes), '--echo-protocol', echoProtocol], 120000)
    const res = jsResult(r, 'echo-streams')
    assertEq(res.streams, 100, 'streams')
    assertEq(r.code, 0, 'js exit code')
    t.note('ms', res.ms)
  })

  s.test(`js->${label}: stream reset by js mid-transfer, ours keeps the connection`, async () => {
    const d = await target()
    const r = await runJsPeer(['--abort-dial', d.addr, '/perf/1.0.0'], 30000)
    const res = jsResult(r, 'abort-dial')
    assert(res.receivedBeforeReset > 0 && res.sameConnection === true, `abort-dial ${JSON.stringify(res)}`)
    assertEq(r.code, 0, 'js exit code')
  })

  if (resetServer) {
    s.test(`js->${label}: stream reset by ours is seen by js as a reset`, async () => {
      const d = await target()
      const r = await runJsPeer(['--reset-dial', d.addr], 30000)
      const res = jsResult(r, 'reset-dial')
      assertEq([res.reset, res.sameConnection], [true, true], 'reset seen, connection kept')
      assertEq(r.code, 0, 'js exit code')
    })
  }

  s.test(`js->${label}: connection close — ours closes its socket, then serves a new connection`, async () => {
    const d = await target()
    const r = await runJsPeer(['--dial', d.addr, '--hangup', d.addr], 30000)
    jsResult(r, 'hangup')
    const port = tcpPort(d.addr)
    let left = closeWaitCount(port)
    for (let i = 0; i < 20 && left > 0; i++) { await sleep(100); left = closeWaitCount(port) }
    assertEq(left, 0, `sockets of port ${port} in CLOSE-WAIT 2 s after js closed`)
    const again = await runJsPeer(['--ping', d.addr, '3'], 30000)
    assertEq(jsResult(again, 'ping').count, 3, 'pings on a new connection')
  })

  s.test(`js->${label}: dial with the wrong /p2p/ id is refused`, async () => {
    const d = await target()
    const wrong = withPeer(d.addr, await foreignPeerId())
    const r = await runJsPeer(['--dial', wrong, '--ping', wrong, '1'], 30000)
    assertEq(r.code, 1, 'js exit code')
    assert(r.results.find(o => o.result === 'dial')?.error, 'js reported a dial error')
    assert(!r.results.some(o => o.result === 'ping' && !o.error), 'no ping over the wrong-id dial')
    const ok = await runJsPeer(['--ping', d.addr, '1'], 30000)
    jsResult(ok, 'ping') // ours still serves the right address
  })
}

jsDialsOurs('agentanycastd', daemon, 'agentanycastd/', { echoProtocol: '/ipfs/ping/1.0.0', echoBytes: 320, resetServer: false })
jsDialsOurs('agentanycast-peer listen', listener, 'agentanycast-peer/', { echoProtocol: '/echo/1.0.0', echoBytes: 65536, resetServer: true })

await s.run()
