// The @a2a-js/sdk side of test/bench/http_bench.sh: an express 5 server
// with the SDK's own handlers, serving the SAME agent card our bridge
// serves (read from a file: http_bench.sh fetches it from our bridge first)
// at /.well-known/agent-card.json (agentCardHandler), and JSON-RPC at POST /
// (jsonRpcHandler + DefaultRequestHandler + InMemoryTaskStore) with an
// in-process executor that does what our benchmark agent does: the task,
// WORKING, one artifact "echo: <text>", COMPLETED.
//
//   node test/bench/a2a_js_card_server.mjs --card card.json [--port 0]
//
// Prints {"port":N} once listening. The packages come from test/interop
// (pinned there: @a2a-js/sdk 1.3.0, express 5.3.0).
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(join(here, '..', 'interop', 'package.json'))
const express = require('express')
const { agentCardHandler, jsonRpcHandler, UserBuilder } = require('@a2a-js/sdk/server/express')
const { DefaultRequestHandler, InMemoryTaskStore, AgentEvent } = require('@a2a-js/sdk/server')
const { TaskState, Role } = require('@a2a-js/sdk')

function arg (name, def) {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : def
}

const card = JSON.parse(readFileSync(arg('--card'), 'utf8'))
const port = Number(arg('--port', '0'))

let seq = 0
const executor = {
  async execute (ctx, bus) {
    const taskId = ctx.taskId
    const contextId = ctx.contextId
    const part = ctx.userMessage?.parts?.[0]
    const text = part?.content?.$case === 'text' ? part.content.value : ''
    bus.publish(AgentEvent.task({
      id: taskId, contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: undefined },
      artifacts: [], history: [ctx.userMessage], metadata: undefined
    }))
    bus.publish(AgentEvent.statusUpdate({
      taskId, contextId, status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: undefined },
      metadata: undefined
    }))
    bus.publish(AgentEvent.artifactUpdate({
      taskId, contextId, append: false, lastChunk: true, metadata: undefined,
      artifact: {
        artifactId: `a${++seq}`, name: 'result', description: '', metadata: undefined, extensions: [],
        parts: [{ content: { $case: 'text', value: `echo: ${text}` }, metadata: undefined, filename: '', mediaType: '' }]
      }
    }))
    bus.publish(AgentEvent.statusUpdate({
      taskId, contextId, status: { state: TaskState.TASK_STATE_COMPLETED, message: undefined, timestamp: undefined },
      metadata: undefined
    }))
    bus.finished()
  },
  async cancelTask (taskId, bus) { bus.finished() }
}
void Role

const app = express()
const server = app.listen(port, '127.0.0.1', () => {
  const p = server.address().port
  // The card's JSON-RPC interface points at this server (ours points at the bridge).
  for (const i of card.supportedInterfaces ?? []) i.url = `http://127.0.0.1:${p}`
  console.log(JSON.stringify({ port: p }))
})
const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor)
app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: async () => card }))
app.use('/', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
process.on('SIGTERM', () => { server.close(); process.exit(0) })
