// QR decoding in the browser with zxing-wasm (the WebAssembly build of zxing-cpp, which the
// server's decoder also uses). The .wasm file is loaded from our own origin, beside the
// bundle, never from zxing-wasm's default CDN.
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader'

export const WASM_FILE = 'zxing_reader.wasm'

/** Reader options for checkpoint codes: QR only, at most a few per frame. */
export const READER_OPTIONS = Object.freeze({
  formats: ['QRCode'],
  tryHarder: true,
  tryInvert: false,
  maxNumberOfSymbols: 4
})

let ready = null

/**
 * Load the decoder once, from `wasmUrl` (default: zxing_reader.wasm next to this script).
 * Resolves when frames can be decoded.
 */
export function prepareDecoder (wasmUrl = new URL(WASM_FILE, import.meta.url).href) {
  if (ready === null) {
    ready = prepareZXingModule({
      overrides: {
        locateFile: (path, prefix) => (path.endsWith('.wasm') ? wasmUrl : prefix + path)
      },
      fireImmediately: true
    }).catch((exc) => {
      ready = null
      throw exc
    })
  }
  return ready
}

/**
 * The codes in one frame (an ImageData): [{text, format, position, bytes}], an empty list
 * when there is none.
 */
export async function decodeImageData (imageData, options = READER_OPTIONS) {
  await prepareDecoder()
  const results = await readBarcodes(imageData, options)
  return results
    .filter((r) => r.isValid && r.text)
    .map((r) => ({ text: r.text, format: r.format, position: r.position, bytes: r.bytes }))
}

/** The current frame of a <video> as ImageData, drawn through `canvas` (created if absent). */
export function grabFrame (video, canvas = document.createElement('canvas')) {
  const w = video.videoWidth
  const h = video.videoHeight
  if (!w || !h) return null
  if (canvas.width !== w) canvas.width = w
  if (canvas.height !== h) canvas.height = h
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  ctx.drawImage(video, 0, 0, w, h)
  return ctx.getImageData(0, 0, w, h)
}

/**
 * Decode a playing <video> continuously: each new frame (one at a time; frames that arrive
 * while one is being decoded are skipped) goes to `onFrame(imageData, t)` first when given,
 * then through the decoder; `onCodes(codes, imageData, t)` is called for every frame with at
 * least one code; `onError(error)` if the decoder cannot be loaded or fails on a frame.
 * Returns a function that stops the loop.
 */
export function scanVideo (video, onCodes, { canvas, onFrame, onError, options = READER_OPTIONS } = {}) {
  let stopped = false
  let busy = false
  const perFrame = typeof video.requestVideoFrameCallback === 'function'
  const schedule = () => {
    if (stopped) return
    if (perFrame) video.requestVideoFrameCallback(tick)
    else requestAnimationFrame(tick)
  }
  const tick = async () => {
    if (stopped) return
    if (busy) return schedule()
    busy = true
    schedule()
    try {
      const t = performance.now()
      const frame = grabFrame(video, canvas)
      if (frame) {
        if (onFrame) onFrame(frame, t)
        const codes = await decodeImageData(frame, options)
        if (codes.length && !stopped) onCodes(codes, frame, t)
      }
    } catch (exc) {
      if (onError) onError(exc)
    } finally {
      busy = false
    }
  }
  prepareDecoder().then(schedule, (exc) => {
    if (onError) onError(exc)
  })
  return () => {
    stopped = true
  }
}
