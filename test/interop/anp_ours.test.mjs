// Our ANP bridge (-anp-listen) with plain HTTP clients (there is no reference ANP SDK in the
// lock file): ad.json is JSON-LD with the ANP @context, our did:key and the OpenRPC interface;
// interface.json is a structurally valid OpenRPC 1.3.2 document with one method per skill of
// our card; POST /agent/rpc runs a task on our local agent (grpc-js, lib/grpc_agent.mjs) and
// answers once it completed, with the request's id; errors -32700 / -32600 / -32601 / -32602.
//   AAC_BUILD_DIR=build node test/interop/anp_ours.test.mjs
import { nodeClient, startEchoAgent } from './lib/grpc_agent.mjs'
import { Skip, assert, assertEq, binary, freePort, startDaemon, suite } from './lib/harness.mjs'

const s = suite('anp')
try { binary('agentanycastd') } catch (err) { if (!(err instanceof Skip)) throw err; s.skipAll(err.message) }

s.test('ad.json, interface.json (OpenRPC) and an rpc call that completes a task', async () => {
  const port = await freePort()
  const d = await startDaemon(['-anp-listen', `127.0.0.1:${port}`], { name: 'daemon-anp' })
  const base = `http://127.0.0.1:${port}`
  const before = await fetch(`${base}/agent/ad.json`)
  assertEq(before.status, 404, 'no card yet')
  const client = await nodeClient(d)
  const agent = await startEchoAgent(client)
  try {
    const adRes = await fetch(`${base}/agent/ad.json`)
    assertEq(adRes.headers.get('content-type'), 'application/ld+json', 'JSON-LD content type')
    const ad = await adRes.json()
    assertEq(ad['@context']['@vocab'], 'https://schema.org/', '@vocab')
    assertEq(ad['@context'].ad, 'https://agent-network-protocol.com/ad#', 'ad: prefix')
    assertEq([ad['@type'], ad['@id'], ad.name, ad.version], ['ad:AgentDescription', `${base}/agent/ad.json`, 'echo agent', '1.2.3'], 'ad fields')
    assert(/^did:key:z6Mk/.test(ad.did), `did ${ad.did}`)
    assertEq(ad.interfaces.map(i => [i['@type'], i.protocol, i.url]), [['ad:APIInterface', 'openrpc', `${base}/agent/interface.json`]], 'interfaces')
    assert(typeof ad.securityDefinitions === 'object' && Array.isArray(ad.security), 'security fields')

    const doc = await (await fetch(`${base}/agent/interface.json`)).json()
    // OpenRPC 1.3.2 structure: openrpc, info{title,version}, methods[{name, params[{name, schema}], result{name, schema}}]
    assertEq(doc.openrpc, '1.3.2', 'openrpc version')
    assert(typeof doc.info.title === 'string' && typeof doc.info.version === 'string', 'info')
    assert(Array.isArray(doc.methods) && doc.methods.length === 1, 'methods')
    for (const m of doc.methods) {
      assert(typeof m.name === 'string' && m.name.length > 0, 'method name')
      assert(Array.isArray(m.params), 'params array')
      for (const p of m.params) assert(typeof p.name === 'string' && typeof p.schema === 'object', 'content descriptor')
      assert(typeof m.result.name === 'string' && typeof m.result.schema === 'object', 'result descriptor')
    }
    assertEq(new Set(doc.methods.map(m => m.name)).size, doc.methods.length, 'method names unique')
    assertEq([doc.methods[0].name, doc.servers[0].url], ['echo', `${base}/agent/rpc`], 'echo method, rpc server')

    const post = async (body) => (await fetch(`${base}/agent/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()
    const t0 = Date.now()
    const r = await post(JSON.stringify({ jsonrpc: '2.0', id: 'req-1', method: 'echo', params: { input: 'hello anp' } }))
    assertEq([r.id, r.result.status, r.result.result], ['req-1', 'completed', 'echo: hello anp'], 'rpc result')
    assert(agent.seen.includes(r.result.id), 'our agent ran the task')
    console.log(`# ANP rpc -> local agent -> completed in ${Date.now() - t0} ms`)
    assertEq((await post('{"jsonrpc":"2.0",')).error.code, -32700, 'bad JSON')
    assertEq((await post('{"jsonrpc":"2.0","method":"echo"}')).error.code, -32600, 'no id')
    assertEq((await post('{"jsonrpc":"2.0","id":1,"method":"translate","params":{}}')).error.code, -32601, 'unknown skill')
    assertEq((await post('{"jsonrpc":"2.0","id":1,"method":"echo","params":5}')).error.code, -32602, 'bad params')
  } finally {
    agent.stop(); client.close()
  }
})

await s.run()
