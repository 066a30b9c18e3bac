// Our gRPC API (agentanycast.v1.NodeService, grpc.health.v1, server reflection) from
// @grpc/grpc-js 1.14.7 with stubs loaded at test time from our proto/ by @grpc/proto-loader
// 0.8.1 — the client stack the TypeScript SDK runs on. Two daemons on loopback, each with its
// own key, store and unix socket: B's agent subscribes to incoming tasks, A's client sends a
// task to B's peer id, B reports WORKING then completes with two artifacts, A's
// SubscribeTaskUpdates sees both, GetTask returns the whole task; FailTask; CancelTask both
// ways; SetAgentCard -> GetPeerCard on the other daemon; ListPeers; ConnectPeer; GetNodeInfo;
// the documented error codes; health; reflection; a client that cancels its streams.
//   AAC_BUILD_DIR=build node test/interop/grpc_ours.test.mjs
import { join } from 'node:path'
import grpc from '@grpc/grpc-js'
import protoLoader from '@grpc/proto-loader'
import { ROOT, Skip, assert, assertEq, binary, sleep, startDaemon, suite, timeScale, withTimeout } from './lib/harness.mjs'

const s = suite('grpc-js')
try { binary('agentanycastd') } catch (err) { if (!(err instanceof Skip)) throw err; s.skipAll(err.message) }

const PROTO = join(ROOT, 'proto')
const LOAD = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO, '/usr/include'] }
const api = grpc.loadPackageDefinition(protoLoader.loadSync([
  'agentanycast/v1/node_service.proto', 'grpc/health/v1/health.proto', 'grpc/reflection/v1/reflection.proto'
], LOAD))
const { NodeService } = api.agentanycast.v1
const { Health } = api.grpc.health.v1
const { ServerReflection } = api.grpc.reflection.v1

// promisified unary call with a deadline; rejects with the grpc error (code, details)
function call (client, method, req = {}, ms = 10000) {
  return new Promise((resolve, reject) => {
    client[method](req, { deadline: Date.now() + ms * timeScale() }, (err, resp) => err ? reject(err) : resolve(resp))
  })
}
async function expectError (p, code, details, what) {
  try { await p } catch (err) {
    assertEq(err.code, code, `${what}: status code (${err.details})`)
    if (details instanceof RegExp) assert(details.test(err.details), `${what}: details ${JSON.stringify(err.details)}`)
    else if (details != null) assertEq(err.details, details, `${what}: details`)
    return err
  }
  throw new Error(`${what}: expected status ${code}, got OK`)
}

// A server stream collected into an array; next() waits for the n-th message.
function collect (stream) {
  const got = []; let waiters = []; let ended = null
  const wake = () => { const w = waiters; waiters = []; for (const f of w) f() }
  stream.on('data', (m) => { got.push(m); wake() })
  stream.on('error', (e) => { ended = e; wake() })
  stream.on('end', () => { ended ??= new Error('stream ended'); wake() })
  return {
    got,
    stream,
    async next (i, ms = 10000) {
      const deadline = Date.now() + ms * timeScale()
      while (got.length <= i) {
        if (ended && ended.code !== grpc.status.CANCELLED) throw new Error(`stream ended before message ${i}: ${ended.message}`)
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`timeout waiting for stream message ${i} (have ${got.length})`)
        await Promise.race([new Promise(resolve => waiters.push(resolve)), sleep(Math.min(left, 200))])
      }
      return got[i]
    },
    cancel () { stream.cancel() }
  }
}

const text = (t, role = 'MESSAGE_ROLE_USER') => ({ message_id: `m-${t}`, role, parts: [{ text_part: { text: t } }] })
const artifact = (name, body) => ({ artifact_id: `a-${name}`, name, parts: [{ text_part: { text: body } }] })

