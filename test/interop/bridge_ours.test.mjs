// Our HTTP A2A bridge (-bridge-listen) from @a2a-js/sdk 1.3.0, the reference A2A client:
// daemon A runs the bridge, daemon B runs a P2P agent written with grpc-js (lib/grpc_agent.mjs);
// A also has a local agent. The SDK's ClientFactory fetches the card of B's agent through A
// (/p2p/<B>/.well-known/agent-card.json), sends SendMessage and SendStreamingMessage (A2A 1.0)
// and — through the SDK's v0.3 transport — message/send and message/stream, each reaching B's
// agent over libp2p and coming back with its WORKING update and its artifact; tasks/get,
// tasks/cancel, resubscribe; the original's legacy tasks/send reaches A's local agent (engine
// local delivery). Bad input: invalid JSON, wrong JSON-RPC shapes, unknown methods, a bad
// A2A-Version, an unknown task -> the JSON-RPC errors of specs.md §15.
//   AAC_BUILD_DIR=build node test/interop/bridge_ours.test.mjs
import { randomUUID } from 'node:crypto'
import { createConnection } from 'node:net'
import { Client, ClientFactory } from '@a2a-js/sdk/client'
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client'
import { call, connect, nodeClient, startEchoAgent } from './lib/grpc_agent.mjs'
import { Skip, assert, assertEq, binary, freePort, percentile, sleep, startDaemon, suite, timeScale, withTimeout } from './lib/harness.mjs'

const s = suite('a2a-js-bridge')
try { binary('agentanycastd') } catch (err) { if (!(err instanceof Skip)) throw err; s.skipAll(err.message) }

const COMPLETED = 3; const WORKING = 2; const SUBMITTED = 1; const CANCELED = 5
const textMessage = (text) => ({ messageId: randomUUID(), role: 1, parts: [{ content: { $case: 'text', value: text }, filename: '', mediaType: '' }], contextId: '', taskId: '', extensions: [], referenceTaskIds: [] })
const textOf = (part) => part.content?.value

const net = s.fixture(async () => {
  const port = await freePort()
  const [a, b] = await Promise.all([
    startDaemon(['-bridge-listen', `127.0.0.1:${port}`], { name: 'daemon-A-bridge', longLived: true }),
    startDaemon([], { name: 'daemon-B', longLived: true })
  ])
  const [ac, bc] = await Promise.all([nodeClient(a), nodeClient(b)])
  const base = `http://127.0.0.1:${port}`
  // no card yet on A: the original's 404
  const r = await fetch(`${base}/.well-known/agent-card.json`)
  assertEq([r.status, (await r.text()).trim()], [404, 'no agent card configured'], 'card before SetAgentCard')
  await connect(ac, b)
  const agentB = await startEchoAgent(bc)
  const agentA = await startEchoAgent(ac)
  // B's card reaches A by the card exchange
  const deadline = Date.now() + 10000 * timeScale()
  for (;;) {
    const c = await fetch(`${base}/p2p/${b.peerId}/.well-known/agent-card.json`)
    if (c.status === 200) break
    assert(Date.now() < deadline, `B's card never reached A (${c.status})`)
    await sleep(100)
  }
  return { a, b, ac, bc, agentA, agentB, base, bUrl: `${base}/p2p/${b.peerId}/` }
})
s.after(async () => {
  const n = await net().catch(() => null)
  if (n) { n.agentA.stop(); n.agentB.stop(); n.ac.close(); n.bc.close() }
})

const rpc = async (url, body, headers = {}) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: r.status, json: await r.json() }
}

s.test('cards: A2A JSON at agent-card.json and agent.json, the original shape at a2a-agent-card, a peer\'s card under /p2p/<id>', async () => {
  const { base, b } = await net()
  for (const p of ['/.well-known/agent-card.json', '/.well-known/agent.json']) {
    const card = await (await fetch(base + p)).json()
    assertEq(card.name, 'echo agent', `${p} name`)
    assertEq(card.supportedInterfaces.map(i => [i.url, i.protocolBinding, i.protocolVersion]), [[base, 'JSONRPC', '1.0'], [base, 'JSONRPC', '0.3']], `${p} interfaces`)
    assertEq([card.url, card.preferredTransport, card.capabilities.streaming], [base, 'JSONRPC', true], `${p} 0.3 fields`)
    assertEq(card.skills.map(k => [k.id, k.name, k.description]), [['echo', 'echo', 'echo back']], `${p} skills`)
  }
  const legacy = await (await fetch(`${base}/.well-known/a2a-agent-card`)).json()
  assertEq(Object.keys(legacy), ['name', 'description', 'version', 'protocol_version', 'skills', 'url'], 'legacy card keys')
  assertEq([legacy.protocol_version, legacy.url], ['a2a/0.3', base], 'legacy card')
  const peer = await (await fetch(`${base}/p2p/${b.peerId}/.well-known/agent-card.json`)).json()
  assertEq([peer.url, peer.capabilities.extensions[0].params.peerId], [`${base}/p2p/${b.peerId}`, b.peerId], 'peer card')
  assertEq((await fetch(`${base}/p2p/12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X/.well-known/agent-card.json`)).status, 404, 'unknown peer card')
  assertEq((await fetch(`${base}/`)).status, 405, 'GET / is 405')
})

