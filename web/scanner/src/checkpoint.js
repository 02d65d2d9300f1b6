// The phone's checkpoint: the signed offline bundle (core/qr/offline.py, checkpoints/bundle.py)
// and the verdict pipeline of checkpoints/verify.py (prefix -> token type, token core, then the
// type's rule set as data, core/qr/rulesets.py), with the same reason codes.
import { hex, isDict, loads, toJson } from './cbor.js'
import { ALG_NAMES, CoseError, parseSign1, sigStructure, verifySignature } from './cose.js'
import { LOCAL_OFFSET_MS, checkContext, evaluateRules } from './rules.js'
import { codeDigest } from './station.js'
import { TrustList } from './trust.js'
import { verify } from './verify.js'

export const BUNDLE_AAD = new TextEncoder().encode('rapid-bundle/1')
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024
export const MAX_SCAN_CHARS = 4096
export const HC_PREFIX = 'HC1:'
const FORGED = new Set(['BAD_SIGNATURE', 'UNKNOWN_KEY', 'KEY_COMPROMISED', 'ALG_NOT_ALLOWED', 'BAD_STRUCTURE'])
const UNVERIFIED = new Set([...FORGED, 'BAD_PREFIX', 'BAD_BASE45', 'BAD_COMPRESSION', 'WRONG_TYPE',
  'TOO_LARGE', 'UNKNOWN_TYPE', 'NOT_TEXT', 'INTERNAL_ERROR'])

/** Why the phone will not scan with a bundle: `code` (FORGED, BAD, WRONG_ZONE, ROLLBACK,
 * TOO_OLD, FUTURE) and English detail. */
export class BundleRefused extends Error {
  constructor (code, detail = '') {
    super(`${code}: ${detail}`)
    this.name = 'BundleRefused'
    this.code = code
    this.detail = detail
  }
}

function cleanZone (zone) {
  const text = String(zone ?? '').trim()
  if (!/^[0-9]{1,10}$/.test(text)) return null
  return String(parseInt(text, 10))
}

function num (value, fallback) {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback
}

/**
 * Verify and open bundle bytes (checkpoints/bundle.py parse_bundle): signed by one of the
 * pinned `signers` (a TrustList; only its local, not compromised keys count), for `zone` when
 * given, not older than `heldSeq`, not past its age limit. Returns the opened bundle with
 * `ageHours`, `warn` (over the warning age) and `maxAgeHours`; throws BundleRefused.
 */
export async function openBundle (bytes, { signers, zone = null, now = Date.now(), heldSeq = 0 }) {
  if (!(bytes instanceof Uint8Array) || !bytes.length) throw new BundleRefused('BAD', 'empty')
  if (bytes.length > MAX_BUNDLE_BYTES) throw new BundleRefused('BAD', 'too large')
  let msg
  try {
    msg = parseSign1(bytes)
  } catch (exc) {
    throw new BundleRefused('BAD', exc instanceof CoseError ? exc.message : 'not a bundle')
  }
  const entry = signers.get(msg.kid)
  if (!entry || entry.source !== 'local' || entry.status === 'compromised') {
    throw new BundleRefused('FORGED', `signer ${msg.kid ? hex(msg.kid) : '?'} is not pinned`)
  }
  const alg = msg.alg
  if (typeof alg !== 'number' || !ALG_NAMES[String(alg)]) throw new BundleRefused('FORGED', 'algorithm')
  const tbs = sigStructure(msg.protectedRaw, msg.payload, BUNDLE_AAD)
  if (!(await verifySignature(alg, entry.key, msg.signature, tbs))) {
    throw new BundleRefused('FORGED', 'the signature does not verify')
  }
  let payload
  try {
    const raw = loads(msg.payload)
    if (!isDict(raw)) throw new Error('not a map')
    payload = toJson(raw)
  } catch {
    throw new BundleRefused('BAD', 'payload')
  }
  if (payload.v !== 1) throw new BundleRefused('BAD', `version ${payload.v}`)
  let trust
  try {
    trust = await TrustList.fromDict(payload.trust)
  } catch (exc) {
    throw new BundleRefused('BAD', `trust list: ${exc.message}`)
  }
  if (!Array.isArray(payload.revoked) || typeof payload.created !== 'number') {
    throw new BundleRefused('BAD', 'incomplete')
  }
  const seq = payload.seq === undefined || payload.seq === null ? payload.created * 1e6 : payload.seq
  if (typeof seq !== 'number' || seq < 0) throw new BundleRefused('BAD', 'sequence')
  const bundleZone = cleanZone(payload.zone)
  if (bundleZone === null) throw new BundleRefused('BAD', 'no zone')
  if (zone !== null && zone !== undefined && String(zone).trim()) {
    if (cleanZone(zone) !== bundleZone) {
      throw new BundleRefused('WRONG_ZONE', `bundle for zone ${bundleZone}, station in ${zone}`)
    }
  }
  const rules = payload.rules && typeof payload.rules === 'object' ? payload.rules : {}
  const warnH = num(rules.warn_age_hours, 12)
  const maxH = num(rules.max_age_hours, 72)
  const created = payload.created * 1000
  const ageHours = (now - created) / 3600000
  if (ageHours < -1) throw new BundleRefused('FUTURE', `${(-ageHours).toFixed(1)} h ahead`)
  if (ageHours > maxH) throw new BundleRefused('TOO_OLD', `${ageHours.toFixed(1)} h old`)
  if (seq < heldSeq) throw new BundleRefused('ROLLBACK', `seq ${seq} < ${heldSeq}`)
  const checkpoint = payload.checkpoint && typeof payload.checkpoint === 'object' ? payload.checkpoint : {}
  return {
    trust,
    revoked: new Set(payload.revoked.map(String)),
    created,
    seq,
    issuer: String(payload.issuer || ''),
    zone: bundleZone,
    checkpointId: String(checkpoint.id || `zone-${bundleZone}`).slice(0, 64),
    checkpoint,
    rules,
    tokenTypes: Array.isArray(rules.token_types) ? rules.token_types : [],
    wards: rules.wards && typeof rules.wards === 'object' ? rules.wards : {},
    leewaySeconds: num(rules.leeway_seconds, 60),
    throttleSeconds: num(rules.throttle_seconds, 3),
    warnAgeHours: warnH,
    maxAgeHours: maxH,
    ageHours,
    warn: ageHours > warnH
  }
}

