// Production web server for the built frontend: static files from ./www with an
// index.html fallback for client-side routes, /healthz for health checks, and,
// when API_URL is set, /api/* passed through to the backend. No dependencies.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), 'www')
const port = Number(process.env.PORT ?? 8080)
const apiUrl = process.env.API_URL ? new URL(process.env.API_URL) : null

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
}

function log(fields) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...fields }) + '\n')
}

async function file(urlPath) {
  let decoded
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  const full = path.join(root, path.normalize(decoded).replace(/^([/\\])+/, ''))
  if (!full.startsWith(root + path.sep)) return null
  try {
    const info = await stat(full)
    if (info.isFile()) return full
  } catch {
    // fall through to the SPA fallback
  }
  return null
}

function proxy(req, res) {
  const upstream = http.request(
    {
      host: apiUrl.hostname,
      port: apiUrl.port || 80,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: apiUrl.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    },
  )
  upstream.on('error', () => {
    res.writeHead(502, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ detail: 'backend unavailable' }))
  })
  req.pipe(upstream)
}

const server = http.createServer(async (req, res) => {
  const started = Date.now()
  res.on('finish', () =>
    log({ level: 'info', method: req.method, path: req.url, status: res.statusCode, ms: Date.now() - started }),
  )
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"status":"ok"}')
    return
  }
  if (apiUrl && url.pathname.startsWith('/api/')) {
    proxy(req, res)
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405)
    res.end()
    return
  }
  const found = (await file(url.pathname)) ?? path.join(root, 'index.html')
  const type = types[path.extname(found)] ?? 'application/octet-stream'
  const immutable = url.pathname.startsWith('/assets/')
  res.writeHead(200, {
    'content-type': type,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(found).pipe(res)
})

server.listen(port, '0.0.0.0', () => log({ level: 'info', msg: `serving ${root} on :${port}` }))

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log({ level: 'info', msg: `${signal}: shutting down` })
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 5000).unref()
  })
}
