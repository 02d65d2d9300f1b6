// CBOR decoding (cborg) that yields what Python's cbor2 yields, as far as the verifier's checks
// can tell: the server (core/qr) decodes with cbor2 and the phone must reach the same verdict
// on the same bytes, hostile ones included. cborg does the decoding; this module only adds
// what cbor2 does differently:
// - integers and floats stay apart (cbor2: int vs float; JavaScript has one number type):
//   a float is a PyFloat, so `alg = -8.0` is not the integer -8;
// - indefinite-length byte and text strings, simple values (cborg refuses them; cbor2 reads
//   them), strict UTF-8 with a leading BOM kept, `undefined` distinct from null;
// - cbor2's nesting limit (400 arrays, maps and tags);
// - every tag: cbor2's semantic tags (datetime, bignum, decimal, set, ...) decoded or refused
//   as cbor2 does, the self-describe tag 55799 transparent, any other tag a Tag;
// - maps are Maps; a map inside a tag is "frozen" (cbor2's frozendict, which is not a dict).
// Trailing bytes after the first item are ignored, as cbor2.loads does.
import { Token, Tokenizer, Type, decodeFirst } from 'cborg'

/** cbor2's default max_depth. */
export const MAX_DEPTH = 400

export class CborError extends Error {
  constructor (message) {
    super(message)
    this.name = 'CborError'
  }
}

/** A CBOR float (Python float), kept apart from integers. */
export class PyFloat {
  constructor (value) { this.value = value }
}

/** A CBOR simple value other than false/true/null/undefined (cbor2.CBORSimpleValue). */
export class Simple {
  constructor (value) { this.value = value }
}

/** An unknown tag (cbor2.CBORTag). */
export class Tag {
  constructor (tag, value) {
    this.tag = tag
    this.value = value
  }
}

/** A value cbor2 turns into some other Python object (datetime, Decimal, UUID, set, ...). */
export class PyObject {
  constructor (kind, value) {
    this.kind = kind
    this.value = value
  }
}

/** CBOR undefined (cbor2.undefined: not None). */
export const UNDEFINED = Object.freeze({ undefined: true })

const FROZEN = new WeakSet()
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

// -- Python's view of a decoded value ---------------------------------------------------------

/** isinstance(x, int): integers (number or bigint) and booleans. */
export function isInt (x) {
  return (typeof x === 'number' && Number.isInteger(x)) || typeof x === 'bigint' ||
    typeof x === 'boolean'
}

/** isinstance(x, bytes) */
export function isBytes (x) {
  return x instanceof Uint8Array
}

/** isinstance(x, Mapping): dict or frozendict. */
export function isMapping (x) {
  return x instanceof Map
}

/** isinstance(x, dict): a map not decoded inside a tag. */
export function isDict (x) {
  return x instanceof Map && !FROZEN.has(x)
}

/** The number x equals in Python's `x == n` for an int n (int, bool, float, simple value). */
function asNumber (x) {
  if (typeof x === 'number') return x
  if (typeof x === 'boolean') return x ? 1 : 0
  if (typeof x === 'bigint') return x
  if (x instanceof PyFloat) return x.value
  if (x instanceof Simple) return x.value // CBORSimpleValue(4) == 4 in cbor2
  return undefined
}

/** Python's `key == n` for an integer n. */
export function keyEquals (key, n) {
  const v = asNumber(key)
  if (v === undefined) return false
  if (typeof v === 'bigint') return v === BigInt(n)
  return v === n
}

// Python's `a == b` for two numeric keys (int, bool, float, simple value): a simple value
// equals an int of its value but no float (cbor2's CBORSimpleValue.__eq__).
function numericEquals (a, b) {
  const x = asNumber(a)
  const y = asNumber(b)
  if ((a instanceof Simple && b instanceof PyFloat) || (a instanceof PyFloat && b instanceof Simple)) {
    return false
  }
  return x == y // loose on purpose: a number and a bigint compare by value
}

// The numeric keys of a map as a Python dict holds them: equal keys merged into the first
// (which keeps its place and takes the last value).
function numericEntries (map) {
  const out = []
  for (const [k, v] of map) {
    if (asNumber(k) === undefined) continue
    const same = out.find((e) => numericEquals(e[0], k))
    if (same) same[1] = v
    else out.push([k, v])
  }
  return out
}

/** dict.get(n) for an integer key n (None -> null). */
export function pyGet (map, n) {
  const hit = numericEntries(map).find((e) => keyEquals(e[0], n))
  return hit ? hit[1] : null
}