/** Bundle age at `now` and whether it warns or is past the limit. */
export function bundleAge (bundle, now = Date.now()) {
  const ageHours = (now - bundle.created) / 3600000
  return { ageHours, warn: ageHours > bundle.warnAgeHours, expired: ageHours > bundle.maxAgeHours }
}

// -- rule sets (core/qr/rulesets.py) ----------------------------------------------------------

function isInt (v) {
  return typeof v === 'number' && Number.isInteger(v)
}

/** rulesets.shape_ok */
export function shapeOk (shape, value) {
  if (shape === 'str') return typeof value === 'string'
  if (shape === 'int') return isInt(value)
  if (shape === 'int[]') return Array.isArray(value) && value.every(isInt)
  if (shape === 'int[2]') return Array.isArray(value) && value.length === 2 && value.every(isInt)
  if (shape.startsWith('enum:')) return typeof value === 'string' && shape.slice(5).split(',').includes(value)
  return false
}

function shapeFits (rs, claims) {
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return false
  const declared = rs.claims || {}
  if (rs.closed && Object.keys(claims).some((k) => !(k in declared))) return false
  for (const [name, shape] of Object.entries(declared)) {
    const value = claims[name]
    if ((value === null || value === undefined) && (rs.optional || []).includes(name)) continue
    if (!shapeOk(shape, value)) return false
  }
  return true
}

/** RuleSet.__call__: {verdict, reason}. */
export function evaluateRuleSet (rs, claims, ctx) {
  if (!shapeFits(rs, claims)) return { verdict: 'INVALID', reason: rs.shape_reason || 'BAD_CLAIMS' }
  const result = evaluateRules(rs.rules || [], claims, ctx)
  if (result.verdict !== 'VALID') return { verdict: result.verdict, reason: result.reason }
  if (rs.once) return { verdict: 'WARN', reason: 'ONCE_UNCHECKED' }
  for (const note of rs.notes || []) {
    if (evaluateRules([note], claims, ctx).verdict !== 'VALID') return { verdict: 'VALID', reason: note.reason }
  }
  return { verdict: 'VALID', reason: rs.valid_reason || 'VALID' }
}

function pad (n) {
  return String(n).padStart(2, '0')
}

