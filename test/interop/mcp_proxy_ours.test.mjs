// -mcp-proxy: daemon B wraps a small MCP server written with the official SDK
// (@modelcontextprotocol/sdk 1.32.2, lib/mcp_tools_server.mjs: add, echo, fail, slow) and offers
// its tools as skills. Daemon A, connected to B, sees them on B's card (GetPeerCard, @grpc/grpc-js)
// and sends tasks with targetSkillId through its HTTP A2A bridge (/p2p/<B>/, message/send);
// A's MCP server (Streamable HTTP, the SDK's Client) shows them COMPLETED (get_task_status) and
// A's GetTask has the raw JSON result as the one artifact; the erroring tool and bad arguments
// give FAILED with the message; tasks for other skills, and a task sent with A's MCP send_task,
// still reach B's SubscribeIncomingTasks agent, the tool tasks never do; killing the MCP server
// in the middle of a call fails that call ("killed by signal 9") and the proxy restarts it; B's
// SIGTERM stops the server. The server's stderr lands in B's log.
//   AAC_BUILD_DIR=build node test/interop/mcp_proxy_ours.test.mjs
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { call, connect, nodeClient } from './lib/grpc_agent.mjs'
import { INTEROP_DIR, Skip, assert, assertEq, binary, freePort, parseJson, sleep, startDaemon, suite, withTimeout, timeScale } from './lib/harness.mjs'

const s = suite('mcp-proxy')
try { binary('agentanycastd') } catch (err) { if (!(err instanceof Skip)) throw err; s.skipAll(err.message) }

const SERVER = join(INTEROP_DIR, 'lib', 'mcp_tools_server.mjs')
const TOOLS = ['add', 'echo', 'fail', 'slow']