/** `n in dict` for an integer key n. */
export function pyHas (map, n) {
  for (const k of map.keys()) if (keyEquals(k, n)) return true
  return false
}

function freeze (value, depth = 0) {
  if (depth > MAX_DEPTH + 2) return
  if (value instanceof Map) {
    FROZEN.add(value)
    for (const [k, v] of value) {
      freeze(k, depth + 1)
      freeze(v, depth + 1)
    }
  } else if (Array.isArray(value)) {
    for (const v of value) freeze(v, depth + 1)
  } else if (value instanceof Tag) {
    freeze(value.value, depth + 1)
  }
}

// -- the tokenizer: cborg's, with cbor2's extras ----------------------------------------------

const HEAD = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 5, 9]

class PyTokenizer extends Tokenizer {
  constructor (data, options) {
    super(data, options)
    this.open = [] // items still expected by each open container
  }

  next () {
    const data = this.data
    const start = this.pos()
    const lead = data[start]
    let token
    if (lead === 0x5f || lead === 0x7f) {
      token = this.indefiniteString(lead)
    } else if (lead >= 0xe0 && lead <= 0xf3) {
      token = new Token(Type.float, new Simple(lead - 0xe0), 1)
      this._pos += 1
    } else if (lead === 0xf8) {
      if (start + 1 >= data.length) throw new CborError('premature end of stream')
      if (data[start + 1] < 32) throw new CborError('invalid two-byte simple value')
      token = new Token(Type.float, new Simple(data[start + 1]), 2)
      this._pos += 2
    } else {
      token = super.next()
      if (token.type === Type.float) {
        token = new Token(Type.float, new PyFloat(token.value), token.encodedLength)
      } else if (token.type === Type.undefined) {
        token = new Token(Type.float, UNDEFINED, 1)
      } else if (token.type === Type.string && (lead & 31) < 28) {
        const body = data.subarray(start + HEAD[lead & 31], start + token.encodedLength)
        if ((body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) ||
            token.value.includes('\uFFFD')) {
          token = new Token(Type.string, this.text(body), token.encodedLength)
        }
      }
    }
    this.track(token)
    return token
  }

  text (bytes) {
    try {
      return UTF8.decode(bytes)
    } catch {
      throw new CborError('error decoding text string')
    }
  }

  // Chunks of one major type until a break, as cbor2 reads them.
  indefiniteString (lead) {
    const major = lead >> 5
    this._pos += 1
    const chunks = []
    let size = 0
    for (;;) {
      if (this.done()) throw new CborError('premature end of stream')
      const b = this.data[this.pos()]
      if (b === 0xff) {
        this._pos += 1
        break
      }
      if (b >> 5 !== major || (b & 31) === 31) {
        throw new CborError('bad chunk in an indefinite length string')
      }
      const chunk = super.next()
      const bytes = major === 2 ? chunk.value : this.data.subarray(
        this.pos() - chunk.encodedLength + HEAD[b & 31], this.pos())
      chunks.push(bytes)
      size += bytes.length
    }
    const all = new Uint8Array(size)
    let o = 0
    for (const c of chunks) {
      all.set(c, o)
      o += c.length
    }
    if (major === 2) return new Token(Type.bytes, all, 1)
    for (const c of chunks) this.text(c) // cbor2 decodes each chunk on its own
    return new Token(Type.string, this.text(all), 1)
  }

  // cbor2's max_depth (a container with items to read may not open 401 levels deep), and
  // cbor2's refusal of a break where an item is due (cborg takes one as a map value).
  track (token) {
    const open = this.open
    const top = open.length ? open[open.length - 1] : null
    if (token.type === Type.break) {
      if (top === null || top.left !== Infinity || (top.map && top.seen % 2)) {
        throw new CborError('break code encountered where a data item was expected')
      }
      open.pop()
    } else if (top !== null) {
      top.left -= 1
      top.seen += 1
    }
    let items = 0
    if (token.type === Type.array) items = token.value
    else if (token.type === Type.map) items = token.value * 2
    else if (token.type === Type.tag) items = 1
    if (items > 0) {
      open.push({ left: items, seen: 0, map: token.type === Type.map })
      if (open.length > MAX_DEPTH) {
        throw new CborError(`maximum container nesting depth (${MAX_DEPTH}) exceeded`)
      }
    } else {
      while (open.length && open[open.length - 1].left === 0) open.pop()
    }
  }
}

