// Our MCP server from the official TypeScript SDK (@modelcontextprotocol/sdk 1.32.2), the
// client Claude Desktop / Cursor-style hosts are built on: over stdio (the SDK spawns
// `agentanycastd -mcp`) and over Streamable HTTP (-mcp-listen, endpoint /mcp). The seven
// tools of the original with their input schemas; get_node_info and list_connected_peers
// answer as JSON text + structuredContent; argument and engine errors are tool errors
// (isError); an unknown tool is a protocol error (-32602); sessions (Mcp-Session-Id, DELETE);
// a foreign Origin gets 403; malformed JSON gets -32700. Two daemons: a task sent with the
// send_task tool on daemon A reaches daemon B's agent (grpc-js, lib/grpc_agent.mjs) and
// get_task_status on A shows it COMPLETED; get_agent_card reads B's card; by skill and
// discover_agents answer "anycast routing is not configured".
//   AAC_BUILD_DIR=build node test/interop/mcp_sdk_ours.test.mjs
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { call, connect, nodeClient, startEchoAgent } from './lib/grpc_agent.mjs'
import { Skip, assert, assertEq, binary, freePort, sleep, startDaemon, suite, tempDir, withTimeout, timeScale } from './lib/harness.mjs'

const s = suite('mcp-sdk')
try { binary('agentanycastd') } catch (err) { if (!(err instanceof Skip)) throw err; s.skipAll(err.message) }

const TOOLS = {
  get_node_info: [],
  list_connected_peers: [],
  get_agent_card: [],
  discover_agents: ['skill'],
  send_task: ['target', 'message'],
  send_task_by_skill: ['skill', 'message'],
  get_task_status: ['task_id']
}

function stdioTransport () {
  const dir = tempDir('aac-mcp-')
  return new StdioClientTransport({
    command: binary('agentanycastd'),
    args: ['-mcp', '-key', join(dir, 'key'), '-grpc-listen', `unix://${join(dir, 'd.sock')}`, '-listen', '/ip4/127.0.0.1/tcp/0'],
    env: { HOME: dir, PATH: process.env.PATH, AGENTANYCAST_ENABLE_MDNS: 'false', AGENTANYCAST_STORE_PATH: join(dir, 'data'), ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '' },
    stderr: 'pipe'
  })
}

async function checkTools (client) {
  const { tools } = await client.listTools()
  assertEq(tools.map(t => t.name).sort().join(','), Object.keys(TOOLS).sort().join(','), 'tool names')
  for (const t of tools) {
    assertEq(t.inputSchema.type, 'object', `${t.name} schema type`)
    assert(typeof t.description === 'string' && t.description.length > 10, `${t.name} description`)
    assertEq((t.inputSchema.required ?? []).join(','), TOOLS[t.name].join(','), `${t.name} required`)
    for (const r of TOOLS[t.name]) assert(t.inputSchema.properties[r], `${t.name} property ${r}`)
  }
  assertEq(tools.find(t => t.name === 'send_task').inputSchema.properties.by_skill.type, 'boolean', 'by_skill type')
}

async function checkCalls (client) {
  const info = await client.callTool({ name: 'get_node_info', arguments: {} })
  assert(!info.isError, 'get_node_info ok')
  const sc = info.structuredContent
  assert(/^12D3KooW/.test(sc.peer_id), `peer_id ${sc.peer_id}`)
  assert(/^did:key:z6Mk/.test(sc.did_key), `did_key ${sc.did_key}`)
  assert(sc.listen_addresses.some(a => a.startsWith('/ip4/127.0.0.1/tcp/')), 'listen_addresses')
  assertEq(sc.connected_peers, 0, 'connected_peers')
  assertEq(info.content[0].type, 'text', 'content type')
  assertEq(JSON.stringify(JSON.parse(info.content[0].text)), JSON.stringify(sc), 'text = structuredContent')
  assert(info.content[0].text.includes('\n  "peer_id": '), 'pretty-printed like Go json.MarshalIndent')
  const peers = await client.callTool({ name: 'list_connected_peers' })
  assertEq(JSON.stringify(peers.structuredContent), '{"count":0,"peers":[]}', 'list_connected_peers')
  const bad = await client.callTool({ name: 'send_task', arguments: { target: '12D3KooWabc' } })
  assert(bad.isError, 'missing message is a tool error')
  assertEq(bad.content[0].text, "'message' parameter is required", 'tool error text')
  const st = await client.callTool({ name: 'get_task_status', arguments: { task_id: 'nope' } })
  assert(st.isError, 'unknown task is a tool error')
  try {
    await client.callTool({ name: 'no_such_tool', arguments: {} })
    throw new Error('unknown tool accepted')
  } catch (err) {
    assert(err instanceof McpError, `McpError, got ${err}`)
    assertEq(err.code, -32602, 'unknown tool code')
  }
  await client.ping()
}