const setup = s.fixture(async () => {
  const [mcpPort, bridgePort] = [await freePort(), await freePort()]
  const b = await startDaemon(['-mcp-proxy', `'${process.execPath}' '${SERVER}'`], { name: 'daemon-B-proxy', longLived: true })
  const a = await startDaemon(['-mcp-listen', `127.0.0.1:${mcpPort}`, '-bridge-listen', `127.0.0.1:${bridgePort}`], { name: 'daemon-A', longLived: true })
  const ready = await b.waitJson(o => o.msg === 'MCP server ready', 20000 * timeScale(), 'MCP server ready', { stream: 'err' })
  const [ac, bc] = await Promise.all([nodeClient(a), nodeClient(b)])
  await connect(ac, b)
  const mcp = new Client({ name: 'aac-interop', version: '1.0.0' })
  await withTimeout(mcp.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${mcpPort}/mcp`))), 15000 * timeScale(), 'MCP connect')
  // B's agent for everything else: records what reaches SubscribeIncomingTasks.
  const seen = []
  const sub = bc.SubscribeIncomingTasks({})
  sub.on('error', () => {})
  sub.on('data', ev => seen.push({ id: ev.task.task_id, skill: ev.task.target_skill_id }))
  await sleep(100)
  return { a, b, ac, bc, mcp, ready, seen, sub, base: `http://127.0.0.1:${bridgePort}` }
})

let rpcId = 0
/** message/send through A's bridge to B with metadata.targetSkillId; returns the task id. */
async function sendBySkill (f, skill, text) {
  const body = {
    jsonrpc: '2.0',
    id: ++rpcId,
    method: 'message/send',
    params: {
      message: { kind: 'message', messageId: `m-${rpcId}`, role: 'user', parts: [{ kind: 'text', text }] },
      metadata: { targetSkillId: skill },
      configuration: { blocking: false }
    }
  }
  const r = await fetch(`${f.base}/p2p/${f.b.peerId}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const j = await r.json()
  assert(j.result && j.result.id, `message/send: ${JSON.stringify(j)}`)
  return j.result.id
}

/** Polls get_task_status on A's MCP server until the task ends; returns the status. */
async function waitDone (f, taskId, ms = 20000) {
  const deadline = Date.now() + ms * timeScale()
  for (;;) {
    const st = await f.mcp.callTool({ name: 'get_task_status', arguments: { task_id: taskId } })
    assert(!st.isError, `get_task_status: ${st.content?.[0]?.text}`)
    const status = st.structuredContent.status
    if (['COMPLETED', 'FAILED', 'CANCELED', 'REJECTED'].includes(status)) return status
    assert(Date.now() < deadline, `task ${taskId} never ended (last status ${status})`)
    await sleep(50)
  }
}

const lastText = (task) => task.messages.at(-1)?.parts.find(p => p.text_part)?.text_part.text ?? ''

s.test('B\'s card lists the MCP server\'s tools as skills; its stderr is in B\'s log', async () => {
  const f = await setup()
  assertEq(f.ready.tools.join(','), TOOLS.join(','), 'tools in the ready log line')
  assertEq(f.ready.server, 'aac-test-tools', 'serverInfo.name')
  assertEq(f.ready.protocol_version, '2025-11-25', 'negotiated protocol version')
  await f.b.waitJson(o => o.msg === 'MCP server stderr' && /^aac-test-tools ready pid=\d+$/.test(o.line), 5000 * timeScale(), 'stderr line', { stream: 'err' })
  let card
  const deadline = Date.now() + 15000 * timeScale()
  for (;;) {
    try { card = (await call(f.ac, 'GetPeerCard', { peer_id: f.b.peerId })); if (card.card.skills.length) break } catch {}
    assert(Date.now() < deadline, 'B\'s card never reached A')
    await sleep(100)
  }
  card = card.card
  assertEq([card.name, card.version, card.protocol_version], ['MCP Proxy Agent', '0.7.0', 'a2a/0.3'], 'card fields')
  assertEq(card.skills.map(x => x.id).join(','), TOOLS.join(','), 'skills')
  const add = card.skills.find(x => x.id === 'add')
  assertEq(add.description, 'Adds two numbers', 'add description')
  const schema = JSON.parse(add.input_schema)
  assertEq([schema.type, Object.keys(schema.properties).sort().join(',')], ['object', 'a,b'], 'add input schema')
  assertEq(card.p2p_extension.peer_id, f.b.peerId, 'card peer id')
})

s.test('a task for `add` from A completes with the raw JSON result; MCP get_task_status shows it', async () => {
  const f = await setup()
  const t0 = Date.now()
  const id = await sendBySkill(f, 'add', '{"a": 2, "b": 3}')
  assertEq(await waitDone(f, id), 'COMPLETED', 'status')
  console.log(`# add via the proxy: COMPLETED on A in ${Date.now() - t0} ms`)
  const task = (await call(f.ac, 'GetTask', { task_id: id })).task
  assertEq(task.artifacts.length, 1, 'one artifact')
  assertEq(task.artifacts[0].parts.length, 1, 'one part')
  const result = JSON.parse(task.artifacts[0].parts[0].text_part.text)
  assertEq(result.content[0].text, '5', 'text content')
  assertEq(result.structuredContent.sum, 5, 'structuredContent')
  const echo = await sendBySkill(f, 'echo', '{"text":"héllo\\nworld"}')
  assertEq(await waitDone(f, echo), 'COMPLETED', 'echo status')
  const et = (await call(f.ac, 'GetTask', { task_id: echo })).task
  assertEq(JSON.parse(et.artifacts[0].parts[0].text_part.text).content[0].text, 'héllo\nworld', 'echo result')
  const empty = await sendBySkill(f, 'fail', '')
  assertEq(await waitDone(f, empty), 'FAILED', 'empty arguments reach the tool as {}')
  assert(f.seen.every(x => !TOOLS.includes(x.skill)), `tool tasks reached B's subscriber: ${JSON.stringify(f.seen)}`)
})

s.test('an erroring tool, bad arguments, a missing argument: FAILED with the message', async () => {
  const f = await setup()
  const cases = [
    ['fail', '{}', /^tool fail failed: .*boom: this tool always fails/],
    ['add', 'two and three', /^invalid arguments for tool add: arguments are not JSON: /],
    ['add', '[2, 3]', /^invalid arguments for tool add: arguments must be a JSON object, got array$/],
    ['add', '{"a": 2}', /^tool add failed: .*/]
  ]
  for (const [skill, text, want] of cases) {
    const id = await sendBySkill(f, skill, text)
    assertEq(await waitDone(f, id), 'FAILED', `${skill} ${text}`)
    const task = (await call(f.ac, 'GetTask', { task_id: id })).task
    assert(want.test(lastText(task)), `${skill} ${text}: message ${JSON.stringify(lastText(task))}`)
  }
})

s.test('other tasks still reach B\'s agent: another skill, and a task sent with A\'s MCP send_task', async () => {
  const f = await setup()
  const other = await sendBySkill(f, 'translate', 'hello')
  const sent = await f.mcp.callTool({ name: 'send_task', arguments: { target: f.b.peerId, message: 'hello over MCP' } })
  assert(!sent.isError, `send_task: ${sent.content?.[0]?.text}`)
  const viaMcp = sent.structuredContent.task_id
  const deadline = Date.now() + 10000 * timeScale()
  while (!(f.seen.some(x => x.id === other) && f.seen.some(x => x.id === viaMcp))) {
    assert(Date.now() < deadline, `B's agent did not get both tasks: ${JSON.stringify(f.seen)}`)
    await sleep(50)
  }
  await call(f.bc, 'UpdateTaskStatus', { task_id: viaMcp, status: 'TASK_STATUS_WORKING' })
  await call(f.bc, 'CompleteTask', { task_id: viaMcp, artifacts: [{ artifact_id: 'x', parts: [{ text_part: { text: 'done' } }] }] })
  assertEq(await waitDone(f, viaMcp), 'COMPLETED', 'MCP send_task -> B\'s agent -> COMPLETED')
})

s.test('killing the MCP server fails the call in flight; the proxy restarts it; the next call completes', async () => {
  const f = await setup()
  const started = f.b.err.filter(l => parseJson(l)?.msg === 'MCP server started').map(l => parseJson(l))
  const pid = started.at(-1).pid
  assert(pid > 0, 'child pid in the log')
  const since = f.b.err.length
  const slow = await sendBySkill(f, 'slow', '{"ms": 20000}')
  const deadline = Date.now() + 10000 * timeScale()
  for (;;) {
    const st = await f.mcp.callTool({ name: 'get_task_status', arguments: { task_id: slow } })
    if (st.structuredContent.status === 'WORKING') break
    assert(Date.now() < deadline, 'slow never WORKING')
    await sleep(50)
  }
  await sleep(200) // the tools/call is on the server's stdin
  const t0 = Date.now()
  process.kill(pid, 'SIGKILL')
  assertEq(await waitDone(f, slow), 'FAILED', 'the call in flight')
  const msg = lastText((await call(f.ac, 'GetTask', { task_id: slow })).task)
  assertEq(msg, 'MCP server killed by signal 9 (Killed)', 'failure message')
  console.log(`# killed MCP server: the call in flight FAILED on A after ${Date.now() - t0} ms`)
  const again = await f.b.waitJson(o => o.msg === 'MCP server ready', 20000 * timeScale(), 'ready again', { stream: 'err', since })
  console.log(`# MCP server restarted and ready ${Date.now() - t0} ms after the kill`)
  assertEq(again.tools.join(','), TOOLS.join(','), 'tools after the restart')
  const newPid = f.b.err.slice(since).map(parseJson).filter(o => o?.msg === 'MCP server started').at(-1).pid
  assert(newPid !== pid, 'a new process')
  const id = await sendBySkill(f, 'add', '{"a": 40, "b": 2}')
  assertEq(await waitDone(f, id), 'COMPLETED', 'after the restart')
  const task = (await call(f.ac, 'GetTask', { task_id: id })).task
  assertEq(JSON.parse(task.artifacts[0].parts[0].text_part.text).structuredContent.sum, 42, 'result after the restart')
})

s.test('B\'s SIGTERM stops the MCP server', async () => {
  const f = await setup()
  const pid = f.b.err.map(parseJson).filter(o => o?.msg === 'MCP server started').at(-1).pid
  process.kill(pid, 0) // alive
  f.sub.cancel(); f.ac.close(); f.bc.close()
  await f.mcp.close()
  process.kill(f.b.pid, 'SIGTERM') // the daemon only, not its process group
  await f.b.wait(15000 * timeScale(), 'daemon exit after SIGTERM')
  let gone = false
  for (let i = 0; i < 50 && !gone; i++) {
    try { process.kill(pid, 0); await sleep(100) } catch { gone = true }
  }
  assert(gone, `MCP server ${pid} still running after the daemon stopped`)
  assert(f.b.err.some(l => parseJson(l)?.msg === 'MCP server stopped'), 'stop logged')
})

await s.run()
