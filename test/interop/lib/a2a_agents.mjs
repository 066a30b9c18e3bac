// External A2A agents for url_routing_ours.test.mjs: an @a2a-js/sdk 1.3.0 server
// (DefaultRequestHandler + jsonRpcHandler with legacyCompat, i.e. A2A 0.3 message/send
// as 0.3 clients call it) on plain HTTP or HTTPS, and a tiny legacy-only JSON-RPC server
// (node:http) that answers -32601 to message/send and serves the original daemon's
// tasks/send + tasks/get.
import http from 'node:http'
import https from 'node:https'
import express from 'express'
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server'
import { UserBuilder, jsonRpcHandler } from '@a2a-js/sdk/server/express'
import { TaskState } from '@a2a-js/sdk'
import { sleep } from './harness.mjs'

const now = () => new Date().toISOString()
const textPart = (value) => ({ content: { $case: 'text', value }, metadata: undefined, filename: '', mediaType: '' })

// Upper-cases the text it gets: SUBMITTED, then (after delayMs) WORKING, an artifact
// "answer", COMPLETED. A text starting with "fail" ends FAILED instead.
class UpperAgent {
  constructor (delayMs) { this.delayMs = delayMs; this.seen = [] }
  async execute (ctx, bus) {
    const text = ctx.userMessage.parts.map(p => p.content?.$case === 'text' ? p.content.value : '').join('')
    this.seen.push(text)
    const { taskId, contextId } = ctx
    bus.publish(AgentEvent.task({
      id: taskId, contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() },
      artifacts: [], history: [ctx.userMessage], metadata: undefined
    }))
    await sleep(this.delayMs)
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: now() }, metadata: undefined }))
    await sleep(this.delayMs)
    if (text.startsWith('fail')) {
      bus.publish(AgentEvent.statusUpdate({
        taskId, contextId, metadata: undefined,
        status: { state: TaskState.TASK_STATE_FAILED, timestamp: now(), message: { messageId: 'f-' + taskId, contextId, taskId, role: 2, parts: [textPart('cannot: ' + text)], metadata: undefined, extensions: [], referenceTaskIds: [] } }
      }))
    } else {
      bus.publish(AgentEvent.artifactUpdate({
        taskId, contextId, append: false, lastChunk: true, metadata: undefined,
        artifact: { artifactId: 'a1', name: 'answer', description: '', parts: [textPart(text.toUpperCase())], metadata: undefined, extensions: [] }
      }))
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: TaskState.TASK_STATE_COMPLETED, message: undefined, timestamp: now() }, metadata: undefined }))
    }
    bus.finished()
  }

  async cancelTask (taskId, bus) { bus.finished() }
}

/** Starts the SDK agent; opts.tls = { key, cert } for HTTPS. Resolves to { url, agent, close }. */
export async function startSdkAgent ({ tls = null, host = '127.0.0.1', urlHost = host, delayMs = 100 } = {}) {
  const agent = new UpperAgent(delayMs)
  const scheme = tls ? 'https' : 'http'
  const server = tls ? https.createServer(tls) : http.createServer()
  await new Promise(resolve => server.listen(0, host, resolve))
  const url = `${scheme}://${urlHost}:${server.address().port}/a2a`
  const card = {
    name: 'upper agent', description: 'upper-cases text', version: '1.0.0',
    supportedInterfaces: [
      { url, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
      { url, protocolBinding: 'JSONRPC', protocolVersion: '0.3', tenant: '' }
    ],
    provider: undefined, documentationUrl: undefined,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {}, securityRequirements: [], defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
    skills: [{ id: 'upper', name: 'upper', description: 'upper-cases', tags: [], examples: [], inputModes: [], outputModes: [], securityRequirements: [] }],
    signatures: [], iconUrl: undefined
  }
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), agent)
  const app = express()
  app.use('/a2a', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }))
  server.on('request', app)
  return { url, agent, server, close: () => new Promise(resolve => { server.closeAllConnections?.(); server.close(() => resolve()) }) }
}

/** The original's dialect only: -32601 for message/send; tasks/send answers "submitted",
 *  tasks/get reports working then completed with an artifact. Records the methods called. */
export async function startLegacyAgent ({ host = '127.0.0.1' } = {}) {
  const calls = []
  const tasks = new Map()
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', d => { body += d })
    req.on('end', () => {
      let rpc
      try { rpc = JSON.parse(body) } catch { rpc = {} }
      calls.push(rpc.method)
      const reply = (o) => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ jsonrpc: '2.0', id: rpc.id, ...o })) }
      if (rpc.method === 'tasks/send') {
        const id = rpc.params.id
        const text = rpc.params.message.parts.filter(p => p.type === 'text').map(p => p.text).join('')
        tasks.set(id, { text, gets: 0 })
        return reply({ result: { id, status: 'submitted' } })
      }
      if (rpc.method === 'tasks/get') {
        const t = tasks.get(rpc.params.id)
        if (!t) return reply({ error: { code: -32001, message: 'task not found' } })
        if (++t.gets < 2) return reply({ result: { id: rpc.params.id, status: 'working' } })
        return reply({ result: { id: rpc.params.id, status: 'completed', artifacts: [{ artifact_id: 'l1', name: 'legacy', parts: [{ type: 'text', text: 'legacy: ' + t.text }] }] } })
      }
      reply({ error: { code: -32601, message: `method not found: ${rpc.method}` } })
    })
  })
  await new Promise(resolve => server.listen(0, host, resolve))
  return { url: `http://${host}:${server.address().port}/`, calls, close: () => new Promise(resolve => { server.closeAllConnections?.(); server.close(() => resolve()) }) }
}
