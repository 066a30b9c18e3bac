#!/usr/bin/env node
// A js-libp2p stand-in for OUR binaries that follows the command-line contract of
// test/interop/README.md ("Contract for our binaries"). It exists only to prove that
// libp2p_ours.test.mjs can pass (every assertion is satisfiable) and to show, by example,
// the exact output the suite expects. It is never used unless a build dir points at it:
//   test/interop/tools/contract-double.sh /tmp/double && AAC_BUILD_DIR=/tmp/double node test/interop/libp2p_ours.test.mjs
//
//   contract-double.mjs agentanycastd -key F -grpc-listen unix://S -listen MA [-enable-perf]
//   contract-double.mjs agentanycast-peer listen -listen MA -key F
//   contract-double.mjs agentanycast-peer identify MA
//   contract-double.mjs agentanycast-peer ping MA [-count N]
//   contract-double.mjs agentanycast-peer perf MA [-upload BYTES] [-download BYTES]
//   contract-double.mjs agentanycast-peer echo MA [-streams N] [-bytes B] [-protocol P]
import './polyfill.mjs'
import { readFile, writeFile } from 'node:fs/promises'
import { createLibp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { mdns } from '@libp2p/mdns'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { Uint8ArrayList } from 'uint8arraylist'

const [role, ...rest] = process.argv.slice(2)
const sub = role === 'agentanycast-peer' ? rest.shift() : 'daemon'
const positional = []; const flags = {}
for (let i = 0; i < rest.length; i++) {
  if (rest[i].startsWith('-')) {
    const name = rest[i].replace(/^-+/, '')
    if (name === 'enable-perf') flags[name] = true; else flags[name] = rest[++i]
  } else positional.push(rest[i])
}
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const fail = (msg) => { process.stderr.write(`${role}: ${msg}\n`); process.exit(1) }
if (!['daemon', 'listen', 'identify', 'ping', 'perf', 'echo'].includes(sub)) fail(`unknown subcommand ${sub}`)

async function loadKey (file) {
  if (file == null) return generateKeyPair('Ed25519')
  try { return privateKeyFromProtobuf(await readFile(file)) } catch (err) {
    if (err.code !== 'ENOENT') throw err
    const key = await generateKeyPair('Ed25519'); await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600 }); return key
  }
}