/** Vietnam time as dd/mm/YYYY HH:MM (clock.fmt_local). */
export function fmtLocal (ms) {
  const d = new Date(ms + LOCAL_OFFSET_MS)
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

/**
 * The `last_day` format (core.qr.rulesets.last_day): an end instant (ms) as the Vietnam date
 * of the instant one second before it, dd/mm/YYYY: a permit expiring at local midnight reads
 * as its last valid day.
 */
export function lastDay (ms) {
  const d = new Date(ms - 1000 + LOCAL_OFFSET_MS)
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`
}

function hhmm (m) {
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`
}

/** The card's fields: [[label, value]] in `lang` (the rule set's `fields`). */
export function formatFields (type, claims, token, { lang = 'vi', wards = {} } = {}) {
  const rs = type.ruleset
  if (!rs) return []
  const out = []
  for (const f of rs.fields || []) {
    const value = f.claim === '@valid_until'
      ? (token.expiresAt ? token.expiresAt * 1000 : null)
      : claims[f.claim]
    if (value === null || value === undefined || value === '') continue
    let text
    if (f.format === 'masked_id') text = String(value).length === 4 ? '********' + value : String(value)
    else if (f.format === 'wards') text = (Array.isArray(value) ? value : [value]).map((w) => wards[String(w)] || String(w)).join(', ')
    else if (f.format === 'hours') text = Array.isArray(value) && value.length === 2 ? `${hhmm(value[0])}–${hhmm(value[1])}` : String(value)
    else if (f.format === 'epoch_local') text = fmtLocal(f.claim === '@valid_until' ? value : value * 1000)
    else if (f.format === 'last_day') text = lastDay(f.claim === '@valid_until' ? value : value * 1000)
    else if (f.format === 'upper8') text = String(value).slice(0, 8).toUpperCase()
    else if (f.format === 'enum') {
      const key = (f.labels || {})[String(value)]
      const words = key && type.labels && type.labels[key]
      text = words ? words[lang] || words.vi : String(value)
    } else text = Array.isArray(value) ? value.join(', ') : String(value)
    const label = type.field_names && type.field_names[f.name]
    out.push([label ? label[lang] || label.vi : f.name, text])
  }
  return out
}

function dccFields (claims) {
  const hcert = claims['-260']
  const dcc = hcert && typeof hcert === 'object' ? hcert['1'] : null
  if (!dcc || typeof dcc !== 'object') return null
  const nam = dcc.nam && typeof dcc.nam === 'object' ? dcc.nam : {}
  const name = [nam.gn, nam.fn].filter(Boolean).join(' ') || String(nam.fnt || '')
  return [['name', name], ['dob', String(dcc.dob || '')]]
}

/**
 * The verdict of one scanned text (checkpoints/verify.py Verifier): {verdict, reason,
 * tokenType, type (the bundle's entry), fields: [[label, value]], name, tokenId (only when the
 * signature verified), code, claims}. Never throws.
 */
export async function checkText (bundle, text, { now = Date.now(), mode = 'checkpoint', lang = 'vi' } = {}) {
  const base = { tokenType: '?', type: null, fields: [], name: '', tokenId: null, claims: null }
  try {
    if (typeof text !== 'string') return { ...base, verdict: 'INVALID', reason: 'NOT_TEXT', code: codeDigest(String(text)) }
    text = text.trim()
    const code = codeDigest(text)
    if (text.length > MAX_SCAN_CHARS) return { ...base, verdict: 'INVALID', reason: 'TOO_LARGE', code }
    const hc = text.startsWith(HC_PREFIX)
    const type = hc ? null : bundle.tokenTypes.find((t) => text.startsWith(t.prefix)) || null
    if (!hc && !type) return { ...base, verdict: 'INVALID', reason: 'UNKNOWN_TYPE', code }
    const tokenType = hc ? 'HC' : type.type
    const v = await verify(text, {
      trust: bundle.trust,
      revoked: bundle.revoked,
      now,
      expectedPrefixes: [hc ? HC_PREFIX : type.prefix],
      leeway: bundle.leewaySeconds
    })
    const tokenId = !UNVERIFIED.has(v.reason) && v.tokenId && v.tokenId.length <= 128 ? v.tokenId : null
    const out = { ...base, tokenType, type, code, tokenId }
    if (!v.ok) return { ...out, verdict: 'INVALID', reason: v.reason }
    if (hc) {
      const fields = dccFields(v.claims)
      if (!fields) return { ...out, verdict: 'INVALID', reason: 'BAD_STRUCTURE' }
      return { ...out, verdict: 'VALID', reason: 'VALID', fields, name: fields[0][1], claims: v.claims }
    }
    if (!type.ruleset) return { ...out, verdict: 'WARN', reason: 'NO_RULE', claims: v.claims }
    const ctx = checkContext(v, { now, zone: bundle.zone, checkpoint: bundle.checkpointId, mode })
    const result = evaluateRuleSet(type.ruleset, v.claims, ctx)
    const fields = result.reason === (type.ruleset.shape_reason || 'BAD_CLAIMS') && result.verdict === 'INVALID'
      ? []
      : formatFields(type, v.claims, v, { lang, wards: bundle.wards })
    const nameField = (type.ruleset.fields || []).find((f) => f.name === 'name')
    const name = nameField && typeof v.claims[nameField.claim] === 'string' ? v.claims[nameField.claim] : ''
    return { ...out, ...result, fields, name, claims: v.claims }
  } catch (exc) {
    return { ...base, verdict: 'INVALID', reason: 'INTERNAL_ERROR', code: codeDigest(String(text).slice(0, 4096)) }
  }
}
