// The phone checkpoint's verifier library: one bundle (core/web/assets/scanner/scanner.js).
export { ALPHABET, CodecError, b45decode, b45encode } from './base45.js'
export { MAX_INFLATED, inflate } from './zlib.js'
export { CborError, MAX_DEPTH, loads, toJson } from './cbor.js'
export { ALGS, CoseError, Sign1, parseSign1, sigStructure, verifySignature } from './cose.js'
export { TrustEntry, TrustError, TrustList } from './trust.js'
export { FOREIGN_PREFIXES, MAX_TOKEN_CHARS, Reason, verify } from './verify.js'
export { CertLogicError, checkContext, context, evaluate, evaluateRules, iso, passes } from './rules.js'
export { READER_OPTIONS, decodeImageData, grabFrame, prepareDecoder, scanVideo } from './decode.js'
