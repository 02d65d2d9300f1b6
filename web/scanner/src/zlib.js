// zlib inflate with the limits and strictness of core/qr/codec.py `inflate`, on pako's port of
// zlib itself, so a stream is accepted exactly when Python's zlib accepts it (stored-block
// lengths, Huffman tables, Adler-32, a preset dictionary, input left over), with the same
// 16 KB output cap (a zip bomb stops there) and the same canonical-padding checks.
import {
  ZStream,
  Z_BUF_ERROR,
  Z_OK,
  Z_STREAM_END,
  Z_SYNC_FLUSH,
  zlibInflate,
  zlibInflateEnd,
  zlibInflateInit
} from 'pako'
import { CodecError } from './base45.js'

/** Largest inflated payload accepted, as codec.MAX_INFLATED. */
export const MAX_INFLATED = 16 * 1024

// One zlib.decompressobj().decompress(data, limit) call, as CPython runs it: one inflate()
// with `limit` bytes of output space and Z_SYNC_FLUSH.
function decompress (data, limit) {
  const strm = new ZStream()
  zlibInflateInit(strm)
  strm.input = data
  strm.next_in = 0
  strm.avail_in = data.length
  strm.output = new Uint8Array(limit)
  strm.next_out = 0
  strm.avail_out = limit
  const status = zlibInflate(strm, Z_SYNC_FLUSH)
  zlibInflateEnd(strm)
  return {
    status,
    out: strm.output.subarray(0, strm.next_out),
    left: strm.avail_in,
    msg: strm.msg
  }
}

/** zlib-decompress at most `limit` bytes; CodecError if broken, truncated or larger. */
export function inflate (data, limit = MAX_INFLATED) {
  const r = decompress(data, limit)
  if (r.status !== Z_OK && r.status !== Z_BUF_ERROR && r.status !== Z_STREAM_END) {
    throw new CodecError(`zlib: ${r.msg || 'error ' + r.status}`)
  }
  const eof = r.status === Z_STREAM_END
  if (!eof && r.left) throw new CodecError('inflated payload exceeds limit')
  if (!eof) throw new CodecError('zlib stream truncated')
  if (r.left) throw new CodecError('trailing data after zlib stream')
  const out = r.out
  const n = data.length
  if (n > 6) {
    if (((data[2] >> 1) & 3) === 0 && data[2] >> 3) {
      throw new CodecError('non-zero padding bits in a stored deflate block header')
    }
    if (data[n - 5] && sameWithoutTopBit(data, out)) {
      throw new CodecError('non-zero padding bits at the end of the deflate stream')
    }
  }
  return out
}

// Whether clearing the highest set bit of the last deflate byte still inflates to `out`
// (then that bit was padding, which zlib ignores: the stream is not canonical).
function sameWithoutTopBit (data, out) {
  const n = data.length
  const cleared = data.slice()
  const last = data[n - 5]
  cleared[n - 5] = last & ~(1 << (31 - Math.clz32(last)))
  const r = decompress(cleared, out.length + 1)
  if (r.status !== Z_STREAM_END || r.left) return false
  if (r.out.length !== out.length) return false
  for (let i = 0; i < out.length; i++) if (r.out[i] !== out[i]) return false
  return true
}
