// The trust list (kid -> public key) as core/qr/trust.py writes it with `TrustList.to_dict()`:
// {"version": 1, "keys": [{"kid", "spki", "algs", "status", "source", "subject",
// "bind_prefix"}]}. Ed25519 keys are read from their SPKI here; P-256 and RSA keys (foreign
// HCERT signers) are imported into WebCrypto, which needs a secure context (https or
// localhost): without it such an entry is kept but verifies nothing.
import { hex } from './cbor.js'

export const STATUSES = ['active', 'retired', 'compromised']

export class TrustError extends Error {
  constructor (message) {
    super(message)
    this.name = 'TrustError'
  }
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), then the 32-byte key.
const ED25519_SPKI = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
const EC_PUBLIC_KEY = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01] // 1.2.840.10045.2.1
const RSA_ENCRYPTION = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]

function contains (bytes, pattern, within = 32) {
  outer: for (let i = 0; i + pattern.length <= Math.min(bytes.length, within); i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer
    return true
  }
  return false
}

/** Strict base64 (as Python's b64decode(validate=True)). */
export function b64decode (text) {
  if (typeof text !== 'string' || text.length % 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new TrustError('bad base64')
  }
  const bin = atob(text)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

async function publicKey (spki) {
  if (spki.length === 44 && ED25519_SPKI.every((b, i) => spki[i] === b)) {
    return { type: 'Ed25519', algs: ['EdDSA'], raw: spki.slice(12) }
  }
  const subtle = globalThis.crypto && globalThis.crypto.subtle
  if (contains(spki, EC_PUBLIC_KEY)) {
    if (!subtle) return { type: 'ES256', algs: ['ES256'], cryptoKey: null }
    try {
      const cryptoKey = await subtle.importKey(
        'spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
      return { type: 'ES256', algs: ['ES256'], cryptoKey }
    } catch {
      throw new TrustError('unsupported EC key (only P-256)')
    }
  }
  if (contains(spki, RSA_ENCRYPTION)) {
    if (!subtle) return { type: 'PS256', algs: ['PS256'], cryptoKey: null }
    let cryptoKey
    try {
      cryptoKey = await subtle.importKey(
        'spki', spki, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify'])
    } catch {
      throw new TrustError('bad RSA key')
    }
    if (cryptoKey.algorithm.modulusLength < 2048) {
      throw new TrustError('RSA keys under 2048 bits are not accepted')
    }
    return { type: 'PS256', algs: ['PS256'], cryptoKey }
  }
  throw new TrustError('unsupported key type')
}

/** One trusted key (core/qr/trust.py TrustEntry). */
export class TrustEntry {
  constructor ({ kid, key, algs, status, source, subject, bindPrefix }) {
    this.kid = kid
    this.key = key
    this.algs = new Set(algs)
    this.status = status
    this.source = source
    this.subject = subject
    this.bindPrefix = bindPrefix
  }

  /** TrustEntry.from_dict, with its checks. */
  static async fromDict (d) {
    if (!d || typeof d !== 'object') throw new TrustError('bad trust entry')
    const key = await publicKey(b64decode(d.spki))
    const algs = Array.isArray(d.algs) && d.algs.length ? d.algs : key.algs
    if (!algs.every((a) => key.algs.includes(a))) {
      throw new TrustError(`algs ${JSON.stringify(algs)} not usable with this key type`)
    }
    const status = d.status === undefined ? 'active' : d.status
    if (!STATUSES.includes(status)) throw new TrustError(`bad status ${status}`)
    const source = d.source === undefined ? 'foreign' : d.source
    if (source !== 'local' && source !== 'foreign') throw new TrustError(`bad source ${source}`)
    const bindPrefix = d.bind_prefix === undefined ? source === 'local' : Boolean(d.bind_prefix)
    return new TrustEntry({
      kid: b64decode(d.kid),
      key,
      algs,
      status,
      source,
      subject: String(d.subject === undefined ? '' : d.subject),
      bindPrefix
    })
  }
}

/** kid -> TrustEntry. */
export class TrustList {
  constructor (entries = []) {
    this.byKid = new Map()
    for (const e of entries) this.add(e)
  }

  add (entry) {
    this.byKid.set(hex(entry.kid), entry)
  }

  /** The entry for kid bytes, or null. */
  get (kid) {
    return kid ? this.byKid.get(hex(kid)) || null : null
  }

  get size () {
    return this.byKid.size
  }

  /** TrustList.from_dict: {"version": 1, "keys": [...]}; TrustError on bad data. */
  static async fromDict (d) {
    if (!d || typeof d !== 'object' || d.version !== 1 || !Array.isArray(d.keys)) {
      throw new TrustError("trust list must be {'version': 1, 'keys': [...]}")
    }
    return new TrustList(await Promise.all(d.keys.map((e) => TrustEntry.fromDict(e))))
  }
}