async function node (name) {
  const d = await startDaemon(['-log-level', 'debug'], { name, longLived: true })
  const target = `unix://${join(d.dir, 'd.sock')}`
  d.client = new NodeService(target, grpc.credentials.createInsecure())
  d.health = new Health(target, grpc.credentials.createInsecure())
  d.reflection = new ServerReflection(target, grpc.credentials.createInsecure())
  // readiness as the Python SDK: GetNodeInfo answers
  const deadline = Date.now() + 10000 * timeScale()
  for (;;) {
    try { d.info = (await call(d.client, 'GetNodeInfo', {}, 2000)).node_info; break } catch (err) {
      if (Date.now() > deadline) throw err
      await sleep(100)
    }
  }
  return d
}

const pair = s.fixture(async () => {
  const [a, b] = await Promise.all([node('daemon-A'), node('daemon-B')])
  const r = await call(a.client, 'ConnectPeer', { peer_id: b.peerId, addresses: [b.addr.replace(/\/p2p\/.*$/, '')] })
  assertEq(r.peer_info.peer_id, b.peerId, 'ConnectPeer peer_id')
  return { a, b }
})
s.after(async () => {
  const p = await pair().catch(() => null)
  if (p) for (const d of [p.a, p.b]) { d.client.close(); d.health.close(); d.reflection.close() }
})

s.test('GetNodeInfo, ListPeers and ConnectPeer on both daemons', async () => {
  const { a, b } = await pair()
  assertEq(a.info.peer_id, a.peerId, 'A peer_id')
  assert(a.info.listen_addresses.includes(a.addr.replace(/\/p2p\/.*$/, '')), `A listen addresses ${a.info.listen_addresses}`)
  assert(Number(a.info.started_at.seconds) > 0 && a.info.version.length > 0, 'started_at and version')
  const pa = (await call(a.client, 'ListPeers')).peers
  assertEq(pa.map(p => p.peer_id), [b.peerId], 'A lists B')
  assert(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+$/.test(pa[0].addresses[0]), `address ${pa[0].addresses}`)
  const deadline = Date.now() + 5000 * timeScale()
  while ((await call(b.client, 'ListPeers')).peers.map(p => p.peer_id).join() !== a.peerId) {
    assert(Date.now() < deadline, 'B never lists A'); await sleep(50)
  }
  assertEq((await call(a.client, 'GetNodeInfo')).node_info.connected_peers, 1, 'A connected_peers')
  await expectError(call(a.client, 'ConnectPeer', {}), grpc.status.INVALID_ARGUMENT, 'peer_id is required', 'ConnectPeer without peer')
  await expectError(call(a.client, 'ConnectPeer', { peer_id: 'bogus' }), grpc.status.INVALID_ARGUMENT, /^invalid peer_id: /, 'ConnectPeer bogus')
})

s.test('SetAgentCard on B -> GetPeerCard on A (card exchange), our peer id and did:key forced', async () => {
  const { a, b } = await pair()
  await expectError(call(b.client, 'SetAgentCard', {}), grpc.status.INVALID_ARGUMENT, 'card is required', 'SetAgentCard without card')
  await call(b.client, 'SetAgentCard', { card: { name: 'ts agent', description: 'd', version: '1', protocol_version: 'a2a/0.3', skills: [{ id: 'echo', description: 'echo back' }] } })
  const deadline = Date.now() + 10000 * timeScale()
  let card
  for (;;) {
    try { card = (await call(a.client, 'GetPeerCard', { peer_id: b.peerId })).card; break } catch (err) {
      assertEq(err.code, grpc.status.NOT_FOUND, `GetPeerCard before the exchange (${err.details})`)
      assert(Date.now() < deadline, 'A never got B\'s card'); await sleep(100)
    }
  }
  assertEq(card.name, 'ts agent', 'card name')
  assertEq(card.skills.map(x => x.id), ['echo'], 'card skills')
  assertEq(card.p2p_extension.peer_id, b.peerId, 'card peer id')
  assert(card.p2p_extension.did_key.startsWith('did:key:z6Mk'), `did_key ${card.p2p_extension.did_key}`)
  await expectError(call(a.client, 'GetPeerCard', { peer_id: a.peerId }), grpc.status.NOT_FOUND, `no card for peer ${a.peerId}`, 'own card is not a peer card')
})

