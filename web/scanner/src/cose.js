// COSE_Sign1 (RFC 9052) as core/qr/cose.py reads it: a tag-18 array [protected bstr,
// unprotected map, payload bstr, signature bstr], optionally inside the CWT tag 61, or untagged;
// `alg` (label 1) and `kid` (label 4) from the protected header, else the unprotected one.
// Signatures: EdDSA (Ed25519, @noble/ed25519), ES256 and PS256 (WebCrypto) for foreign HCERT
// signers, as core/qr/cose.py `verify_signature`.
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { CborError, Tag, isBytes, isDict, isMapping, loads, pyGet } from './cbor.js'

ed.hashes.sha512 = sha512

export const ALGS = { EdDSA: -8, ES256: -7, PS256: -37 }
export const ALG_NAMES = { '-8': 'EdDSA', '-7': 'ES256', '-37': 'PS256' }
export const HDR_ALG = 1
export const HDR_KID = 4
export const TAG_SIGN1 = 18
export const TAG_CWT = 61

export class CoseError extends Error {
  constructor (message) {
    super(message)
    this.name = 'CoseError'
  }
}

/** A parsed, not yet verified, COSE_Sign1. */
export class Sign1 {
  constructor (protectedRaw, protectedHeader, unprotected, payload, signature) {
    this.protectedRaw = protectedRaw
    this.protected = protectedHeader
    this.unprotected = unprotected
    this.payload = payload
    this.signature = signature
  }

  /** alg from the protected header, else the unprotected one (null when neither has one). */
  get alg () {
    let alg = pyGet(this.protected, HDR_ALG)
    if (alg === null) alg = pyGet(this.unprotected, HDR_ALG)
    return alg
  }

  /** kid (bytes) from the protected header, else the unprotected one; null when not bytes. */
  get kid () {
    let kid = pyGet(this.protected, HDR_KID)
    if (kid === null) kid = pyGet(this.unprotected, HDR_KID)
    return isBytes(kid) ? kid : null
  }
}

function isTag (obj, n) {
  return obj instanceof Tag && (obj.tag === n || obj.tag === BigInt(n))
}

/** Parse a COSE_Sign1; CoseError on anything that is not one (never other exceptions). */
export function parseSign1 (data) {
  let obj
  try {
    obj = loads(data)
  } catch (exc) {
    throw new CoseError(`CBOR: ${exc.message}`)
  }
  if (isTag(obj, TAG_CWT)) obj = obj.value
  if (obj instanceof Tag) {
    if (!isTag(obj, TAG_SIGN1)) throw new CoseError(`unexpected CBOR tag ${obj.tag}`)
    obj = obj.value
  }
  if (!Array.isArray(obj) || obj.length !== 4) throw new CoseError('COSE_Sign1 must be an array of 4')
  const [protRaw, unprot, payload, sig] = obj
  if (!(isBytes(protRaw) && isBytes(payload) && isBytes(sig))) {
    throw new CoseError('protected, payload and signature must be byte strings')
  }
  if (!isMapping(unprot)) throw new CoseError('unprotected header must be a map')
  let prot = new Map()
  if (protRaw.length) {
    try {
      prot = loads(protRaw)
    } catch (exc) {
      throw new CoseError(`protected header CBOR: ${exc instanceof CborError ? exc.message : exc}`)
    }
    if (!isDict(prot)) throw new CoseError('protected header must be a map')
  }
  return new Sign1(protRaw, prot, unprot, payload, sig)
}

function bstrHead (n) {
  if (n < 24) return [0x40 | n]
  if (n < 0x100) return [0x58, n]
  if (n < 0x10000) return [0x59, n >> 8, n & 0xff]
  return [0x5a, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
}

const SIGNATURE1 = [0x84, 0x6a, ...new TextEncoder().encode('Signature1')]

/** ["Signature1", protected, external_aad, payload] as CBOR: the bytes signed. */
export function sigStructure (protectedRaw, payload, externalAad = new Uint8Array(0)) {
  const parts = [
    SIGNATURE1, bstrHead(protectedRaw.length), protectedRaw,
    bstrHead(externalAad.length), externalAad, bstrHead(payload.length), payload
  ]
  let size = 0
  for (const p of parts) size += p.length
  const out = new Uint8Array(size)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/**
 * Whether `signature` over `tbs` verifies under the key of a trust entry with COSE `alg`.
 * `key` is {type: 'Ed25519', raw} or {type: 'ES256' | 'PS256', cryptoKey}. Never throws.
 */
export async function verifySignature (alg, key, signature, tbs) {
  try {
    const a = typeof alg === 'bigint' ? Number(alg) : alg
    if (a === -8 && key.type === 'Ed25519') {
      return signature.length === 64 && ed.verify(signature, tbs, key.raw, { zip215: false })
    }
    if (a === -7 && key.type === 'ES256' && key.cryptoKey) {
      if (signature.length !== 64) return false
      return await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' }, key.cryptoKey, signature, tbs)
    }
    if (a === -37 && key.type === 'PS256' && key.cryptoKey) {
      // Python accepts any salt length (PSS.AUTO); WebCrypto needs one: the hash length
      // (what HCERT issuers use), then the largest possible.
      const emLen = Math.ceil((key.cryptoKey.algorithm.modulusLength - 1) / 8)
      for (const saltLength of [32, emLen - 32 - 2]) {
        if (await crypto.subtle.verify({ name: 'RSA-PSS', saltLength }, key.cryptoKey, signature, tbs)) {
          return true
        }
      }
      return false
    }
  } catch {
    return false
  }
  return false
}
