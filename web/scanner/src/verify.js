// Offline token verification, as core/qr/verify.py `verify`: text in, a verdict out, never an
// exception for any input. Checks run cheapest-first and stop at the first failure, in the
// Python order and with its reason codes:
//
//   size -> prefix format -> expected type -> base45 -> zlib -> CBOR/COSE -> kid known
//   -> alg allowed for that key -> signature -> key compromised -> CWT claims -> revoked
//   -> no expiry -> not yet valid (nbf, iat) -> expired
//
// Claims (and issuer, times) are only given when the signature verified.
import { CodecError, b45decode } from './base45.js'
import { PyFloat, hex, isBytes, isDict, isInt, keyEquals, loads, pyGet, pyHas, toJson } from './cbor.js'
import { ALG_NAMES, CoseError, Sign1, parseSign1, sigStructure, verifySignature } from './cose.js'
import { inflate } from './zlib.js'

export const MAX_TOKEN_CHARS = 4096
/** Prefixes whose tokens foreign (trusted certificate) signers may sign. */
export const FOREIGN_PREFIXES = new Set(['HC1:'])
export const HCERT_CLAIM = -260
export const APP_CLAIM = -65537
export const CWT_ISS = 1
export const CWT_EXP = 4
export const CWT_NBF = 5
export const CWT_IAT = 6
export const CWT_CTI = 7

export const Reason = Object.freeze({
  VALID: 'VALID',
  BAD_PREFIX: 'BAD_PREFIX',
  BAD_BASE45: 'BAD_BASE45',
  BAD_COMPRESSION: 'BAD_COMPRESSION',
  BAD_STRUCTURE: 'BAD_STRUCTURE',
  UNKNOWN_KEY: 'UNKNOWN_KEY',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  NOT_YET_VALID: 'NOT_YET_VALID',
  EXPIRED: 'EXPIRED',
  REVOKED: 'REVOKED',
  WRONG_TYPE: 'WRONG_TYPE',
  TOO_LARGE: 'TOO_LARGE',
  KEY_COMPROMISED: 'KEY_COMPROMISED',
  ALG_NOT_ALLOWED: 'ALG_NOT_ALLOWED',
  NO_EXPIRY: 'NO_EXPIRY'
})

const PREFIX_RE = /^[A-Z0-9]{2,8}:/
const ASCII = new TextEncoder()
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function verdict (ok, reason, fields = {}) {
  return {
    ok,
    reason,
    typePrefix: null,
    tokenId: null,
    kid: null,
    alg: null,
    claims: {},
    issuer: null,
    issuedAt: null,
    notBefore: null,
    expiresAt: null,
    detail: '',
    ...fields
  }
}

/** Length in code points (Python's len) when it matters. */
function tooLong (text) {
  if (text.length <= MAX_TOKEN_CHARS) return false
  let n = 0
  for (const _ of text) if (++n > MAX_TOKEN_CHARS) return true
  return false
}

// A CWT time as Python's datetime.fromtimestamp(v, UTC) reads it: seconds since the epoch
// (microsecond precision), or null when it is not a number or out of datetime's range.
function cwtTime (v) {
  let t
  if (typeof v === 'number') t = v
  else if (typeof v === 'bigint') t = Number(v)
  else if (v instanceof PyFloat) t = Math.round(v.value * 1e6) / 1e6
  else return null // booleans too
  return Number.isFinite(t) && t >= -62135596800 && t < 253402300800 ? t : null
}

function tokenId (cti) {
  if (isBytes(cti)) {
    try {
      return UTF8.decode(cti)
    } catch {
      return hex(cti)
    }
  }
  return typeof cti === 'string' ? cti : null
}

function unwrap (text) {
  if (typeof text !== 'string') return verdict(false, Reason.BAD_PREFIX, { detail: 'token is not text' })
  if (tooLong(text)) {
    return verdict(false, Reason.TOO_LARGE, { detail: `over ${MAX_TOKEN_CHARS} chars` })
  }
  const m = PREFIX_RE.exec(text)
  if (!m) return verdict(false, Reason.BAD_PREFIX, { detail: 'missing or malformed context prefix' })
  return [m[0], text.slice(m[0].length)]
}

function openMessage (prefix, body) {
  let compressed, raw
  try {
    compressed = b45decode(body)
  } catch (exc) {
    return verdict(false, Reason.BAD_BASE45, { typePrefix: prefix, detail: exc.message })
  }
  try {
    raw = inflate(compressed)
  } catch (exc) {
    return verdict(false, Reason.BAD_COMPRESSION, { typePrefix: prefix, detail: exc.message })
  }
  try {
    return parseSign1(raw)
  } catch (exc) {
    return verdict(false, Reason.BAD_STRUCTURE, { typePrefix: prefix, detail: exc.message })
  }
}

function millis (now) {
  const ms = now instanceof Date ? now.getTime() : now
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError('now must be a Date or milliseconds since the epoch')
  }
  return ms
}

/**
 * Verify one scanned token offline. Resolves to
 * {ok, reason, typePrefix, tokenId, kid, alg, claims, issuer, issuedAt, notBefore, expiresAt,
 * detail}; times are seconds since the epoch (or null), `claims` JSON-able (string keys, bytes
 * as hex, as the server's rules see them). Never rejects on bad input.
 *
 * @param {string} text the scanned text
 * @param {object} options
 * @param {import('./trust.js').TrustList} options.trust
 * @param {{has: function(string): boolean}} [options.revoked] token ids (a Set)
 * @param {Date|number} options.now the check time
 * @param {string[]|string|null} [options.expectedPrefixes]
 * @param {number} [options.leeway] seconds of clock skew tolerated on nbf/iat/exp
 */
