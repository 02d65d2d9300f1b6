// Test harness for the built scanner library (core/web/assets/scanner/scanner.js): the
// Python tests drive these functions through page.evaluate.
import * as scanner from '/scanner/scanner.js'

const b64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

// Verify many texts in one call: {trusts: [trust dict], revoked: [ids], cases: [{text, trust,
// now (ms), prefixes, leeway (s)}]} -> [verdict].
async function verifyAll ({ trusts, revoked = [], cases }) {
  const lists = await Promise.all(trusts.map((t) => scanner.TrustList.fromDict(t)))
  const ids = new Set(revoked)
  const out = []
  for (const c of cases) {
    out.push(await scanner.verify(c.text, {
      trust: lists[c.trust || 0],
      revoked: ids,
      now: c.now,
      expectedPrefixes: c.prefixes === undefined ? null : c.prefixes,
      leeway: c.leeway || 0
    }))
  }
  return out
}

// Time `rounds` verifications of each text (ms per token), with `revokedCount` ids loaded.
async function timeVerify ({ trust, texts, revoked, now, prefixes, rounds = 1 }) {
  const list = await scanner.TrustList.fromDict(trust)
  const ids = new Set(revoked)
  const reasons = {}
  for (const text of texts.slice(0, 20)) { // warm up
    await scanner.verify(text, { trust: list, revoked: ids, now, expectedPrefixes: prefixes })
  }
  const t0 = performance.now()
  for (let r = 0; r < rounds; r++) {
    for (const text of texts) {
      const v = await scanner.verify(text, { trust: list, revoked: ids, now, expectedPrefixes: prefixes })
      reasons[v.reason] = (reasons[v.reason] || 0) + 1
    }
  }
  return { msPerToken: (performance.now() - t0) / (texts.length * rounds), reasons, revoked: ids.size }
}

// Every shared rule case through the JavaScript evaluator, and `external` recomputed from the
// case's validationClock by scanner.context.
function evaluateCases (cases) {
  return cases.map((c) => {
    let result, error
    try {
      result = scanner.evaluate(c.logic, c.data)
    } catch (exc) {
      error = String(exc && exc.message)
    }
    const ext = c.data.external
    const built = scanner.context(c.data.payload, {
      now: Date.parse(ext.validationClock),
      zone: ext.zone,
      checkpoint: ext.checkpoint,
      mode: ext.mode,
      tokenId: ext.token_id,
      validFrom: ext.valid_from === null ? null : Date.parse(ext.valid_from),
      validUntil: ext.valid_until === null ? null : Date.parse(ext.valid_until)
    }, { used: ext.used })
    return { result: result === undefined ? null : result, error, external: built.external }
  })
}

// Raw CertLogic: [{logic, data}] -> [{result, error}] (results as JSON).
function evaluateRaw (items) {
  return items.map(({ logic, data }) => {
    try {
      const result = scanner.evaluate(logic, data)
      return { result: result === undefined ? null : JSON.parse(JSON.stringify(result)), error: null }
    } catch (exc) {
      return { result: null, error: String(exc && exc.message) }
    }
  })
}

// core.rules.evaluate's verdicts: [{rules, claims, ctx, used}] -> [{verdict, reason, fields}].
function evaluateRuleSets (items) {
  return items.map(({ rules, claims, ctx, used }) => scanner.evaluateRules(rules, claims, ctx, { used }))
}

// Decode a PNG (base64) as one camera frame would be: drawn to a canvas, read as ImageData.
async function decodePng (pngBase64) {
  const bitmap = await createImageBitmap(new Blob([b64(pngBase64)], { type: 'image/png' }))
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
  const ctx = canvas.getContext('2d')
  ctx.drawImage(bitmap, 0, 0)
  const t0 = performance.now()
  const codes = await scanner.decodeImageData(ctx.getImageData(0, 0, bitmap.width, bitmap.height))
  return { codes: codes.map((c) => ({ text: c.text, format: c.format })), ms: performance.now() - t0 }
}

// The camera: getUserMedia -> <video> -> canvas frames -> decoder, continuously. The test
// video marks each segment with a grey square in its top-left corner (grey = 40 * (code + 1),
// 220 between codes); a frame callback of its own notes when each segment's first frame is
// shown, the decoder notes when each code is read.
const camera = { segments: [], reads: [], frames: 0, decoded: 0, error: null }

function markerOf (video, probe) {
  const ctx = probe.getContext('2d', { willReadFrequently: true })
  ctx.drawImage(video, 12, 12, 16, 16, 0, 0, 4, 4)
  const d = ctx.getImageData(0, 0, 4, 4).data
  let sum = 0
  for (let i = 0; i < d.length; i += 4) sum += d[i + 1]
  const grey = sum / (d.length / 4)
  return grey > 200 ? -1 : Math.round(grey / 40) - 1
}

async function startCamera () {
  const video = document.getElementById('video')
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' }, width: 640, height: 480 }, audio: false
    })
    video.srcObject = stream
    await video.play()
  } catch (exc) {
    camera.error = String(exc)
    return camera
  }
  const probe = document.createElement('canvas')
  probe.width = probe.height = 4
  let current = null
  const onVideoFrame = (now) => {
    camera.frames++
    const segment = markerOf(video, probe)
    if (segment !== current) {
      current = segment
      camera.segments.push({ segment, at: now })
    }
    video.requestVideoFrameCallback(onVideoFrame)
  }
  video.requestVideoFrameCallback(onVideoFrame)
  camera.stop = scanner.scanVideo(video, (codes) => {
    const at = performance.now()
    for (const c of codes) camera.reads.push({ text: c.text, at })
  }, {
    canvas: document.getElementById('frame'),
    onFrame: () => { camera.decoded++ }
  })
  return { started: true }
}

function cameraLog () {
  return { segments: camera.segments, reads: camera.reads, frames: camera.frames, decoded: camera.decoded, error: camera.error }
}

Object.assign(window, {
  scanner, verifyAll, timeVerify, evaluateCases, evaluateRaw, evaluateRuleSets, decodePng, startCamera, cameraLog
})
window.harnessReady = true
