// Routing SendTask{url} (issue 6 item 3): our daemon's gRPC SendTask with a `url` target sends
// the task to an external A2A agent over HTTP(S) as a JSON-RPC client and follows it to the
// end. The agents: an @a2a-js/sdk 1.3.0 server (DefaultRequestHandler + jsonRpcHandler on
// express 5, A2A 0.3 message/send through its legacyCompat layer) on plain HTTP and on HTTPS
// with a test CA made here by the openssl CLI (the daemon trusts it through -bridge-ca-file);
// and a tiny legacy-only server (-32601 for message/send, the original's tasks/send and
// tasks/get). Checked: the local task completes with the agent's artifact, seen by
// SubscribeTaskUpdates and GetTask; the agent's FAILED reaches us with its message; the
// fallback to tasks/send; an unreachable URL, a certificate for another host and an unknown
// CA give a FAILED task whose message says why; a bad URL is INVALID_ARGUMENT; a task being
// followed survives a daemon restart.
//   AAC_BUILD_DIR=build AGENTANYCAST_ENABLE_MDNS=false node test/interop/url_routing_ours.test.mjs
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import grpc from '@grpc/grpc-js'
import { call, nodeClient } from './lib/grpc_agent.mjs'
import { startLegacyAgent, startSdkAgent } from './lib/a2a_agents.mjs'
import { Skip, assert, assertEq, binary, freePort, sleep, startDaemon, suite, tempDir, timeScale } from './lib/harness.mjs'

const s = suite('url-routing')
try { binary('agentanycastd') } catch (err) { if (!(err instanceof Skip)) throw err; s.skipAll(err.message) }
process.env.AGENTANYCAST_ENABLE_MDNS = 'false'

const COMPLETED = 'TASK_STATUS_COMPLETED'; const FAILED = 'TASK_STATUS_FAILED'; const SUBMITTED = 'TASK_STATUS_SUBMITTED'
const hello = (text) => ({ message_id: 'm-' + Math.random().toString(36).slice(2), role: 'MESSAGE_ROLE_USER', parts: [{ text_part: { text } }] })
const textsOf = (arts) => arts.flatMap(a => a.parts.map(p => p.text_part?.text))
const msgText = (m) => (m?.parts ?? []).map(p => p.text_part?.text ?? '').join('')

// A CA, a certificate for localhost + 127.0.0.1 signed by it, and one for another host.
function makeCerts () {
  const dir = tempDir('aac-url-ca-')
  const o = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=aac test CA')
  const leaf = (name, san) => {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`)
    o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
    o('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`)
  }
  leaf('localhost', 'DNS:localhost,IP:127.0.0.1')
  leaf('other', 'DNS:other.example')
  return { dir, ca: join(dir, 'ca.pem'), read: (n) => execFileSync('cat', [join(dir, n)]) }
}

let certs = null
const env = s.fixture(async () => {
  try { execFileSync('openssl', ['version'], { stdio: 'pipe' }) } catch { throw new Skip('openssl CLI not installed') }
  certs = makeCerts()
  const d = await startDaemon(['-bridge-ca-file', certs.ca], { name: 'daemon-url', longLived: true })
  const client = await nodeClient(d)
  return { d, client }
})