s.test('A2A 1.0 SDK client: card via A, SendMessage (blocking) reaches B\'s agent: COMPLETED with its artifact', async () => {
  const { bUrl, agentB } = await net()
  const client = await new ClientFactory().createFromUrl(bUrl)
  assertEq(client.protocolVersion, '1.0', 'negotiated version')
  const lat = []
  let task
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now()
    task = await withTimeout(client.sendMessage({ message: textMessage(`hello ${i}`) }), 20000 * timeScale(), 'SendMessage')
    lat.push(performance.now() - t0)
  }
  assertEq(task.status.state, COMPLETED, 'state')
  assert(agentB.seen.includes(task.id), 'B\'s agent got the task')
  assertEq(task.artifacts.map(a => [a.name, textOf(a.parts[0])]), [['echo', 'echo: hello 9']], 'artifact')
  assertEq(task.history.map(m => textOf(m.parts[0])), ['hello 9', 'working on it'], 'history')
  assert(task.contextId.length > 0, 'context id')
  console.log(`# SendMessage through the bridge to a P2P agent (2 x 50 ms agent delay): p50 ${percentile(lat, 50).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms`)
  const got = await client.getTask({ id: task.id, historyLength: 1, tenant: '' })
  assertEq([got.id, got.status.state, got.history.length], [task.id, COMPLETED, 1], 'GetTask')
  // returnImmediately: SUBMITTED at once
  const quick = await client.sendMessage({ message: textMessage('quick'), configuration: { returnImmediately: true, acceptedOutputModes: [] } })
  assertEq(quick.status.state, SUBMITTED, 'returnImmediately')
})

s.test('A2A 1.0 SDK client: SendStreamingMessage over SSE: task, WORKING, artifact, COMPLETED', async () => {
  const { bUrl } = await net()
  const client = await new ClientFactory().createFromUrl(bUrl)
  const events = []
  for await (const ev of client.sendMessageStream({ message: textMessage('stream me') })) events.push(ev.payload)
  assertEq(events.map(e => e.$case), ['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate'], 'event kinds')
  assertEq(events[0].value.status.state, SUBMITTED, 'first: the task')
  assertEq([events[1].value.status.state, textOf(events[1].value.status.message.parts[0])], [WORKING, 'working on it'], 'WORKING with the agent message')
  assertEq([textOf(events[2].value.artifact.parts[0]), events[2].value.lastChunk], ['echo: stream me', true], 'artifact')
  assertEq(events[3].value.status.state, COMPLETED, 'last: COMPLETED')
  assert(events.every(e => (e.value.taskId ?? e.value.id) === events[0].value.id), 'one task')
})

s.test('A2A 0.3 through the SDK\'s v0.3 transport: message/send and message/stream reach B\'s agent', async () => {
  const { bUrl, base } = await net()
  const card = await (await fetch(`${bUrl}.well-known/agent-card.json`)).json()
  const client = new Client(new LegacyJsonRpcTransport({ endpoint: card.url }), card)
  const task = await client.sendMessage({ message: textMessage('old client') })
  assertEq([task.status.state, textOf(task.artifacts[0].parts[0])], [COMPLETED, 'echo: old client'], 'message/send')
  const events = []
  for await (const ev of client.sendMessageStream({ message: textMessage('old stream') })) events.push(ev.payload)
  assertEq(events.map(e => e.$case), ['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate'], 'message/stream kinds')
  assertEq(events.at(-1).value.status.state, COMPLETED, 'final state')
  const got = await client.getTask({ id: task.id, tenant: '' })
  assertEq(got.status.state, COMPLETED, 'tasks/get')
  // raw wire shape of 0.3
  const raw = await rpc(card.url, { jsonrpc: '2.0', id: 'x', method: 'tasks/get', params: { id: task.id } })
  assertEq([raw.json.result.kind, raw.json.result.status.state, raw.json.result.artifacts[0].parts[0].kind], ['task', 'completed', 'text'], '0.3 JSON')
  assert(base.length > 0, 'base')
})

