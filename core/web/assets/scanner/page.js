// The phone scanner page (/quet, core/web/scanner.py): continuous camera decoding, offline
// verification from the signed bundle of the checkpoint's zone (scanner.js, web/scanner), a
// full-screen verdict, scans signed by the phone's own station key and uploaded when online.
// Every string shown comes from the page's configuration (vi/en, checkpoints/messages.py).
import * as lib from './scanner.js'

const cfg = JSON.parse(document.getElementById('scanner-config').textContent)
const M = cfg.messages
const API = { headers: { 'x-rapid-scanner': '1' }, credentials: 'same-origin' }
const DEDUPE_MS = 5000 // the same code is not scanned again while seen within this time
const SHOW_MS = 4000 // a verdict goes by itself after this long (or a tap)
const MIN_SHOW_MS = 1000 // ... and stays at least this long before another code replaces it
const BATCH = 100 // scans per upload (the server takes up to 60 KB)
const MAX_QUEUE = 20000
const BUNDLE_CACHE = 'rapid-scanner-bundle'

const store = {
  get (k, d = null) {
    try {
      const v = localStorage.getItem('rs.' + k)
      return v === null ? d : JSON.parse(v)
    } catch {
      return d
    }
  },
  set (k, v) {
    try {
      localStorage.setItem('rs.' + k, JSON.stringify(v))
    } catch { /* storage full or disabled: the scan still shows */ }
  }
}

const state = {
  lang: store.get('lang', cfg.lang) === 'en' ? 'en' : 'vi',
  cp: store.get('cp', cfg.checkpoints.length === 1 ? cfg.checkpoints[0].id : ''),
  mode: store.get('mode', 'checkpoint'),
  venue: store.get('venue', ''),
  bundle: null,
  refusal: null,
  signers: null,
  camera: null, // null | 'on' | 'denied' | 'missing'
  stream: null,
  torch: false,
  relogin: false,
  shownAt: 0,
  lastText: '',
  lastSeen: 0,
  hideTimer: 0,
  audio: null
}
window.scannerStats = { verdicts: [], ready: false }

function t (key, params = {}) {
  const m = M[key]
  let s = m ? m[state.lang] || m.vi : key
  for (const [k, v] of Object.entries(params)) s = s.replace(`{${k}}`, v)
  return s
}

function el (tag, attrs = {}, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v)
    else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, v === true ? '' : v)
  }
  for (const c of children) if (c) e.append(c)
  return e
}

const checkpoint = () => cfg.checkpoints.find((c) => c.id === state.cp) || null

// -- the bundle ---------------------------------------------------------------------------------

async function heldBytes () {
  try {
    const hit = await (await caches.open(BUNDLE_CACHE)).match(`/quet/held-bundle/${state.cp}`)
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null
  } catch {
    return null
  }
}

async function keepBytes (bytes) {
  try {
    const c = await caches.open(BUNDLE_CACHE)
    await c.put(`/quet/held-bundle/${state.cp}`, new Response(bytes, { headers: { 'content-type': 'application/cbor' } }))
  } catch { /* no Cache Storage: the bundle lives until the page closes */ }
}

async function open (bytes) {
  const cp = checkpoint()
  return lib.openBundle(bytes, { signers: state.signers, zone: cp ? cp.zone : null, heldSeq: store.get('seq.' + state.cp, 0) })
}

async function loadHeld () {
  state.bundle = null
  const bytes = await heldBytes()
  if (!bytes) return
  try {
    state.bundle = await open(bytes)
    state.refusal = null
  } catch (exc) {
    state.refusal = exc instanceof lib.BundleRefused ? exc.code : 'BAD'
  }
}

async function refreshBundle () {
  if (!state.cp || !navigator.onLine) return
  let response
  try {
    response = await fetch(`/quet/api/bundle?checkpoint=${encodeURIComponent(state.cp)}`, API)
  } catch {
    return // offline after all: keep what is held
  }
  if (response.status === 401) {
    state.relogin = true
    return render()
  }
  if (!response.ok) return
  const bytes = new Uint8Array(await response.arrayBuffer())
  try {
    const opened = await open(bytes)
    state.bundle = opened
    state.refusal = null
    store.set('seq.' + state.cp, Math.max(opened.seq, store.get('seq.' + state.cp, 0)))
    await keepBytes(bytes)
  } catch (exc) {
    state.refusal = exc instanceof lib.BundleRefused ? exc.code : 'BAD'
  }
  render()
}

