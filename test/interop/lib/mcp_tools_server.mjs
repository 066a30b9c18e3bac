// A small MCP server over stdio, written with the official SDK (@modelcontextprotocol/sdk
// 1.32.2, McpServer + StdioServerTransport), for the -mcp-proxy tests: `add` {a, b} -> the sum
// (text + structuredContent), `echo` {text}, `fail` (always throws: the SDK answers isError
// with the message), `slow` {ms} (answers after ms). It prints one line on stderr at start,
// which the daemon copies into its log.
//   node test/interop/lib/mcp_tools_server.mjs
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { z } from 'zod'

const server = new McpServer({ name: 'aac-test-tools', version: '1.0.0' })

server.registerTool('add', {
  description: 'Adds two numbers',
  inputSchema: { a: z.number(), b: z.number() },
  outputSchema: { sum: z.number() }
}, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }))

server.registerTool('echo', {
  description: 'Echoes the text back',
  inputSchema: { text: z.string() }
}, async ({ text }) => ({ content: [{ type: 'text', text }] }))

server.registerTool('fail', {
  description: 'Always fails'
}, async () => { throw new Error('boom: this tool always fails') })

server.registerTool('slow', {
  description: 'Answers after ms milliseconds',
  inputSchema: { ms: z.number() }
}, async ({ ms }) => {
  await new Promise(resolve => setTimeout(resolve, ms))
  return { content: [{ type: 'text', text: `slept ${ms} ms` }] }
})

await server.connect(new StdioServerTransport())
process.stderr.write(`aac-test-tools ready pid=${process.pid}\n`)
