// js-libp2p <-> js-libp2p on loopback: proves the harness and the reference peer, and gives
// the js baseline figures for every scenario that libp2p_ours.test.mjs runs against our stack.
//   node test/interop/js_js.test.mjs
import {
  assert, assertEq, jsResult, runJsPeer, sleep, startJsPeer, suite
} from './lib/harness.mjs'

const s = suite('js-js')
const MiB = 1048576
const PERF_BYTES = 64 * MiB
let srv // the listening js peer (echo, perf, reset servers, prints identify results)

s.before(async () => {
  srv = await startJsPeer(['--echo', '--perf', 'server', '--reset-server', '--identify-print', '--stay'], { name: 'js-server' })
})

const events = (name, since, pred = () => true) => srv.jsons(o => o.event === name && pred(o), since)

s.test('connect: TCP + multistream + Noise + yamux, both sides see the connection', async (t) => {
  const m = srv.mark()
  const r = await runJsPeer(['--dial', srv.addr, '--hangup', srv.addr], 30000)
  assertEq(r.code, 0, 'client exit code')
  const dial = r.jsons.find(o => o.event === 'dial')
  assert(dial != null, 'client printed a dial event')
  assertEq([dial.remotePeer, dial.encryption, dial.multiplexer, dial.direction], [srv.peerId, '/noise', '/yamux/1.0.0', 'outbound'], 'client view')
  const open = await srv.waitJson(o => o.event === 'connection:open' && o.remotePeer === r.ready.peerId, 5000, 'server connection:open', { since: m })
  assertEq([open.encryption, open.multiplexer, open.direction], ['/noise', '/yamux/1.0.0', 'inbound'], 'server view')
  t.note('connect_ms_first_dial_in_process', dial.ms)
})