// -- tags -------------------------------------------------------------------------------------

function fail (what) {
  throw new CborError(`error decoding ${what}`)
}

function bigint (bytes) {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

function plainInt (x) {
  return (typeof x === 'number' && Number.isInteger(x)) || typeof x === 'bigint'
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function validDate (y, m, d) {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  return d <= (m === 2 && leap ? 29 : DAYS[m - 1])
}

const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d*)?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)$/

const MIN_EPOCH = -62135596800 // 0001-01-01T00:00:00Z
const MAX_EPOCH = 253402300799 // 9999-12-31T23:59:59Z

function epochNumber (x) {
  if (typeof x === 'boolean') return x ? 1 : 0
  if (typeof x === 'number') return x
  if (typeof x === 'bigint') {
    return x >= BigInt(MIN_EPOCH) && x <= BigInt(MAX_EPOCH) ? Number(x) : NaN
  }
  if (x instanceof PyFloat) return x.value
  return undefined
}

/** cbor2's semantic decoders; `undefined` for a tag cbor2 keeps as a CBORTag. */
function semantic (tag, v, ctx) {
  switch (tag) {
    case 0: {
      const m = typeof v === 'string' && DATETIME.exec(v)
      if (!m || !validDate(+m[1], +m[2], +m[3]) || +m[4] > 23 || +m[5] > 59 ||
          (m[6] !== undefined && +m[6] > 59) || (m[7] !== undefined && +m[7] > 23) ||
          (m[8] !== undefined && +m[8] > 59)) fail('string-form datetime')
      return new PyObject('datetime', v)
    }
    case 1: {
      const t = epochNumber(v)
      if (t === undefined || !(t >= MIN_EPOCH && t < MAX_EPOCH + 1)) fail('epoch-form datetime')
      return new PyObject('datetime', t)
    }
    case 2:
    case 3: {
      if (!isBytes(v)) fail('bignum')
      const n = bigint(v)
      const value = tag === 2 ? n : -1n - n
      return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value
    }
    case 4:
    case 5:
      if (!Array.isArray(v) || v.length !== 2 || !plainInt(v[0]) || !plainInt(v[1]) ||
          (typeof v[0] === 'bigint' && (v[0] > 2n ** 63n - 1n || v[0] < -(2n ** 63n)))) {
        fail(tag === 4 ? 'decimal fraction' : 'bigfloat')
      }
      return new PyObject('Decimal', v)
    case 25:
      fail('string reference')
      break
    case 30:
      if (!Array.isArray(v) || v.length !== 2 || !isInt(v[0]) || !isInt(v[1]) ||
          asNumber(v[1]) == 0) fail('rational')
      return new PyObject('Fraction', v)
    case 35: // re.compile(): text, bytes or a pattern already compiled
      if (typeof v !== 'string' && !isBytes(v) && !(v instanceof PyObject && v.kind === 'Pattern')) {
        fail('regular expression')
      }
      return new PyObject('Pattern', v)
    case 36:
      if (typeof v !== 'string' && v !== null) fail('MIME message')
      return new PyObject('Message', v)
    case 37:
      if (!isBytes(v) || v.length !== 16) fail('UUID')
      return new PyObject('UUID', v)
    case 52:
    case 54: {
      const size = tag === 52 ? 4 : 16
      if (isBytes(v) && v.length === size) return new PyObject('IPAddress', v)
      if (Array.isArray(v) && v.length === 2) {
        if (plainInt(v[0]) && isBytes(v[1]) && v[1].length <= size) {
          return new PyObject('IPNetwork', v)
        }
        if (isBytes(v[0]) && v[0].length === size && plainInt(v[1])) {
          return new PyObject('IPInterface', v)
        }
      }
      fail('IP address')
      break
    }
    case 100:
      if (!isInt(v) || !(asNumber(v) >= -719162 && asNumber(v) <= 2932896)) {
        fail('epoch-form date')
      }
      return new PyObject('date', v)
    case 258:
      if (!Array.isArray(v)) fail('set')
      return new PyObject('set', v)
    case 260:
      if (isBytes(v) && (v.length === 4 || v.length === 16)) return new PyObject('IPAddress', v)
      if (isBytes(v) && v.length === 6) return undefined // a MAC address stays a CBORTag
      fail('IP address')
      break
    case 261: {
      if (!(v instanceof Map) || v.size !== 1) fail('IP network')
      const [[addr, prefix]] = v
      if (!isBytes(addr) || !plainInt(prefix) || !((addr.length === 4 && prefix <= 32) ||
          (addr.length === 16 && prefix <= 128))) fail('IP network')
      return new PyObject('IPNetwork', v)
    }
    case 1004: {
      const m = typeof v === 'string' && /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v)
      if (!m || (v.length !== 10 && v.length !== 8) || !validDate(+m[1], +m[2], +m[3])) {
        fail('string-form date')
      }
      return new PyObject('date', v)
    }
  }
  return undefined
}

