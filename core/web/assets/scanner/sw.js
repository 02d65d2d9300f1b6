// The phone scanner's service worker (served at /quet/sw.js, scope /quet): the page, its
// script, WebAssembly and manifest are cached at install, so the scanner opens and verifies
// with no network. The page is fetched from the network first (a fresh login and checkpoint
// list when online) and from the cache when offline; the versioned assets from the cache.
// API calls always go to the network (the page keeps the bundle and the scans itself).
const VERSION = /*VERSION*/''
const FILES = /*FILES*/[]
const CACHE = 'rapid-scanner-' + VERSION
// The page keeps the held bundle in its own cache, which must outlive every version: an
// upgrade (or a first install that activates after the bundle came) drops old assets only.
const KEEP = new Set([CACHE, 'rapid-scanner-bundle'])

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('rapid-scanner-') && !KEEP.has(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  )
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/quet/api/')) return
  if (url.pathname === '/quet') {
    event.respondWith(
      fetch(event.request).then((response) => {
        if (response.ok) {
          const copy = response.clone()
          caches.open(CACHE).then((c) => c.put('/quet', copy))
        }
        return response
      }).catch(() => caches.match('/quet'))
    )
    return
  }
  if (url.pathname.startsWith('/quet/')) {
    event.respondWith(caches.match(event.request, { ignoreSearch: true }).then((hit) => hit || fetch(event.request)))
  }
})