export async function verify (text, { trust, revoked = new Set(), now, expectedPrefixes = null, leeway = 0 }) {
  const nowMs = millis(now) // a caller bug, not bad input: throws
  if (typeof expectedPrefixes === 'string') expectedPrefixes = [expectedPrefixes]
  try {
    return await verifyText(text, trust, revoked, nowMs, expectedPrefixes, leeway * 1000)
  } catch (exc) { // defence in depth: a verdict, never a crash at a checkpoint
    return verdict(false, Reason.BAD_STRUCTURE, { detail: `internal: ${exc && exc.name}` })
  }
}

async function verifyText (text, trust, revoked, nowMs, expectedPrefixes, leewayMs) {
  const unwrapped = unwrap(text)
  if (!Array.isArray(unwrapped)) return unwrapped
  const [prefix, body] = unwrapped
  if (expectedPrefixes !== null && expectedPrefixes !== undefined &&
      !Array.from(expectedPrefixes).includes(prefix)) {
    return verdict(false, Reason.WRONG_TYPE, { typePrefix: prefix })
  }
  const msg = openMessage(prefix, body)
  if (!(msg instanceof Sign1)) return msg

  const kid = msg.kid
  const algId = msg.alg
  const alg = isInt(algId) && typeof algId !== 'boolean' ? ALG_NAMES[String(algId)] || null : null
  const base = { typePrefix: prefix, kid: kid && hex(kid), alg }
  if (algId === null) return verdict(false, Reason.BAD_STRUCTURE, { ...base, detail: 'no alg header' })
  const entry = trust.get(kid)
  if (entry === null) return verdict(false, Reason.UNKNOWN_KEY, base)
  if (entry.source === 'foreign' && !FOREIGN_PREFIXES.has(prefix)) {
    // A foreign signer vouches for health certificates, never for our own token types.
    return verdict(false, Reason.UNKNOWN_KEY, { ...base, detail: 'foreign signer, own type' })
  }
  if (alg === null || !entry.algs.has(alg)) {
    return verdict(false, Reason.ALG_NOT_ALLOWED, { ...base, detail: `alg ${String(algId)}` })
  }
  const aad = entry.bindPrefix ? ASCII.encode(prefix) : new Uint8Array(0)
  const tbs = sigStructure(msg.protectedRaw, msg.payload, aad)
  if (!(await verifySignature(algId, entry.key, msg.signature, tbs))) {
    return verdict(false, Reason.BAD_SIGNATURE, base)
  }
  if (entry.status === 'compromised') return verdict(false, Reason.KEY_COMPROMISED, base)

  // Authenticated from here on; a malformed CWT is still refused as BAD_STRUCTURE.
  let cwt
  try {
    cwt = loads(msg.payload)
  } catch (exc) {
    return verdict(false, Reason.BAD_STRUCTURE, { ...base, detail: `CWT: ${exc.message}`.slice(0, 200) })
  }
  if (!isDict(cwt)) return verdict(false, Reason.BAD_STRUCTURE, { ...base, detail: 'CWT is not a map' })
  const times = {}
  for (const [label, name] of [[CWT_EXP, 'expiresAt'], [CWT_NBF, 'notBefore'], [CWT_IAT, 'issuedAt']]) {
    if (pyHas(cwt, label)) {
      times[name] = cwtTime(pyGet(cwt, label))
      if (times[name] === null) {
        return verdict(false, Reason.BAD_STRUCTURE, { ...base, detail: `bad ${name}` })
      }
    }
  }
  const hcert = pyGet(cwt, HCERT_CLAIM)
  if (hcert !== null && !(isDict(hcert) && isDict(pyGet(hcert, 1)))) {
    return verdict(false, Reason.BAD_STRUCTURE, { ...base, detail: 'bad hcert claim -260' })
  }
  const iss = pyGet(cwt, CWT_ISS)
  let claims
  if (pyHas(cwt, APP_CLAIM)) {
    claims = pyGet(cwt, APP_CLAIM)
    if (!isDict(claims)) {
      return verdict(false, Reason.BAD_STRUCTURE, { ...base, detail: 'app claims not a map' })
    }
  } else {
    claims = new Map()
    for (const [k, v] of cwt) {
      if (![1, 2, 3, 4, 5, 6, 7].some((n) => keyEquals(k, n))) claims.set(k, v)
    }
  }
  const tid = tokenId(pyGet(cwt, CWT_CTI))
  const full = {
    ...base,
    tokenId: tid,
    claims: toJson(claims),
    issuer: typeof iss === 'string' ? iss : null,
    ...times
  }
  if (tid !== null && revoked.has(tid)) return verdict(false, Reason.REVOKED, full)
  if (!('expiresAt' in times)) {
    return verdict(false, Reason.NO_EXPIRY, { ...full, detail: 'no exp claim' })
  }
  for (const name of ['notBefore', 'issuedAt']) {
    const t = times[name]
    if (t !== undefined && nowMs + leewayMs < t * 1000) {
      return verdict(false, Reason.NOT_YET_VALID, { ...full, detail: name === 'notBefore' ? 'not_before' : 'issued_at' })
    }
  }
  if (nowMs - leewayMs >= times.expiresAt * 1000) return verdict(false, Reason.EXPIRED, full)
  return verdict(true, Reason.VALID, full)
}

export { CodecError, CoseError }