const PENDING = Symbol('pending')

function tagDecoders () {
  const shared = []
  const decoderFor = (tag) => (decode) => {
    if (tag === 28) { // shareable: its index is taken before its content is read
      const index = shared.length
      shared.push(PENDING)
      const value = decode()
      shared[index] = value
      return value
    }
    const value = decode()
    if (tag === 256) return value // string-ref namespace
    if (tag === 29) {
      if (!plainInt(value) || value < 0 || value >= shared.length) {
        throw new CborError(`shared reference ${value} not found`)
      }
      return shared[Number(value)] === PENDING ? new PyObject('shared', value) : shared[Number(value)]
    }
    freeze(value) // cbor2 decodes a tag's content immutable: maps become frozendicts
    if (tag === 55799) return value // self-describe
    const out = semantic(tag, value)
    return out === undefined ? new Tag(tag, value) : out
  }
  return new Proxy({}, {
    get (_, key) {
      if (typeof key !== 'string' || !/^\d+$/.test(key)) return undefined
      const n = Number(key)
      return decoderFor(Number.isSafeInteger(n) ? n : BigInt(key))
    }
  })
}

// -- entry point ------------------------------------------------------------------------------

/**
 * cbor2.loads(data): the first item of `data` (trailing bytes ignored); CborError on anything
 * cbor2 would refuse.
 */
export function loads (data) {
  if (!(data instanceof Uint8Array)) throw new CborError('data must be bytes')
  const options = {
    strict: false,
    allowIndefinite: true,
    allowUndefined: true,
    allowNaN: true,
    allowInfinity: true,
    allowBigInt: true,
    useMaps: true,
    rejectDuplicateMapKeys: false,
    tags: tagDecoders()
  }
  options.tokenizer = new PyTokenizer(data, options)
  try {
    return decodeFirst(data, options)[0]
  } catch (exc) {
    if (exc instanceof CborError) throw exc
    throw new CborError(`CBOR: ${exc && exc.message}`)
  }
}

/** A decoded value as JSON-able data, the way core/rules.py `_json` writes claims (string
 * keys, bytes as hex); no depth limit here (the rules apply theirs). */
export function toJson (value) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') {
    return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value
  }
  if (value instanceof PyFloat) return value.value
  if (value instanceof Map) {
    const out = {}
    for (const [k, v] of value) {
      const key = pyStr(k)
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: toJson(v), enumerable: true, writable: true, configurable: true })
      } else {
        out[key] = toJson(v)
      }
    }
    return out
  }
  if (Array.isArray(value)) return value.map(toJson)
  if (isBytes(value)) return hex(value)
  return pyStr(value)
}

// Python's repr of bytes: b'...'
function bytesRepr (bytes) {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'"
  let s = 'b' + quote
  for (const b of bytes) {
    if (b === 0x5c || b === quote.charCodeAt(0)) s += '\\' + String.fromCharCode(b)
    else if (b === 9) s += '\\t'
    else if (b === 10) s += '\\n'
    else if (b === 13) s += '\\r'
    else if (b >= 32 && b < 127) s += String.fromCharCode(b)
    else s += '\\x' + b.toString(16).padStart(2, '0')
  }
  return s + quote
}

export function hex (bytes) {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

/** str(x) for the keys and odd values claims may hold (approximate for exotic objects). */
export function pyStr (x) {
  if (typeof x === 'string') return x
  if (typeof x === 'number' || typeof x === 'bigint') return String(x)
  if (typeof x === 'boolean') return x ? 'True' : 'False'
  if (x === null) return 'None'
  if (x === UNDEFINED) return 'undefined'
  if (x instanceof PyFloat) {
    const v = x.value
    if (Number.isNaN(v)) return 'nan'
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf'
    return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v)
  }
  if (x instanceof Simple) return String(x.value)
  if (isBytes(x)) return bytesRepr(x)
  if (x instanceof Tag) return `CBORTag(${x.tag}, ...)`
  if (x instanceof PyObject) return `${x.kind}(...)`
  return String(x)
}
