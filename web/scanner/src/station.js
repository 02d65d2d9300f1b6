// The phone's station key and its signed scan log, in the station log format the server reads
// (checkpoints/scanlog.py, "rapid-checkpoint-log/2"): a header line naming the station (16 hex
// digits of SHA-256 over the key's SubjectPublicKeyInfo), then one line per verdict, each
// signed with Ed25519 over "rapid-checkpoint-log/2\0<station>\0<canonical JSON of the row>".
import * as ed from '@noble/ed25519'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { hex } from './cbor.js'

ed.hashes.sha512 = sha512

export const LOG_FORMAT = 'rapid-checkpoint-log/2'
const ED25519_SPKI = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
const UTF8 = new TextEncoder()

function b64 (bytes) {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin)
}

function unb64 (text) {
  const bin = atob(text)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** JSON as Python's json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False). */
export function canonical (value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']'
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(value[k])).join(',') + '}'
}

/** SHA-256 hex of "text:" + a scanned text (checkpoints/verify.py code_digest). */
export function codeDigest (text) {
  return hex(sha256(UTF8.encode('text:' + text)))
}

/** A station key: {secret (base64, kept on the phone), publicDer (base64 SPKI), kid}. */
export class StationKey {
  constructor (secret) {
    this.secret = secret
    const pub = ed.getPublicKey(secret)
    this.spki = new Uint8Array([...ED25519_SPKI, ...pub])
    this.kid = hex(sha256(this.spki).slice(0, 8))
  }

  static generate () {
    return new StationKey(ed.utils.randomSecretKey())
  }

  static fromJson (text) {
    return new StationKey(unb64(text))
  }

  toJson () {
    return b64(this.secret)
  }

  get publicKey () {
    return b64(this.spki)
  }

  /** One signed log line (without the newline) for a row of the scan log. */
  signRow (row) {
    const body = UTF8.encode(`${LOG_FORMAT}\0${this.kid}\0${canonical(row)}`)
    return JSON.stringify({ r: row, s: b64(ed.sign(body, this.secret)) })
  }

  /** The header line of a log written by this station. */
  header () {
    return canonical({ format: LOG_FORMAT, station: this.kid })
  }
}

function clip (value, fallback) {
  // eslint-disable-next-line no-control-regex
  const text = String(value ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 100)
  return text || fallback
}

/** A UTC time as Python's isoformat(timespec='microseconds') with +00:00. */
export function isoMicros (ms) {
  return new Date(ms).toISOString().replace('Z', '000+00:00')
}

/** A new 32-hex scan id (uuid4 hex). */
export function newScanId () {
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  return hex(b)
}

/** The log row of one verdict ({verdict, reason, tokenType, tokenId, code}). */
export function logRow (v, { at, checkpointId, staff }) {
  return {
    scan_id: newScanId(),
    scanned_at: isoMicros(at),
    checkpoint_id: clip(checkpointId, '-'),
    staff: clip(staff, '-'),
    token_type: clip(v.tokenType, '?'),
    verdict: v.verdict,
    reason: clip(v.reason, '?'),
    token_id: v.tokenId || null,
    code: v.tokenId ? null : v.code
  }
}