s.test('cancel and resubscribe: a task the agent never finishes', async () => {
  const { base, a, ac } = await net()
  // a peer with no agent subscribed: the task stays SUBMITTED on A's side
  const c = await startDaemon([], { name: 'daemon-C' })
  const cc = await nodeClient(c)
  await connect(ac, c)
  const url = `${base}/p2p/${c.peerId}`
  const sent = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'nobody home' }] }, configuration: { returnImmediately: true } } })
  const id = sent.json.result.task.id
  assertEq(sent.json.result.task.status.state, 'TASK_STATE_SUBMITTED', 'submitted')
  // resubscribe: the current task first, then the cancel's status update, then the end
  const sub = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tasks/resubscribe', params: { id } }) })
  await sleep(200)
  const cancel = await rpc(url, { jsonrpc: '2.0', id: 3, method: 'tasks/cancel', params: { id } })
  assertEq(cancel.json.result.status.state, 'canceled', 'tasks/cancel')
  const body = await (await withTimeout(sub, 10000, 'resubscribe')).text()
  const evs = body.split('\n\n').filter(x => x.startsWith('data: ')).map(x => JSON.parse(x.slice(6)).result)
  assertEq(evs.map(e => [e.kind, e.status.state]), [['task', 'submitted'], ['status-update', 'canceled']], 'resubscribe events')
  assertEq(evs[1].final, true, 'final flag')
  const again = await rpc(url, { jsonrpc: '2.0', id: 4, method: 'CancelTask', params: { id } })
  assertEq(again.json.error.code, -32002, 'second cancel: TaskNotCancelable')
  const resub = await rpc(url, { jsonrpc: '2.0', id: 5, method: 'SubscribeToTask', params: { id } })
  assertEq(resub.json.error.code, -32004, 'SubscribeToTask on a terminal task: UnsupportedOperation')
  cc.close()
  assert(a.peerId !== c.peerId, 'distinct')
})

s.test('the original\'s tasks/send reaches A\'s local agent (no libp2p dial to ourselves)', async () => {
  const { base, ac, agentA } = await net()
  const r = await rpc(`${base}/`, { jsonrpc: '2.0', id: 9, method: 'tasks/send', params: { id: 'client-id', message: { role: 'user', parts: [{ type: 'text', text: 'local please' }] }, target_skill_id: 'echo' } })
  assertEq(r.status, 200, 'HTTP status')
  assertEq([r.json.id, r.json.result.status, r.json.result.messages[0].parts[0]], [9, 'submitted', { type: 'text', text: 'local please' }], 'legacy result')
  const id = r.json.result.id
  const deadline = Date.now() + 10000 * timeScale()
  let t
  for (;;) {
    t = (await call(ac, 'GetTask', { task_id: id })).task
    if (t.status === 'TASK_STATUS_COMPLETED') break
    assert(Date.now() < deadline, `local task stuck at ${t.status}`)
    await sleep(50)
  }
  assert(agentA.seen.includes(id), 'A\'s agent ran it')
  assertEq(t.target_skill_id, 'echo', 'target_skill_id carried')
  const legacy = await rpc(`${base}/`, { jsonrpc: '2.0', id: 10, method: 'tasks/get', params: { id } })
  assertEq(legacy.json.result.artifacts[0].parts[0].text, 'echo: local please', 'artifact via tasks/get')
})

s.test('bad input: invalid JSON, wrong shapes, unknown methods, bad version, unknown task', async () => {
  const { base } = await net()
  const cases = [
    ['{"jsonrpc":"2.0",', {}, -32700],
    ['['.repeat(10000), {}, -32700],
    ['[{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"x"}}]', {}, -32600],
    ['{"jsonrpc":"1.0","id":1,"method":"tasks/get","params":{"id":"x"}}', {}, -32600],
    ['{"jsonrpc":"2.0","method":"tasks/get","params":{"id":"x"}}', {}, -32600],
    ['{"jsonrpc":"2.0","id":1,"method":"nope/nope","params":{}}', {}, -32601],
    ['{"jsonrpc":"2.0","id":1,"method":"message/send","params":"x"}', {}, -32602],
    ['{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"role":"user","parts":[]}}}', {}, -32602],
    ['{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"nope"}}', {}, -32001],
    ['{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"nope"}}', { 'A2A-Version': '9.9' }, -32009],
    ['{"jsonrpc":"2.0","id":1,"method":"tasks/pushNotificationConfig/set","params":{}}', {}, -32003],
    ['{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","taskId":"nope","parts":[{"text":"x"}]}}}', {}, -32001]
  ]
  for (const [body, headers, code] of cases) {
    const r = await rpc(`${base}/`, body, headers)
    assertEq([r.status, r.json.jsonrpc, r.json.error?.code], [200, '2.0', code], `${body.slice(0, 60)}`)
  }
  const q = await rpc(`${base}/?A2A-Version=9.9`, { jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } })
  assertEq(q.json.error.code, -32009, 'A2A-Version as a query parameter')
  // a declared body over 16 MiB is refused from the head alone
  const head = await new Promise((resolve, reject) => {
    const u = new URL(base)
    const sock = createConnection({ host: u.hostname, port: Number(u.port) }, () => {
      sock.write(`POST / HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${17 * 1024 * 1024}\r\n\r\n{`)
    })
    let got = ''
    sock.on('data', d => { got += d; if (got.includes('\r\n')) { sock.destroy(); resolve(got) } })
    sock.on('error', reject)
  })
  assert(head.startsWith('HTTP/1.1 413'), `body over 16 MiB: ${head.slice(0, 40)}`)
  // still serving
  assertEq((await fetch(`${base}/.well-known/agent-card.json`)).status, 200, 'alive')
})

await s.run()
