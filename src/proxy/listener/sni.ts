/**
 * @module proxy/listener/sni — reads the server name (SNI) from a TLS ClientHello without terminating
 * TLS, for `tls[].match.sniHosts` routes (TLS passthrough). Bounds-checked; garbage yields undefined.
 */

/** The SNI host name of the ClientHello at the start of `buf`, lower-case, or undefined. */
export function parseSni(buf: Buffer): string | undefined {
  if (buf.length < 43 || buf[0] !== 0x16 || buf[5] !== 0x01) return undefined
  let p = 43
  const need = (n: number) => p + n <= buf.length
  if (!need(1)) return undefined
  p += 1 + buf[p]! // session id
  if (!need(2)) return undefined
  p += 2 + buf.readUInt16BE(p) // cipher suites
  if (!need(1)) return undefined
  p += 1 + buf[p]! // compression methods
  if (!need(2)) return undefined
  const end = Math.min(buf.length, p + 2 + buf.readUInt16BE(p))
  p += 2
  while (p + 4 <= end) {
    const type = buf.readUInt16BE(p)
    const len = buf.readUInt16BE(p + 2)
    p += 4
    if (type === 0 && p + 5 <= end) {
      const nameLen = buf.readUInt16BE(p + 3)
      if (buf[p + 2] !== 0 || p + 5 + nameLen > end) return undefined
      return buf.toString('latin1', p + 5, p + 5 + nameLen).toLowerCase()
    }
    p += len
  }
  return undefined
}

/** True when `sni` matches one of `hosts` (exact, `*.suffix` wildcard, or `*`). */
export function sniMatches(hosts: readonly string[], sni: string | undefined): boolean {
  if (sni === undefined) return false
  for (const raw of hosts) {
    const h = raw.toLowerCase()
    if (h === '*' || h === sni) return true
    if (h.startsWith('*.') && sni.endsWith(h.slice(1)) && sni.length > h.length - 1) return true
  }
  return false
}