s.test('identify both ways: every field', async (t) => {
  const m = srv.mark()
  const r = await runJsPeer(['--listen', '/ip4/127.0.0.1/tcp/0', '--identify', srv.addr], 30000)
  const id = jsResult(r, 'identify')
  assertEq(r.code, 0, 'client exit code')
  const srvListen = srv.addr.replace(/\/p2p\/.*$/, '')
  assertEq(id.peer, srv.peerId, 'peer')
  assert(/^js-libp2p\/3\.3\.11 node\/20\./.test(id.agentVersion), `agentVersion ${id.agentVersion}`)
  assertEq(id.protocolVersion, 'ipfs/0.1.0', 'protocolVersion')
  for (const p of ['/echo/1.0.0', '/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/ipfs/ping/1.0.0', '/perf/1.0.0', '/reset/1.0.0']) assert(id.protocols.includes(p), `protocols has ${p}: ${id.protocols}`)
  assert(id.listenAddrs.includes(srvListen), `listenAddrs ${id.listenAddrs} has ${srvListen}`)
  assert(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+(\/p2p\/.*)?$/.test(id.observedAddr ?? ''), `observedAddr ${id.observedAddr}`)
  assert(/^08011220[0-9a-f]{64}$/.test(id.publicKey ?? ''), `publicKey is an Ed25519 protobuf key: ${id.publicKey}`)
  assertEq(id.publicKeyMatchesPeerId, true, 'publicKey hashes to the peer ID')
  assert(id.signedPeerRecord != null, 'signedPeerRecord present')
  assert(id.signedPeerRecord.addresses.includes(srvListen), `signed record addresses ${id.signedPeerRecord.addresses}`)
  // the other direction: the server identified the client
  const back = await srv.waitJson(o => o.event === 'identify' && o.peer === r.ready.peerId, 5000, "server's identify of the client", { since: m })
  assert(/^js-libp2p\//.test(back.agentVersion), 'client agentVersion')
  assert(back.protocols.includes('/ipfs/id/1.0.0'), 'client protocols')
  assert(back.listenAddrs.includes(r.ready.addrs[0].replace(/\/p2p\/.*$/, '')), `client listenAddrs ${back.listenAddrs}`)
  assertEq(back.observedAddr?.replace(/\/p2p\/.*$/, ''), srvListen, "client saw the server's address")
  assert(back.signedPeerRecord != null && back.publicKeyMatchesPeerId === true, 'client record and key')
  t.note('identify_fields_checked', 9)
})

s.test('ping x100 on one stream', async (t) => {
  const r = await runJsPeer(['--ping', srv.addr, '100'], 60000)
  const res = jsResult(r, 'ping')
  assertEq(r.code, 0, 'client exit code')
  assertEq(res.count, 100, 'pings')
  const rtts = r.jsons.filter(o => o.event === 'ping').map(o => o.rttMs)
  assertEq(rtts.length, 100, 'ping events')
  assert(rtts.every(x => x > 0), 'every RTT > 0')
  t.note('ping_rtt_ms', { min: res.minMs, median: res.medianMs, max: res.maxMs })
})

for (const [dir, up, down] of [['upload', PERF_BYTES, 0], ['download', 0, PERF_BYTES]]) {
  s.test(`perf 64 MiB ${dir}`, async (t) => {
    const m = srv.mark()
    const r = await runJsPeer(['--perf-client', srv.addr, String(up), String(down)], 120000)
    const res = jsResult(r, 'perf')
    assertEq(r.code, 0, 'client exit code')
    assertEq([res.uploadBytes, res.downloadBytes], [up, down], 'client counts')
    const served = await srv.waitJson(o => o.event === 'perf:served', 10000, 'perf:served', { since: m })
    assertEq([served.uploaded, served.downloaded], [up, down], 'server counts')
    t.note(`${dir}_MiBps`, dir === 'upload' ? res.uploadMiBps : res.downloadMiBps)
  }, { timeoutMs: 180000 })
}

s.test('100 concurrent echo streams on one connection', async (t) => {
  const m = srv.mark()
  const r = await runJsPeer(['--echo-streams', srv.addr, '100', '65536'], 120000)
  const res = jsResult(r, 'echo-streams')
  assertEq(r.code, 0, 'client exit code')
  assertEq([res.streams, res.bytesPerStream], [100, 65536], 'streams')
  await srv.waitFor(() => events('echo:served', m).length >= 100 || undefined, 10000, '100 echo:served events')
  assert(events('echo:served', m).every(e => e.bytes === 65536), 'server echoed 64 KiB on each')
  const conns = srv.jsons(o => o.event === 'connection:open' && o.remotePeer === r.ready.peerId, m)
  assertEq(conns.length, 1, 'all streams on one connection')
  t.note('echo_100x64KiB_ms', res.ms)
  t.note('echo_100x64KiB_MiBps_both_dirs', res.MiBps)
})

s.test('stream reset by the remote: dialer sees a reset, connection survives', async (t) => {
  const m = srv.mark()
  const r = await runJsPeer(['--reset-dial', srv.addr], 30000)
  const res = jsResult(r, 'reset-dial')
  assertEq(r.code, 0, 'client exit code')
  assertEq([res.reset, res.sameConnection], [true, true], 'reset seen, connection kept')
  await srv.waitJson(o => o.event === 'reset:served' && o.bytesBeforeReset > 0, 5000, 'reset:served', { since: m })
})

for (const proto of ['/perf/1.0.0', '/echo/1.0.0']) {
  s.test(`stream reset by the dialer mid-transfer (${proto}): listener survives`, async () => {
    const m = srv.mark()
    const r = await runJsPeer(['--abort-dial', srv.addr, proto], 30000)
    const res = jsResult(r, 'abort-dial')
    assertEq(r.code, 0, 'client exit code')
    assert(res.receivedBeforeReset > 0 && res.sameConnection === true, `abort-dial ${JSON.stringify(res)}`)
    await srv.waitJson(o => o.event === 'stream:reset' && o.protocol === proto, 5000, 'stream:reset on the server', { since: m })
  })
}

s.test('connection close: the remote sees it within 2 s', async (t) => {
  const m = srv.mark()
  const r = await runJsPeer(['--dial', srv.addr, '--hangup', srv.addr], 30000)
  const hang = jsResult(r, 'hangup')
  assertEq(r.code, 0, 'client exit code')
  const closeEv = await srv.waitJson(o => o.event === 'connection:close' && o.remotePeer === r.ready.peerId, 2000, 'server connection:close', { since: m })
  const hangLine = r.jsons.find(o => o.result === 'hangup')
  t.note('hangup_ms', hang.ms)
  t.note('close_seen_after_ms', closeEv.t - hangLine.t)
})

s.test('dial with the wrong /p2p/ id is refused', async () => {
  const other = await startJsPeer([], { name: 'js-other' }) // only to get a valid foreign peer ID
  const wrong = srv.addr.replace(/\/p2p\/.*$/, `/p2p/${other.peerId}`)
  await other.kill()
  const m = srv.mark()
  const r = await runJsPeer(['--dial', wrong, '--ping', wrong, '1'], 30000)
  assertEq(r.code, 1, 'client exit code')
  const res = r.results.find(o => o.result === 'dial')
  assert(res?.error, `dial reported an error: ${JSON.stringify(res)}`)
  assert(!r.results.some(o => o.result === 'ping' && !o.error), 'no ping succeeded')
  await sleep(300)
  assertEq(srv.jsons(o => o.event === 'connection:open' && o.remotePeer === r.ready.peerId, m).length, 0, 'server kept no connection from the client')
})

await s.run()