function ageText (hours) {
  return hours < 1 ? t('cp.phone.minutes', { n: Math.max(0, Math.round(hours * 60)) }) : t('cp.phone.hours', { n: hours.toFixed(1) })
}

// -- the station key and the scan log ------------------------------------------------------------------

function stationKey (cp) {
  const keys = store.get('keys', {})
  if (!keys[cp]) {
    keys[cp] = lib.StationKey.generate().toJson()
    store.set('keys', keys)
  }
  return lib.StationKey.fromJson(keys[cp])
}

async function registerStation (cp) {
  const key = stationKey(cp)
  if (store.get('reg', {})[cp] === key.kid || !navigator.onLine) return true
  try {
    const r = await fetch('/quet/api/station', {
      ...API,
      method: 'POST',
      headers: { ...API.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ checkpoint: cp, public_key: key.publicKey })
    })
    if (r.status === 401) state.relogin = true
    if (!r.ok) return false
    const reg = store.get('reg', {})
    reg[cp] = key.kid
    store.set('reg', reg)
    return true
  } catch {
    return false
  }
}

function logScan (v) {
  const cp = state.cp
  const key = stationKey(cp)
  const row = lib.logRow(v, { at: Date.now(), checkpointId: cp, staff: cfg.user })
  const queue = store.get('queue.' + cp, [])
  queue.push(key.signRow(row))
  store.set('queue.' + cp, queue.slice(-MAX_QUEUE))
}

function pending () {
  return cfg.checkpoints.reduce((n, c) => n + store.get('queue.' + c.id, []).length, 0)
}

let uploading = false
async function upload () {
  if (uploading || !navigator.onLine) return
  uploading = true
  try {
    for (const c of cfg.checkpoints) {
      let queue = store.get('queue.' + c.id, [])
      while (queue.length) {
        if (!(await registerStation(c.id))) return
        const batch = queue.slice(0, BATCH)
        const body = stationKey(c.id).header() + '\n' + batch.join('\n') + '\n'
        let r
        try {
          r = await fetch('/quet/api/scans', { ...API, method: 'POST', headers: { ...API.headers, 'content-type': 'text/plain' }, body })
        } catch {
          return
        }
        if (r.status === 401) {
          state.relogin = true
          return
        }
        if (r.status === 400) { // not (or no longer) registered: register again next time
          const reg = store.get('reg', {})
          delete reg[c.id]
          store.set('reg', reg)
          return
        }
        if (!r.ok) return
        state.relogin = false
        queue = store.get('queue.' + c.id, []).slice(batch.length)
        store.set('queue.' + c.id, queue)
      }
    }
  } finally {
    uploading = false
    renderStatus()
  }
}

// -- verdicts ---------------------------------------------------------------------------------

function reasonText (v) {
  const own = v.type && v.type.reasons && v.type.reasons[v.reason]
  if (own) return own[state.lang] || own.vi
  for (const ns of ['qr.reason.', 'cp.reason.', 'cp.phone.reason.']) {
    if (M[ns + v.reason]) return t(ns + v.reason)
  }
  return v.reason
}

function beep (ok) {
  try {
    state.audio = state.audio || new AudioContext()
    const a = state.audio
    const tones = ok ? [[880, 0, 0.12]] : [[220, 0, 0.18], [220, 0.25, 0.18]]
    for (const [f, at, len] of tones) {
      const o = a.createOscillator()
      const g = a.createGain()
      o.frequency.value = f
      g.gain.value = 0.2
      o.connect(g).connect(a.destination)
      o.start(a.currentTime + at)
      o.stop(a.currentTime + at + len)
    }
  } catch { /* no audio: the screen and vibration still tell */ }
  if (navigator.vibrate) navigator.vibrate(ok ? 120 : [200, 100, 200])
}

function hideVerdict () {
  clearTimeout(state.hideTimer)
  const box = document.getElementById('verdict')
  if (box) box.hidden = true
  state.shownAt = 0
}

