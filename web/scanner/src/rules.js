// Checkpoint rules as data, as core/rules.py evaluates them on the server: CertLogic (the EU
// reference evaluator, certlogic-js, after its validator, as docs/RULES.md asks) over
// {"payload": claims, "external": {...}}, `external` computed from the check time in Vietnam
// time (UTC+07:00, no daylight saving time) whatever the phone's own time zone.
import { evaluate as certlogicEvaluate } from 'certlogic-js'
import { validate } from 'certlogic-js/dist/validation/index.js'

export const VALID_REASON = 'VALID'
export const LOCAL_OFFSET_MS = 7 * 3600 * 1000
const MAX_CLAIM_DEPTH = 32

export class CertLogicError extends Error {
  constructor (message) {
    super(message)
    this.name = 'CertLogicError'
  }
}

function ms (t) {
  if (t === null || t === undefined) return null
  const v = t instanceof Date ? t.getTime() : t
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError('a time must be a Date or milliseconds')
  return Math.floor(v)
}

/** A time as CertLogic data: UTC, milliseconds (truncated), `Z`; null stays null. */
export function iso (t) {
  const v = ms(t)
  return v === null ? null : new Date(v).toISOString()
}

// The checkpoint's ward code as an integer; null when it has none; other text as it is.
function zoneValue (zone) {
  const text = zone === null || zone === undefined ? '' : String(zone).trim()
  if (!text) return null
  return /^[0-9]{1,9}$/.test(text) ? parseInt(text, 10) : text
}

function payloadJson (value, depth = 0) {
  if (depth > MAX_CLAIM_DEPTH) throw new RangeError('the claims are nested too deeply')
  if (Array.isArray(value)) return value.map((v) => payloadJson(v, depth + 1))
  if (value && typeof value === 'object') {
    const out = {}
    for (const [k, v] of Object.entries(value)) out[k] = payloadJson(v, depth + 1)
    return out
  }
  return value
}

/**
 * The CertLogic data (core.rules.context): {payload: claims, external: {validationClock,
 * valid_from, valid_until, token_id, zone, checkpoint, mode, weekday, day, day_parity, minute,
 * date, used}}. `ctx`: {now, zone, checkpoint, mode, tokenId, validFrom, validUntil}, times as
 * Dates or milliseconds. Throws RangeError for claims nested deeper than the server reads.
 */
export function context (claims, ctx, { used = false } = {}) {
  const now = ms(ctx.now)
  const local = new Date(now + LOCAL_OFFSET_MS)
  const day = local.getUTCDate()
  const checkpoint = ctx.checkpoint === null || ctx.checkpoint === undefined || ctx.checkpoint === ''
    ? null
    : String(ctx.checkpoint)
  return {
    payload: payloadJson(claims),
    external: {
      validationClock: iso(now),
      valid_from: iso(ctx.validFrom),
      valid_until: iso(ctx.validUntil),
      token_id: ctx.tokenId === undefined ? null : ctx.tokenId,
      zone: zoneValue(ctx.zone),
      checkpoint,
      mode: ctx.mode || 'checkpoint',
      weekday: local.getUTCDay() || 7,
      day,
      day_parity: day % 2 ? 'odd' : 'even',
      minute: local.getUTCHours() * 60 + local.getUTCMinutes(),
      date: local.toISOString().slice(0, 10),
      used: Boolean(used)
    }
  }
}

/** The rule context of a verified token (as checkpoints/verify.py builds its CheckContext). */
export function checkContext (token, { now, zone = null, checkpoint = null, mode = 'checkpoint' }) {
  const sec = (s) => (s === null || s === undefined ? null : s * 1000)
  return {
    now,
    zone,
    checkpoint,
    mode,
    tokenId: token.tokenId,
    validFrom: sec(token.notBefore ?? token.issuedAt),
    validUntil: sec(token.expiresAt)
  }
}

/** Evaluate CertLogic `logic` on `data`, the whole rule validated first; CertLogicError for an
 * invalid rule or an evaluation error. */
export function evaluate (logic, data) {
  const problems = validate(logic)
  if (problems.length) {
    const p = problems[0]
    throw new CertLogicError(`invalid rule: ${p.message || p}`)
  }
  try {
    return certlogicEvaluate(logic, data)
  } catch (exc) {
    throw new CertLogicError(exc && exc.message)
  }
}

/** Whether a rule passes: its logic evaluates to exactly true (an error fails it). */
export function passes (rule, data) {
  try {
    return evaluate(rule.logic, data) === true
  } catch {
    return false
  }
}

function text (v) {
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

function shown (rules, claims) {
  const out = {}
  for (const rule of rules) {
    for (const name of rule.shows || []) {
      const value = claims[name]
      if (name in out || value === null || value === undefined) continue
      out[name] = Array.isArray(value) ? value.map(text).join(', ') : text(value)
    }
  }
  return out
}

/**
 * core.rules.evaluate: VALID when every rule passes; else the first failing INVALID rule's
 * reason; WARN with the first failing WARN rule's reason when only WARN rules fail.
 * `rules`: [{id, logic, reason, severity ('INVALID' | 'WARN'), shows: [claim names]}].
 * Returns {verdict, reason, fields}.
 */
export function evaluateRules (rules, claims, ctx, { used = false } = {}) {
  const isMap = claims !== null && typeof claims === 'object' && !Array.isArray(claims)
  const fields = isMap ? shown(rules, claims) : {}
  let data = null
  try {
    data = context(claims, ctx, { used })
  } catch {
    data = null // claims no rule can read: every rule fails
  }
  let warning = null
  for (const rule of rules) {
    if (data !== null && passes(rule, data)) continue
    if ((rule.severity || 'INVALID') === 'INVALID') {
      return { verdict: 'INVALID', reason: rule.reason, fields }
    }
    warning = warning || rule
  }
  if (warning) return { verdict: 'WARN', reason: warning.reason, fields }
  return { verdict: 'VALID', reason: VALID_REASON, fields }
}