s.test('task: A sends to B, B WORKING then COMPLETED with two artifacts, A sees both; GetTask has it all', async () => {
  const { a, b } = await pair()
  const incoming = collect(b.client.SubscribeIncomingTasks({}))
  await sleep(100)
  const sent = (await call(a.client, 'SendTask', { peer_id: b.peerId, message: text('summarize this'), metadata: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } })).task
  assertEq([sent.status, sent.originator_peer_id], ['TASK_STATUS_SUBMITTED', 'local'], 'SendTask answer')
  const updates = collect(a.client.SubscribeTaskUpdates({ task_id: sent.task_id }))
  const ev = await incoming.next(0)
  assertEq([ev.task.task_id, ev.task.originator_peer_id, ev.task.status], [sent.task_id, a.peerId, 'TASK_STATUS_SUBMITTED'], 'incoming task')
  assertEq(ev.task.messages[0].parts[0].text_part.text, 'summarize this', 'incoming message')
  await expectError(call(b.client, 'CompleteTask', { task_id: sent.task_id }), grpc.status.FAILED_PRECONDITION,
    `invalid transition: SUBMITTED -> COMPLETED for task ${sent.task_id}`, 'CompleteTask before WORKING')
  await call(b.client, 'UpdateTaskStatus', { task_id: sent.task_id, status: 'TASK_STATUS_WORKING' })
  await call(b.client, 'CompleteTask', { task_id: sent.task_id, artifacts: [artifact('one', 'first'), artifact('two', 'second')] })
  const u0 = await updates.next(0); const u1 = await updates.next(1)
  assertEq([u0.task_id, u0.status], [sent.task_id, 'TASK_STATUS_WORKING'], 'first update')
  assertEq(u1.status, 'TASK_STATUS_COMPLETED', 'second update')
  assertEq(u1.artifacts.map(x => [x.name, x.parts[0].text_part.text]), [['one', 'first'], ['two', 'second']], 'artifacts')
  updates.cancel(); incoming.cancel()
  const whole = (await call(a.client, 'GetTask', { task_id: sent.task_id })).task
  assertEq(whole.status, 'TASK_STATUS_COMPLETED', 'GetTask status')
  assertEq(whole.messages.map(m => m.parts[0].text_part.text), ['summarize this'], 'GetTask messages')
  assertEq(whole.artifacts.map(x => x.name), ['one', 'two'], 'GetTask artifacts')
})

s.test('FailTask and CancelTask (by the client and by the agent) reach the other daemon', async () => {
  const { a, b } = await pair()
  const incoming = collect(b.client.SubscribeIncomingTasks({}))
  await sleep(100)
  const t1 = (await call(a.client, 'SendTask', { peer_id: b.peerId, message: text('fail me') })).task
  const u1 = collect(a.client.SubscribeTaskUpdates({ task_id: t1.task_id }))
  await incoming.next(0)
  await call(b.client, 'UpdateTaskStatus', { task_id: t1.task_id, status: 'TASK_STATUS_WORKING' })
  await call(b.client, 'FailTask', { task_id: t1.task_id, error_message: 'model overloaded' })
  assertEq((await u1.next(1)).status, 'TASK_STATUS_FAILED', 'client sees FAILED')
  u1.cancel()

  const t2 = (await call(a.client, 'SendTask', { peer_id: b.peerId, message: text('client cancels') })).task
  await incoming.next(1)
  assertEq((await call(a.client, 'CancelTask', { task_id: t2.task_id })).task.status, 'TASK_STATUS_CANCELED', 'CancelTask answer')
  const deadline = Date.now() + 10000 * timeScale()
  while ((await call(b.client, 'GetTask', { task_id: t2.task_id })).task.status !== 'TASK_STATUS_CANCELED') {
    assert(Date.now() < deadline, 'B never saw the cancel'); await sleep(50)
  }
  await expectError(call(a.client, 'CancelTask', { task_id: t2.task_id }), grpc.status.FAILED_PRECONDITION,
    `task ${t2.task_id} is in terminal state CANCELED`, 'second cancel')

  const t3 = (await call(a.client, 'SendTask', { peer_id: b.peerId, message: text('agent cancels') })).task
  const u3 = collect(a.client.SubscribeTaskUpdates({ task_id: t3.task_id }))
  await incoming.next(2)
  await call(b.client, 'CancelTask', { task_id: t3.task_id })
  assertEq((await u3.next(0)).status, 'TASK_STATUS_CANCELED', 'client sees CANCELED')
  u3.cancel(); incoming.cancel()
})

