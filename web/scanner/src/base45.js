// Base45 (RFC 9285), strict as core/qr/codec.py: an unknown character, a dangling single
// character, or a triplet/pair whose value does not fit in 16/8 bits is an error.
// (The npm base45 packages checked, base45 and base45-js, accept all three.)

export const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'

export class CodecError extends Error {
  constructor (message) {
    super(message)
    this.name = 'CodecError'
  }
}

const DIGIT = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i

/** Strictly decode base45 text to bytes; throws CodecError on any malformed input. */
export function b45decode (text) {
  const n = text.length
  const digits = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c > 127) throw new CodecError('non-ASCII character in base45')
    const d = DIGIT[c]
    if (d < 0) throw new CodecError('character outside the base45 alphabet')
    digits[i] = d
  }
  const rest = n % 3
  if (rest === 1) throw new CodecError('base45 length leaves a single character')
  const full = n - rest
  const out = new Uint8Array((full / 3) * 2 + (rest ? 1 : 0))
  let o = 0
  for (let i = 0; i < full; i += 3) {
    const v = digits[i] + 45 * digits[i + 1] + 2025 * digits[i + 2]
    if (v > 0xffff) throw new CodecError('base45 triplet exceeds 16 bits')
    out[o++] = v >> 8
    out[o++] = v & 0xff
  }
  if (rest) {
    const v = digits[full] + 45 * digits[full + 1]
    if (v > 0xff) throw new CodecError('base45 pair exceeds 8 bits')
    out[o] = v
  }
  return out
}

/** Base45-encode bytes (used by tests and tools; tokens are issued by the server). */
export function b45encode (bytes) {
  let out = ''
  const n = bytes.length & ~1
  for (let i = 0; i < n; i += 2) {
    const v = (bytes[i] << 8) | bytes[i + 1]
    out += ALPHABET[v % 45] + ALPHABET[Math.floor(v / 45) % 45] + ALPHABET[Math.floor(v / 2025)]
  }
  if (bytes.length & 1) {
    const v = bytes[bytes.length - 1]
    out += ALPHABET[v % 45] + ALPHABET[Math.floor(v / 45)]
  }
  return out
}
