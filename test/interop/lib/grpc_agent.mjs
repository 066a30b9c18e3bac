// A P2P agent written against our gRPC API with @grpc/grpc-js (stubs loaded from proto/ by
// @grpc/proto-loader), as the TypeScript SDK runs one: it sets its agent card, subscribes to
// incoming tasks and answers each with WORKING (with an agent message), then COMPLETED with one
// artifact "echo" holding "echo: <text>" — or, for a text starting with "fail", FAILED.
// Used by the MCP and bridge interop tests to put a real agent behind a second daemon.
import { join } from 'node:path'
import grpc from '@grpc/grpc-js'
import protoLoader from '@grpc/proto-loader'
import { ROOT, sleep, timeScale } from './harness.mjs'

const LOAD = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [join(ROOT, 'proto'), '/usr/include'] }
let api = null
function stubs () {
  api ??= grpc.loadPackageDefinition(protoLoader.loadSync(['agentanycast/v1/node_service.proto'], LOAD))
  return api.agentanycast.v1
}

/** Promisified unary call with a deadline. */
export function call (client, method, req = {}, ms = 10000) {
  return new Promise((resolve, reject) => {
    client[method](req, { deadline: Date.now() + ms * timeScale() }, (err, resp) => err ? reject(err) : resolve(resp))
  })
}

/** A NodeService client on a daemon started by startDaemon; waits until GetNodeInfo answers. */
export async function nodeClient (d) {
  const client = new (stubs().NodeService)(`unix://${join(d.dir, 'd.sock')}`, grpc.credentials.createInsecure())
  const deadline = Date.now() + 10000 * timeScale()
  for (;;) {
    try { await call(client, 'GetNodeInfo', {}, 2000); return client } catch (err) {
      if (Date.now() > deadline) throw err
      await sleep(100)
    }
  }
}

/** Connects daemon a to daemon b (ConnectPeer over a's gRPC API). */
export async function connect (aClient, b) {
  await call(aClient, 'ConnectPeer', { peer_id: b.peerId, addresses: [b.addr.replace(/\/p2p\/.*$/, '')] })
}

/**
 * Runs the echo agent on `client`; returns { seen: [task ids], stop() }. The agent's card:
 * name "echo agent", one skill "echo".
 */
export async function startEchoAgent (client, { workingDelayMs = 50 } = {}) {
  await call(client, 'SetAgentCard', { card: { name: 'echo agent', description: 'echoes text back', version: '1.2.3', protocol_version: 'a2a/0.3', skills: [{ id: 'echo', description: 'echo back' }] } })
  const seen = []
  const stream = client.SubscribeIncomingTasks({})
  stream.on('error', () => {})
  stream.on('data', async (ev) => {
    const task = ev.task
    seen.push(task.task_id)
    const text = task.messages[0]?.parts.find(p => p.text_part)?.text_part.text ?? ''
    try {
      await sleep(workingDelayMs)
      await call(client, 'UpdateTaskStatus', {
        task_id: task.task_id,
        status: 'TASK_STATUS_WORKING',
        message: { message_id: `w-${task.task_id}`, role: 'MESSAGE_ROLE_AGENT', parts: [{ text_part: { text: 'working on it' } }] }
      })
      await sleep(workingDelayMs)
      if (text.startsWith('fail')) {
        await call(client, 'FailTask', { task_id: task.task_id, error_message: 'asked to fail' })
      } else {
        await call(client, 'CompleteTask', {
          task_id: task.task_id,
          artifacts: [{ artifact_id: `a-${task.task_id}`, name: 'echo', parts: [{ text_part: { text: `echo: ${text}` } }] }]
        })
      }
    } catch (err) { console.log(`# echo agent: ${err.message}`) }
  })
  await sleep(100) // the subscription is registered before tasks arrive
  return { seen, stop () { stream.cancel() } }
}