s.test('stdio: initialize, the seven tools, calls, errors; stdin closed ends the daemon', async () => {
  const transport = stdioTransport()
  const client = new Client({ name: 'aac-interop', version: '1.0.0' })
  await withTimeout(client.connect(transport), 15000 * timeScale(), 'connect over stdio')
  assertEq(client.getServerVersion().name, 'agentanycast', 'serverInfo.name')
  assert(client.getServerCapabilities().tools, 'tools capability')
  await checkTools(client)
  await checkCalls(client)
  const pid = transport.pid
  await client.close()
  // stdin closed -> the daemon exits by itself
  const deadline = Date.now() + 10000 * timeScale()
  for (;;) {
    try { process.kill(pid, 0) } catch { break }
    if (Date.now() > deadline) throw new Error('daemon still running after stdin closed')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
})

s.test('Streamable HTTP: session, the seven tools, calls, DELETE, Origin, bad JSON', async () => {
  const port = await freePort()
  await startDaemon(['-mcp-listen', `127.0.0.1:${port}`], { name: 'agentanycastd-mcp' })
  const url = new URL(`http://127.0.0.1:${port}/mcp`)
  const transport = new StreamableHTTPClientTransport(url)
  const client = new Client({ name: 'aac-interop', version: '1.0.0' })
  await withTimeout(client.connect(transport), 15000 * timeScale(), 'connect over HTTP')
  const sid = transport.sessionId
  assert(/^[0-9a-f]{32}$/.test(sid), `session id ${sid}`)
  await checkTools(client)
  await checkCalls(client)
  const post = (body, headers = {}) => fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body
  })
  const ping = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' })
  let r = await post(ping, { 'mcp-session-id': sid, origin: 'http://evil.example' })
  assertEq(r.status, 403, 'foreign Origin')
  r = await post(ping, { 'mcp-session-id': sid, origin: 'http://localhost:5173' })
  assertEq(r.status, 200, 'local Origin')
  r = await post('{"jsonrpc":"2.0",', { 'mcp-session-id': sid })
  assertEq(r.status, 400, 'bad JSON status')
  assertEq((await r.json()).error.code, -32700, 'bad JSON code')
  r = await post(ping)
  assertEq(r.status, 400, 'no session header')
  r = await post(ping, { 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' })
  assertEq(r.status, 400, 'unsupported protocol version')
  r = await post(JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'nope/nope' }), { 'mcp-session-id': sid })
  assertEq((await r.json()).error.code, -32601, 'unknown method')
  r = await fetch(url, { method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': sid } })
  assertEq(r.status, 405, 'GET stream not offered')
  await transport.terminateSession()
  r = await post(ping, { 'mcp-session-id': sid })
  assertEq(r.status, 404, 'session gone after DELETE')
  await client.close()
})

s.test('two daemons: send_task on A reaches B\'s agent, get_task_status shows COMPLETED', async () => {
  const port = await freePort()
  const [a, b] = await Promise.all([
    startDaemon(['-mcp-listen', `127.0.0.1:${port}`], { name: 'daemon-A-mcp' }),
    startDaemon([], { name: 'daemon-B' })
  ])
  const [ac, bc] = await Promise.all([nodeClient(a), nodeClient(b)])
  await connect(ac, b)
  const agent = await startEchoAgent(bc)
  const client = new Client({ name: 'aac-interop', version: '1.0.0' })
  await withTimeout(client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`))), 15000 * timeScale(), 'connect')
  try {
    const t0 = Date.now()
    const sent = await client.callTool({ name: 'send_task', arguments: { target: b.peerId, message: 'hello over MCP' } })
    assert(!sent.isError, `send_task: ${sent.content?.[0]?.text}`)
    const sc = sent.structuredContent
    assertEq([sc.status, sc.target, sc.mode], ['SUBMITTED', b.peerId, 'direct'], 'send_task output')
    assert(/^[0-9a-f-]{36}$/.test(sc.task_id), `task_id ${sc.task_id}`)
    let status
    const deadline = Date.now() + 15000 * timeScale()
    for (;;) {
      const st = await client.callTool({ name: 'get_task_status', arguments: { task_id: sc.task_id } })
      assert(!st.isError, `get_task_status: ${st.content?.[0]?.text}`)
      status = st.structuredContent.status
      if (status === 'COMPLETED') break
      assert(Date.now() < deadline, `task never completed (last status ${status})`)
      await sleep(50)
    }
    console.log(`# MCP send_task -> COMPLETED on the other daemon in ${Date.now() - t0} ms`)
    assert(agent.seen.includes(sc.task_id), 'B\'s agent received the task')
    const whole = (await call(ac, 'GetTask', { task_id: sc.task_id })).task
    assertEq(whole.artifacts.map(x => x.parts[0].text_part.text), ['echo: hello over MCP'], 'artifact on A')
    // B's card, once the card exchange carried it
    let card
    for (;;) {
      card = await client.callTool({ name: 'get_agent_card', arguments: { peer_id: b.peerId } })
      if (!card.isError) break
      assert(Date.now() < deadline, `B's card never arrived: ${card.content[0].text}`)
      await sleep(100)
    }
    assertEq([card.structuredContent.name, card.structuredContent.peer_id, card.structuredContent.skills.map(x => x.id)], ['echo agent', b.peerId, ['echo']], 'B card')
    const own = await client.callTool({ name: 'get_agent_card', arguments: {} })
    assert(own.isError && own.content[0].text === 'no agent card set for this node', `own card: ${own.content[0].text}`)
    for (const [name, args] of [['send_task', { target: 'echo', message: 'x', by_skill: true }], ['send_task_by_skill', { skill: 'echo', message: 'x' }], ['discover_agents', { skill: 'echo' }]]) {
      const r = await client.callTool({ name, arguments: args })
      assert(r.isError, `${name} is a tool error`)
      assertEq(r.content[0].text, 'anycast routing is not configured', `${name} text`)
    }
    const bad = await client.callTool({ name: 'send_task', arguments: { target: 'not-a-peer', message: 'x' } })
    assert(bad.isError && /^invalid peer_id: /.test(bad.content[0].text), `bad peer: ${bad.content[0].text}`)
  } finally {
    agent.stop(); ac.close(); bc.close()
    await client.close()
  }
})

await s.run()