function showVerdict (v, shown, note) {
  const box = document.getElementById('verdict')
  box.className = 'verdict ' + shown
  const fields = el('dl')
  for (const [label, value] of v.fields) {
    if (value === v.name) continue // the name is the card's headline
    const known = M['cp.field.' + label] ? t('cp.field.' + label) : label
    fields.append(el('dt', { text: known }), el('dd', { text: value }))
  }
  box.replaceChildren(...[
    el('h1', { text: t('cp.phone.verdict.' + shown) }),
    v.name ? el('p', { class: 'name', text: v.name }) : null,
    el('p', { class: 'reason', text: reasonText(v) }),
    fields.childElementCount ? fields : null,
    note ? el('p', { class: 'note', id: 'verdict-note', text: note }) : null,
    el('p', { class: 'tap', text: t('cp.phone.tap') })
  ].filter(Boolean))
  box.hidden = false
  state.shownAt = performance.now()
  clearTimeout(state.hideTimer)
  state.hideTimer = setTimeout(hideVerdict, SHOW_MS)
}

function setNote (text) {
  const box = document.getElementById('verdict')
  let note = document.getElementById('verdict-note')
  if (!note) {
    note = el('p', { class: 'note', id: 'verdict-note' })
    box.insertBefore(note, box.lastChild)
  }
  note.textContent = text
}

async function checkIn (text) {
  if (!navigator.onLine) return { note: t('cp.phone.venue.offline'), sent: false }
  try {
    const r = await fetch('/quet/api/checkin', {
      ...API,
      method: 'POST',
      headers: { ...API.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text, venue: state.venue })
    })
    if (r.status === 401) {
      state.relogin = true
      return { note: t('cp.phone.relogin'), sent: false }
    }
    if (!r.ok) return { note: t('cp.phone.venue.failed'), sent: false }
    const out = await r.json()
    return { note: out.message || t('cp.phone.venue.failed'), sent: true }
  } catch {
    return { note: t('cp.phone.venue.offline'), sent: false }
  }
}

async function onText (text, tFrame, tEmpty) {
  const now = performance.now()
  if (text === state.lastText && now - state.lastSeen < DEDUPE_MS) {
    state.lastSeen = now
    return
  }
  if (state.shownAt && now - state.shownAt < MIN_SHOW_MS) return
  state.lastText = text
  state.lastSeen = now
  if (!state.bundle) return renderStatus()
  const age = lib.bundleAge(state.bundle)
  if (age.expired) {
    state.refusal = 'TOO_OLD'
    return render()
  }
  const venue = state.mode === 'venue'
  const v = await lib.checkText(state.bundle, text, { mode: venue ? 'venue' : 'checkpoint', lang: state.lang })
  const shown = venue ? (v.verdict === 'VALID' ? 'VALID' : 'REFUSED') : v.verdict
  const note = venue ? (shown === 'VALID' ? t('cp.phone.venue.sending') : t('cp.phone.venue.refused')) : ''
  showVerdict(v, shown, note)
  beep(shown === 'VALID')
  requestAnimationFrame(() => {
    window.scannerStats.verdicts.push({
      verdict: v.verdict, shown, reason: v.reason, name: v.name, frame: tFrame, empty: tEmpty, painted: performance.now()
    })
  })
  if (venue && shown === 'VALID') {
    const { note: said, sent } = await checkIn(text)
    setNote(said)
    if (!sent) logScan(v)
  } else {
    logScan(v)
  }
  renderStatus()
  upload()
}

// -- the camera ---------------------------------------------------------------------------------

let stopLoop = null

async function detectorFor () {
  if (!('BarcodeDetector' in window)) return null
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats()
    return formats.includes('qr_code') ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null
  } catch {
    return null
  }
}

function loop (video, detector) {
  let stopped = false
  let busy = false
  let lastEmpty = null
  const canvas = document.createElement('canvas')
  const next = () => {
    if (stopped) return
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(tick)
    else requestAnimationFrame(tick)
  }
  const tick = async () => {
    if (stopped) return
    if (busy) return next()
    busy = true
    next()
    try {
      const tFrame = performance.now()
      let texts = []
      if (detector) {
        texts = (await detector.detect(video)).map((c) => c.rawValue)
      } else {
        const frame = lib.grabFrame(video, canvas)
        if (frame) texts = (await lib.decodeImageData(frame)).map((c) => c.text)
      }
      if (!texts.length) lastEmpty = tFrame
      else await onText(texts[0], tFrame, lastEmpty)
    } catch { /* one bad frame: the next one */ } finally {
      busy = false
    }
  }
  const go = detector ? Promise.resolve() : lib.prepareDecoder(cfg.assets + 'zxing_reader.wasm')
  go.then(next)
  return () => { stopped = true }
}