s.test('documented errors: SendTask by skill / url, missing fields, unknown task, Discover', async () => {
  const { a, b } = await pair()
  const U = grpc.status.UNAVAILABLE; const I = grpc.status.INVALID_ARGUMENT
  await expectError(call(a.client, 'SendTask', { skill_id: 'echo', message: text('x') }), U, 'anycast routing is not configured', 'by skill')
  await expectError(call(a.client, 'SendTask', { url: 'ftp://127.0.0.1:1/', message: text('x') }), I, 'url: must start with http:// or https://', 'by url, not http(s)')
  await expectError(call(a.client, 'SendTask', { peer_id: b.peerId }), I, 'message is required', 'no message')
  await expectError(call(a.client, 'SendTask', { message: text('x') }), I, 'target (peer_id, skill_id, or url) is required', 'no target')
  await expectError(call(a.client, 'GetTask', {}), I, 'task_id is required', 'GetTask without id')
  await expectError(call(a.client, 'GetTask', { task_id: 'nope' }), grpc.status.NOT_FOUND, 'task not found: nope', 'GetTask unknown')
  await expectError(call(a.client, 'UpdateTaskStatus', { task_id: 'nope', status: 'TASK_STATUS_WORKING' }), grpc.status.FAILED_PRECONDITION, 'task not found: nope', 'UpdateTaskStatus unknown')
  await expectError(call(a.client, 'Discover', {}), I, 'skill_id is required', 'Discover without skill')
  await expectError(call(a.client, 'Discover', { skill_id: 'echo' }), U, 'anycast routing is not configured', 'Discover')
  const st = collect(a.client.SubscribeTaskUpdates({ task_id: 'nope' }))
  await withTimeout(new Promise(resolve => st.stream.on('error', resolve)), 5000 * timeScale(), 'stream error')
    .then(err => assertEq([err.code, err.details], [grpc.status.NOT_FOUND, 'task not found: nope'], 'SubscribeTaskUpdates unknown'))
})

s.test('health (Check, List) and reflection (list_services, file_containing_symbol)', async () => {
  const { a } = await pair()
  for (const service of ['agentanycast.v1.NodeService', '']) {
    assertEq((await call(a.health, 'Check', { service })).status, 'SERVING', `health of "${service}"`)
  }
  await expectError(call(a.health, 'Check', { service: 'nope' }), grpc.status.NOT_FOUND, null, 'unknown service')
  const ask = (req) => new Promise((resolve, reject) => {
    const st = a.reflection.ServerReflectionInfo()
    const out = []
    st.on('data', (m) => out.push(m)); st.on('error', reject); st.on('end', () => resolve(out))
    st.write(req); st.end()
  })
  const [ls] = await ask({ list_services: '' })
  const names = ls.list_services_response.service.map(x => x.name)
  for (const want of ['agentanycast.v1.NodeService', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection']) assert(names.includes(want), `reflection lists ${want}: ${names}`)
  const [fd] = await ask({ file_containing_symbol: 'agentanycast.v1.NodeService' })
  assert(fd.file_descriptor_response.file_descriptor_proto.length >= 1, 'file descriptors for NodeService')
})

await s.run()
