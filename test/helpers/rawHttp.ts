import { connect as netConnect } from 'node:net'

/**
 * What a raw TCP peer gets for `text` (fetch and http.request refuse malformed targets and a chosen
 * Host), until the server closes the connection or, for a 101, until its head is in: a websocket stays
 * open. Rejects when no complete answer came within `timeoutMs`.
 */
export function rawExchange(port: number, text: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(text))
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new Error(
          `no complete answer in ${timeoutMs} ms; got: ${JSON.stringify(Buffer.concat(chunks).toString())}`,
        ),
      )
    }, timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (/^HTTP\/1\.1 101 [^]*\r\n\r\n/.test(Buffer.concat(chunks).toString())) socket.destroy()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks).toString())
    })
  })
}

/** A websocket upgrade request for `path` with these header lines (each ending in CRLF). */
export const upgradeRequest = (path: string, headers: string) =>
  `GET ${path} HTTP/1.1\r\n${headers}Connection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
