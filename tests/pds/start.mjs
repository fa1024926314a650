#!/usr/bin/env node
// Local Bluesky test stack for socialdesk integration tests:
//   * a PLC directory (@did-plc/server) backed by its in-memory mock database
//   * the reference PDS (@atproto/pds) using that PLC, hostname "localhost",
//     dev mode, no invite codes, handle domain ".test", data in a temp dir.
// Both listen on loopback only. When ready, ONE line of JSON goes to stdout;
// everything else (logs, warnings) goes to stderr.
// Stops on SIGTERM/SIGINT/SIGHUP, or when stdin reaches EOF (so a parent test
// process that dies cannot leave it running). See README.md.

import crypto from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

// ---------------------------------------------------------------- options

const KNOWN_OPTS = ['pds-port', 'plc-port', 'host', 'data-dir']

function parseArgs(argv) {
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '-h' || a === '--help') {
      out.help = true
      continue
    }
    if (a === '--no-stdin-watch') {
      out.stdinWatch = false
      continue
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a)
    if (!m || !KNOWN_OPTS.includes(m[1])) throw new Error(`unknown argument: ${a}`)
    const val = m[2] ?? argv[++i]
    if (val === undefined) throw new Error(`missing value for --${m[1]}`)
    out[m[1]] = val
  }
  return out
}

const USAGE = `usage: node start.mjs [--pds-port N] [--plc-port N] [--host ADDR]
                      [--data-dir DIR] [--no-stdin-watch]
env: PDS_PORT, PLC_PORT, PDS_BIND_HOST, PDS_DATA_DIRECTORY, PDS_WATCH_STDIN=0,
     PDS_RATE_LIMITS=1, LOG_ENABLED=1 (logs to stderr), other PDS_* passed through`

let args
try {
  args = parseArgs(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`${err.message}\n${USAGE}\n`)
  process.exit(2)
}
if (args.help) {
  process.stdout.write(USAGE + '\n')
  process.exit(0)
}

function portOpt(argName, envName) {
  const raw = args[argName] ?? process.env[envName] ?? '0'
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`invalid port for --${argName}/${envName}: ${raw}\n`)
    process.exit(2)
  }
  return n
}

const bindHost = args.host ?? process.env.PDS_BIND_HOST ?? '127.0.0.1'
let pdsPort = portOpt('pds-port', 'PDS_PORT')
const plcPortWanted = portOpt('plc-port', 'PLC_PORT')
const userDataDir = args['data-dir'] ?? process.env.PDS_DATA_DIRECTORY
const watchStdin =
  args.stdinWatch ?? !['0', 'false', 'no'].includes(process.env.PDS_WATCH_STDIN ?? '')

// Logging is off unless LOG_ENABLED is set; when on, keep stdout clean for
// the ready line by sending pino's output to stderr. Must be set before the
// servers' modules load (their loggers read the env at import time).
if (process.env.LOG_ENABLED && !process.env.LOG_DESTINATION) {
  process.env.LOG_DESTINATION = '/dev/stderr'
}

// ---------------------------------------------------------------- helpers

const log = (msg) => process.stderr.write(`[test-pds] ${msg}\n`)

// The PDS must know its public URL (http://localhost:PORT) before it starts,
// so for "port 0" we ask the kernel for a free port and release it again.
function freePort(host) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, host, () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// Both servers call `app.listen(port)`, which binds every interface; make
// them bind the loopback address only.
function bindTo(app, host) {
  const listen = app.listen.bind(app)
  app.listen = (port, ...rest) => listen(port, host, ...rest)
}

// secp256k1 private key as 64 hex chars, for the PDS's PLC rotation key.
function k256PrivateKeyHex() {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  const d = privateKey.export({ format: 'jwk' }).d
  return Buffer.from(d, 'base64url').toString('hex').padStart(64, '0')
}

const randomSecret = (bytes = 24) => crypto.randomBytes(bytes).toString('hex')

// Keep only the PDS_* settings the user actually set, so they can override
// our defaults without unset ones (undefined / []) wiping them out.
function definedOnly(obj) {
  const out = {}
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue
    if (Array.isArray(v) && v.length === 0) continue
    out[k] = v
  }
  return out
}

// ---------------------------------------------------------------- start