async function startCamera () {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    state.camera = 'missing'
    return render()
  }
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false
    })
  } catch (exc) {
    state.camera = exc && (exc.name === 'NotAllowedError' || exc.name === 'SecurityError') ? 'denied' : 'missing'
    return render()
  }
  state.camera = 'on'
  render()
  const video = document.getElementById('video')
  video.muted = true
  video.srcObject = state.stream
  await video.play().catch(() => {})
  stopLoop = loop(video, await detectorFor())
  window.scannerStats.ready = true
}

function stopCamera () {
  if (stopLoop) stopLoop()
  stopLoop = null
  if (state.stream) for (const track of state.stream.getTracks()) track.stop()
  state.stream = null
  state.camera = null
  state.torch = false
  render()
}

function torchSupported () {
  const track = state.stream && state.stream.getVideoTracks()[0]
  try {
    return Boolean(track && track.getCapabilities && track.getCapabilities().torch)
  } catch {
    return false
  }
}

async function toggleTorch () {
  const track = state.stream && state.stream.getVideoTracks()[0]
  if (!track) return
  state.torch = !state.torch
  try {
    await track.applyConstraints({ advanced: [{ torch: state.torch }] })
  } catch {
    state.torch = false
  }
}

async function onPhoto (event) {
  const file = event.target.files && event.target.files[0]
  event.target.value = ''
  if (!file) return
  try {
    const bitmap = await createImageBitmap(file)
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height))
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(bitmap.width * scale)
    canvas.height = Math.round(bitmap.height * scale)
    const ctx = canvas.getContext('2d')
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    const codes = await lib.decodeImageData(ctx.getImageData(0, 0, canvas.width, canvas.height))
    if (!codes.length) return showProblem(t('cp.phone.no_code'))
    state.lastText = ''
    await onText(codes[0].text, performance.now(), null)
  } catch {
    showProblem(t('cp.phone.no_code'))
  }
}

function showProblem (text) {
  const p = document.getElementById('problem')
  if (p) {
    p.textContent = text
    p.hidden = false
  }
}

// -- the page ---------------------------------------------------------------------------------

function renderStatus () {
  const box = document.getElementById('status')
  if (!box) return
  const items = [el('span', { text: navigator.onLine ? t('cp.phone.online') : t('cp.phone.offline'), class: navigator.onLine ? '' : 'warn' })]
  if (state.refusal) {
    const limit = state.bundle ? state.bundle.maxAgeHours : 72
    items.push(el('span', { class: 'bad', id: 'bundle-refused', text: t('cp.phone.bundle.' + state.refusal, { hours: limit }) }))
  }
  if (state.bundle) {
    const age = lib.bundleAge(state.bundle)
    items.push(el('span', { id: 'bundle-age', class: age.warn ? 'warn' : '', text: t('cp.phone.bundle_age', { age: ageText(age.ageHours) }) }))
    if (age.warn) items.push(el('span', { class: 'warn', text: t('cp.phone.bundle_warn', { hours: state.bundle.warnAgeHours }) }))
  } else if (!state.refusal) {
    items.push(el('span', { class: 'warn', text: t('cp.phone.bundle_none') }))
  }
  const n = pending()
  items.push(el('span', { id: 'pending', text: n ? t('cp.phone.pending', { n }) : t('cp.phone.sent') }))
  if (state.relogin) items.push(el('a', { href: '/', class: 'warn', text: t('cp.phone.relogin') }))
  if (state.cp) items.push(el('span', { text: t('cp.phone.station', { kid: stationKey(state.cp).kid.slice(0, 8) }) }))
  box.replaceChildren(...items)
}