const serving = sub === 'daemon' || sub === 'listen'
const agent = sub === 'daemon' ? 'agentanycastd/0.0.0-contract-double' : 'agentanycast-peer/0.0.0-contract-double'
const node = await createLibp2p({
  privateKey: await loadKey(flags.key),
  nodeInfo: { userAgent: agent },
  addresses: { listen: serving ? [flags.listen ?? '/ip4/127.0.0.1/tcp/0'] : [] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // like our daemon: mDNS only when enabled (the tests enable it only inside namespaces)
  peerDiscovery: sub === 'daemon' && process.env.AGENTANYCAST_ENABLE_MDNS === 'true' ? [mdns({ interval: 1000 })] : [],
  services: { identify: identify(), identifyPush: identifyPush(), ping: ping({ maxInboundStreams: 1024, maxOutboundStreams: 1024 }) },
  connectionManager: { inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 100 }
})

const CHUNK = 65536
const BLOCK = Uint8Array.from({ length: CHUNK }, (_, i) => i & 0xff)
async function write (stream, data) { if (!stream.send(data)) await stream.onDrain() }
async function writeN (stream, total) { for (let off = 0; off < total; off += CHUNK) await write(stream, BLOCK.subarray(0, Math.min(CHUNK, total - off))) }
const hopts = { maxInboundStreams: 1024, maxOutboundStreams: 1024 }
const sopts = { maxOutboundStreams: 1024 }

if (sub === 'listen' || flags['enable-perf']) {
  await node.handle('/perf/1.0.0', async (stream) => {
    try {
      const buf = new Uint8ArrayList(); const it = stream[Symbol.asyncIterator]()
      while (buf.byteLength < 8) { const { done, value } = await it.next(); if (done) throw new Error('short header'); buf.append(value) }
      const hdr = buf.subarray(0, 8)
      const down = Number(new DataView(hdr.buffer, hdr.byteOffset, 8).getBigUint64(0, false))
      for (let r = await it.next(); !r.done; r = await it.next()) { /* drain the upload */ }
      await writeN(stream, down); await stream.close()
    } catch { /* reset by the remote */ }
  }, hopts)
}
if (sub === 'listen') {
  await node.handle('/echo/1.0.0', async (stream) => {
    try { for await (const c of stream) await write(stream, c); await stream.close() } catch {}
  }, hopts)
  await node.handle('/reset/1.0.0', async (stream) => {
    await stream[Symbol.asyncIterator]().next(); stream.abort(new Error('reset'))
  }, hopts)
}

// a peer found by mDNS is logged (a stderr line with "mdns" and its peer ID) and dialed
node.addEventListener('peer:discovery', (e) => {
  process.stderr.write(JSON.stringify({ level: 'INFO', mod: 'mdns', msg: 'peer found', peer: e.detail.id.toString() }) + '\n')
  node.dial(e.detail.id).catch(() => {})
})
await node.start()
if (serving) {
  const addr = node.getMultiaddrs()[0].toString()
  process.stdout.write(`PEER_ID=${node.peerId}\nLISTEN_ADDR=${addr}\n`)
  const stop = async () => { await node.stop(); process.exit(0) }
  process.on('SIGTERM', stop); process.on('SIGINT', stop)
} else {
  const ma = multiaddr(positional[0] ?? fail('missing multiaddr'))
  let ok = true
  try {
    if (sub === 'identify') {
      // identify runs by itself on a new connection; a second identify stream would be refused
      const r = await new Promise((resolve, reject) => {
        node.addEventListener('peer:identify', (e) => resolve(e.detail), { once: true })
        node.dial(ma).catch(reject)
      })
      print({
        peer_id: r.peerId.toString(),
        agent_version: r.agentVersion,
        protocol_version: r.protocolVersion,
        protocols: r.protocols,
        listen_addrs: r.listenAddrs.map(String),
        observed_addr: r.observedAddr?.toString() ?? null,
        public_key: Buffer.from(r.publicKey ?? publicKeyToProtobuf(r.peerId.publicKey)).toString('hex'),
        signed_peer_record: r.signedPeerRecord ? { seq: String(r.signedPeerRecord.seq), addresses: r.signedPeerRecord.addresses.map(String) } : null
      })
    } else if (sub === 'ping') {
      const stream = await node.dialProtocol(ma, '/ipfs/ping/1.0.0')
      const it = stream[Symbol.asyncIterator](); const buf = new Uint8ArrayList()
      for (let seq = 0; seq < Number(flags.count ?? 1); seq++) {
        const data = crypto.getRandomValues(new Uint8Array(32)); const t0 = performance.now()
        await write(stream, data)
        while (buf.byteLength < 32) { const { done, value } = await it.next(); if (done) throw new Error('EOF'); buf.append(value) }
        const back = buf.subarray(0, 32); buf.consume(32)
        if (Buffer.compare(Buffer.from(back), Buffer.from(data)) !== 0) throw new Error('ping payload mismatch')
        print({ seq, rtt_ms: +(performance.now() - t0).toFixed(3) })
      }
      await stream.close()
    } else if (sub === 'perf') {
      const up = Number(flags.upload ?? 0); const down = Number(flags.download ?? 0)
      const stream = await node.dialProtocol(ma, '/perf/1.0.0')
      const t0 = performance.now()
      const hdr = new Uint8Array(8); new DataView(hdr.buffer).setBigUint64(0, BigInt(down), false)
      await write(stream, hdr); await writeN(stream, up); await stream.close()
      const t1 = performance.now(); let got = 0
      for await (const c of stream) got += c.byteLength
      const t2 = performance.now()
      if (got !== down) throw new Error(`perf: expected ${down} bytes, got ${got}`)
      const mibs = (b, ms) => b ? +((b / 1048576) / (ms / 1000)).toFixed(2) : null
      print({ upload_bytes: up, download_bytes: down, seconds: +((t2 - t0) / 1000).toFixed(4), upload_mib_s: mibs(up, t1 - t0), download_mib_s: mibs(down, t2 - t1) })
    } else if (sub === 'echo') {
      const n = Number(flags.streams ?? 1); const bytes = Number(flags.bytes ?? 1024); const proto = flags.protocol ?? '/echo/1.0.0'
      await node.dial(ma)
      await Promise.all(Array.from({ length: n }, async (_, i) => {
        try {
          const stream = await node.dialProtocol(ma, proto, sopts)
          let off = 0; let bad = -1
          const reading = (async () => { for await (const c of stream) { const a = c.subarray(); for (let j = 0; j < a.length; j++) if (bad < 0 && a[j] !== ((off + j) & 0xff)) bad = off + j; off += a.length } })()
          await writeN(stream, bytes); await stream.close(); await reading
          if (off !== bytes || bad >= 0) throw new Error(`echo mismatch: got ${off} bytes, first bad ${bad}`)
          print({ stream: i, bytes, ok: true })
        } catch (err) {
          ok = false
          print({ stream: i, ok: false, error: err.name === 'StreamResetError' ? 'stream reset by remote' : err.message })
        }
      }))
    }
  } catch (err) { ok = false; process.stderr.write(`${role} ${sub}: ${err.message}\n`) }
  await node.stop()
  process.exit(ok ? 0 : 1)
}