let plc = null
let pds = null
let dataDir = null
let removeDataDir = false
let stopping = null

async function stop(reason, code = 0) {
  if (stopping) return stopping
  stopping = (async () => {
    log(`stopping (${reason})`)
    const killer = setTimeout(() => {
      log('shutdown took more than 10s, exiting anyway')
      process.exit(code || 1)
    }, 10_000)
    killer.unref()
    try {
      if (pds) await pds.destroy()
    } catch (err) {
      log(`pds shutdown error: ${err?.stack ?? err}`)
    }
    try {
      if (plc) await plc.destroy()
    } catch (err) {
      log(`plc shutdown error: ${err?.stack ?? err}`)
    }
    if (dataDir && removeDataDir) {
      await fsp.rm(dataDir, { recursive: true, force: true }).catch(() => {})
    }
    process.exit(code)
  })()
  return stopping
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => stop(sig))
}

if (watchStdin) {
  // A stdin of /dev/null is at EOF from the start: it cannot serve as a
  // lifeline, so ignore it instead of exiting at once.
  let devNull = false
  try {
    const a = fs.fstatSync(0)
    const b = fs.statSync('/dev/null')
    devNull = a.isCharacterDevice() && a.rdev === b.rdev
  } catch {
    devNull = false
  }
  if (devNull) {
    log('stdin is /dev/null: not watching it (stop me with SIGTERM)')
  } else {
    process.stdin.on('data', () => {})
    process.stdin.on('end', () => stop('stdin closed'))
    process.stdin.on('error', () => stop('stdin error'))
    process.stdin.resume()
  }
}

try {
  const plcMod = await import('@did-plc/server')
  const { PlcServer, Database } = plcMod.default ?? plcMod
  const pdsMod = await import('@atproto/pds')
  const { PDS, envToCfg, envToSecrets, readEnv } = pdsMod.default ?? pdsMod

  // PLC directory, in memory.
  plc = PlcServer.create({ db: Database.mock(), port: plcPortWanted })
  bindTo(plc.app, bindHost)
  const plcServer = await plc.start()
  const plcPort = plcServer.address().port
  const plcUrl = `http://localhost:${plcPort}`

  // PDS data lives in a temp dir (the PDS keeps per-account SQLite files and
  // blobs on disk; it has no fully in-memory mode).
  if (userDataDir) {
    dataDir = path.resolve(userDataDir)
    await fsp.mkdir(dataDir, { recursive: true })
  } else {
    dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'socialdesk-pds-'))
    removeDataDir = true
  }

  if (pdsPort === 0) pdsPort = await freePort(bindHost)

  const adminPassword = randomSecret(16)
  const env = {
    port: pdsPort,
    hostname: 'localhost',
    devMode: true,
    version: '0.0.0-test',
    didPlcUrl: plcUrl,
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    jwtSecret: randomSecret(32),
    adminPassword,
    plcRotationKeyK256PrivateKeyHex: k256PrivateKeyHex(),
    rateLimitsEnabled: ['1', 'true', 'yes'].includes(process.env.PDS_RATE_LIMITS ?? ''),
    crawlers: [],
    ...definedOnly(readEnv()),
  }
  env.port = pdsPort // the port we resolved wins over PDS_PORT=0

  const cfg = envToCfg(env)
  const secrets = envToSecrets(env)
  const created = await PDS.create(cfg, secrets)
  bindTo(created.app, bindHost)
  await created.start()
  pds = created // only a started PDS needs (and supports) destroy()

  const ready = {
    pds: cfg.service.publicUrl,
    plc: plcUrl,
    adminPassword: secrets.adminPassword,
    serviceDid: cfg.service.did,
    handleDomains: cfg.identity.serviceHandleDomains,
    bindHost,
    dataDir,
    rateLimits: cfg.rateLimits.enabled,
    pid: process.pid,
    startupMs: Math.round(performance.now()), // since the node process started
  }
  process.stdout.write(JSON.stringify(ready) + '\n')
  log(`ready in ${ready.startupMs} ms: pds ${ready.pds}, plc ${ready.plc}`)
} catch (err) {
  log(`failed to start: ${err?.stack ?? err}`)
  await stop('startup failure', 1)
}