function render () {
  const app = document.getElementById('app')
  document.documentElement.lang = state.lang
  document.title = t('cp.phone.title')
  const cpSelect = el('select', {
    class: 'grow',
    'aria-label': t('cp.phone.checkpoint'),
    id: 'checkpoint',
    onchange: async (e) => {
      state.cp = e.target.value
      store.set('cp', state.cp)
      await loadHeld()
      render()
      await refreshBundle()
      registerStation(state.cp)
    }
  }, el('option', { value: '', text: t('cp.phone.choose') }))
  for (const c of cfg.checkpoints) {
    cpSelect.append(el('option', { value: c.id, text: c.name, selected: c.id === state.cp }))
  }
  const modeSelect = el('select', {
    'aria-label': t('cp.phone.mode'),
    id: 'mode',
    onchange: (e) => {
      state.mode = e.target.value
      store.set('mode', state.mode)
      render()
    }
  })
  for (const m of ['checkpoint', 'venue']) {
    modeSelect.append(el('option', { value: m, text: t('cp.phone.mode.' + m), selected: m === state.mode }))
  }
  const bar = el('div', { class: 'bar' }, cpSelect, modeSelect,
    el('button', {
      type: 'button',
      id: 'lang',
      lang: state.lang === 'vi' ? 'en' : 'vi',
      text: t('cp.phone.lang'),
      onclick: () => {
        state.lang = state.lang === 'vi' ? 'en' : 'vi'
        store.set('lang', state.lang)
        render()
      }
    }))
  if (state.mode === 'venue') {
    bar.append(el('input', {
      class: 'grow',
      id: 'venue',
      'aria-label': t('cp.phone.venue_id'),
      placeholder: t('cp.phone.venue_id'),
      value: state.venue,
      maxlength: 64,
      oninput: (e) => {
        state.venue = e.target.value.trim()
        store.set('venue', state.venue)
      }
    }))
  }
  const view = el('div', { class: 'view' })
  if (state.camera === 'on') {
    view.append(el('video', { id: 'video', muted: true, playsinline: true, autoplay: true }), el('div', { class: 'frame' }),
      el('p', { class: 'hint', text: t('cp.phone.hint') }))
  } else if (state.camera === 'denied' || state.camera === 'missing') {
    view.append(el('p', { class: 'notice', id: 'camera-problem', text: t('cp.phone.camera_' + state.camera) }))
  }
  if (!window.isSecureContext) view.prepend(el('p', { class: 'notice', text: t('cp.phone.insecure') }))
  if (state.mode === 'venue' && !state.venue) view.prepend(el('p', { class: 'notice', text: t('cp.phone.venue_needed') }))
  const tools = el('div', { class: 'tools' })
  if (state.camera === 'on') {
    tools.append(el('button', { type: 'button', id: 'stop', text: t('cp.phone.stop'), onclick: stopCamera }))
    if (torchSupported()) tools.append(el('button', { type: 'button', id: 'torch', text: t('cp.phone.torch'), 'aria-pressed': String(state.torch), onclick: toggleTorch }))
  } else {
    tools.append(el('button', { type: 'button', id: 'start', text: t('cp.phone.start'), onclick: startCamera }))
  }
  tools.append(el('label', { for: 'photo', text: t('cp.phone.photo') },
    el('input', { type: 'file', id: 'photo', accept: 'image/*', capture: 'environment', onchange: onPhoto })))
  const keepVideo = state.camera === 'on' && document.getElementById('video')
  if (keepVideo) { // re-rendering must not restart the camera
    view.replaceChild(keepVideo, view.querySelector('#video'))
  }
  app.replaceChildren(bar, el('div', { class: 'status', id: 'status' }), view,
    el('p', { class: 'notice', id: 'problem', hidden: true }), tools,
    document.getElementById('verdict') || el('section', { class: 'verdict', id: 'verdict', hidden: true, role: 'alert', onclick: hideVerdict }))
  renderStatus()
}

async function main () {
  state.signers = await lib.TrustList.fromDict(cfg.signers)
  if (!cfg.checkpoints.some((c) => c.id === state.cp)) state.cp = ''
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/quet/sw.js', { scope: '/quet' }).catch(() => {})
  }
  render()
  if (state.cp) await loadHeld()
  render()
  addEventListener('online', () => { render(); refreshBundle(); upload() })
  addEventListener('offline', () => renderStatus())
  addEventListener('pointerdown', () => { if (state.audio) state.audio.resume() }, { once: true })
  setInterval(() => { renderStatus(); if (navigator.onLine) { refreshBundle(); upload() } }, 5 * 60 * 1000)
  setInterval(renderStatus, 30 * 1000)
  if (state.cp) {
    await refreshBundle()
    registerStation(state.cp)
    upload()
  }
  startCamera()
}

main()