// SendTask{url}; then the updates until a terminal state, and GetTask.
async function runTask (client, url, text, ms = 20000) {
  const sent = await call(client, 'SendTask', { url, message: hello(text) })
  const task = sent.task
  assertEq(task.originator_peer_id, 'local', 'originator')
  const updates = []
  const stream = client.SubscribeTaskUpdates({ task_id: task.task_id })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no terminal state within ${ms} ms: ${JSON.stringify(updates.map(u => u.status))}`)), ms * timeScale())
    stream.on('data', (u) => {
      updates.push(u)
      if ([COMPLETED, FAILED, 'TASK_STATUS_CANCELED', 'TASK_STATUS_REJECTED'].includes(u.status)) { clearTimeout(timer); resolve() }
    })
    stream.on('error', (e) => { if (e.code !== grpc.status.CANCELLED) { clearTimeout(timer); reject(e) } })
  })
  stream.cancel()
  const got = (await call(client, 'GetTask', { task_id: task.task_id })).task
  // The reason of a FAILED is the task's last message (an update stream that starts after
  // the end gets the current state without it).
  return { sent: task, updates, got, last: updates[updates.length - 1], reason: msgText(got.messages[got.messages.length - 1]) }
}

s.test('plain HTTP: @a2a-js/sdk agent, message/send + tasks/get, COMPLETED with the artifact', async (t) => {
  const { client } = await env()
  const agent = await startSdkAgent()
  try {
    const t0 = Date.now()
    const r = await runTask(client, agent.url, 'hello, agent')
    t.note('send_to_completed_ms', Date.now() - t0)
    assertEq(r.sent.status, SUBMITTED, 'SendTask answers the stored task')
    assertEq(r.last.status, COMPLETED, 'last update')
    assertEq(textsOf(r.last.artifacts), ['HELLO, AGENT'], 'artifact in the update')
    assertEq(r.got.status, COMPLETED, 'GetTask status')
    assertEq(textsOf(r.got.artifacts), ['HELLO, AGENT'], 'artifact in GetTask')
    assertEq(msgText(r.got.messages[0]), 'hello, agent', 'our message kept')
    assertEq(agent.agent.seen, ['hello, agent'], 'the agent got the text once')
  } finally { await agent.close() }
})

s.test("the agent's FAILED reaches the local task with its message", async () => {
  const { client } = await env()
  const agent = await startSdkAgent()
  try {
    const r = await runTask(client, agent.url, 'fail please')
    assertEq(r.last.status, FAILED, 'last update')
    assertEq(r.reason, 'cannot: fail please', 'agent message')
  } finally { await agent.close() }
})

s.test('HTTPS with the test CA (-bridge-ca-file): by name and by IP address', async () => {
  const { client } = await env()
  const tls = { key: certs.read('localhost.key'), cert: certs.read('localhost.pem') }
  const byName = await startSdkAgent({ tls, urlHost: 'localhost' })
  const byIp = await startSdkAgent({ tls })
  try {
    for (const agent of [byName, byIp]) {
      assert(agent.url.startsWith('https://'), agent.url)
      const r = await runTask(client, agent.url, 'over tls')
      assertEq([r.last.status, textsOf(r.got.artifacts)], [COMPLETED, ['OVER TLS']], agent.url)
    }
  } finally { await byName.close(); await byIp.close() }
})

s.test('legacy-only agent: -32601 to message/send, then tasks/send + tasks/get', async () => {
  const { client } = await env()
  const agent = await startLegacyAgent()
  try {
    const r = await runTask(client, agent.url, 'old school')
    assertEq(r.last.status, COMPLETED, 'last update')
    assertEq(textsOf(r.got.artifacts), ['legacy: old school'], 'artifact')
    assertEq(agent.calls.slice(0, 2), ['message/send', 'tasks/send'], 'fallback order')
    assert(agent.calls.slice(2).every(m => m === 'tasks/get'), `then polls: ${agent.calls}`)
  } finally { await agent.close() }
})

s.test('unreachable URL, certificate for another host, unknown CA: FAILED with the reason', async (t) => {
  const { client } = await env()
  const port = await freePort()
  const down = await runTask(client, `http://127.0.0.1:${port}/`, 'anyone?')
  t.note('unreachable_reason', down.reason)
  assertEq(down.last.status, FAILED, 'unreachable: status')
  assert(/^agent at http:\/\/127\.0\.0\.1:\d+\/: connect to 127\.0\.0\.1:\d+: .*refused/i.test(down.reason), `unreachable: ${down.reason}`)

  const wrong = await startSdkAgent({ tls: { key: certs.read('other.key'), cert: certs.read('other.pem') }, urlHost: 'localhost' })
  try {
    const r = await runTask(client, wrong.url, 'wrong host')
    t.note('wrong_host_reason', r.reason)
    assertEq(r.last.status, FAILED, 'wrong host: status')
    assert(/tls: handshake failed: certificate verify failed/.test(r.reason), `wrong host: ${r.reason}`)
    assertEq(wrong.agent.seen, [], 'nothing reached the agent')
  } finally { await wrong.close() }

  // A daemon without the test CA (system store only) refuses the right certificate too.
  const d2 = await startDaemon([], { name: 'daemon-no-ca' })
  const c2 = await nodeClient(d2)
  const good = await startSdkAgent({ tls: { key: certs.read('localhost.key'), cert: certs.read('localhost.pem') }, urlHost: 'localhost' })
  try {
    const r = await runTask(c2, good.url, 'unknown ca')
    assertEq(r.last.status, FAILED, 'unknown CA: status')
    assert(/certificate verify failed/.test(r.reason), `unknown CA: ${r.reason}`)
  } finally { await good.close(); c2.close(); await d2.kill() }
})

s.test('a bad URL is INVALID_ARGUMENT', async () => {
  const { client } = await env()
  for (const [url, details] of [['ftp://x/', 'url: must start with http:// or https://'], ['http://h:99999/', 'url: invalid port "99999"']]) {
    try { await call(client, 'SendTask', { url, message: hello('x') }); throw new Error('expected an error') } catch (err) {
      assertEq([err.code, err.details], [grpc.status.INVALID_ARGUMENT, details], url)
    }
  }
})

s.test('restart: a task being followed is followed again by the restarted daemon', async () => {
  const dir = tempDir('aac-url-restart-')
  const agent = await startSdkAgent({ delayMs: 1500 })
  try {
    let d = await startDaemon([], { name: 'daemon-restart-1', dir })
    let c = await nodeClient(d)
    const sent = (await call(c, 'SendTask', { url: agent.url, message: hello('survive') })).task
    // wait for the agent to have it (the send answered), then stop the daemon mid-task
    const t0 = Date.now()
    while (agent.agent.seen.length === 0 && Date.now() - t0 < 5000 * timeScale()) await sleep(20)
    await sleep(200)
    c.close()
    await d.kill()
    d = await startDaemon([], { name: 'daemon-restart-2', dir })
    c = await nodeClient(d)
    let got = null
    const deadline = Date.now() + 15000 * timeScale()
    while (Date.now() < deadline) {
      got = (await call(c, 'GetTask', { task_id: sent.task_id })).task
      if (got.status === COMPLETED || got.status === FAILED) break
      await sleep(100)
    }
    assertEq([got.status, textsOf(got.artifacts)], [COMPLETED, ['SURVIVE']], 'after restart')
    assertEq(agent.agent.seen, ['survive'], 'not sent twice')
    c.close()
    await d.kill()
  } finally { await agent.close() }
})

await s.run()
