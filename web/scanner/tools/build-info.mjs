// Writes LICENSES.txt (the licence of every package in the bundle, from esbuild's metafile,
// and of the code in the .wasm) and BUILD.txt (versions and sizes) beside the built files.
// Usage: node tools/build-info.mjs <metafile> <out dir>
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const [metaPath, outDir] = process.argv.slice(2)
const meta = JSON.parse(readFileSync(metaPath, 'utf8'))
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))

const bundled = new Set()
for (const input of Object.keys(meta.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
  if (m) bundled.add(m[1])
}
const packages = [...bundled, 'zxing-wasm'].filter((v, i, a) => a.indexOf(v) === i).sort()

function licenceText (name) {
  const dir = join('node_modules', name)
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f))
  if (!file) throw new Error(`no licence file in ${name}`)
  return readFileSync(join(dir, file), 'utf8').trim()
}

const rule = '='.repeat(78)
let licences = 'Third-party software in scanner.js and zxing_reader.wasm\n' +
  '(written by web/scanner/build.sh; do not edit)\n\n'
for (const name of packages) {
  const entry = lock.packages[`node_modules/${name}`]
  licences += `${rule}\n${name} ${entry.version} (${entry.license})\n${rule}\n\n${licenceText(name)}\n\n`
}
licences += `${rule}\nzxing_reader.wasm: zxing-cpp (Apache-2.0) and zxing-wasm's own C++ glue ` +
  `(Apache-2.0), compiled with Emscripten by zxing-wasm (MIT, above)\n${rule}\n\n` +
  readFileSync('third-party/zxing-cpp.LICENSE', 'utf8').trim() + '\n'
writeFileSync(join(outDir, 'LICENSES.txt'), licences)

const size = (file) => {
  const data = readFileSync(join(outDir, file))
  return [data.length, gzipSync(data, { level: 9 }).length]
}
const fmt = (n) => n.toLocaleString('en-US')
const rows = ['scanner.js', 'zxing_reader.wasm'].map((f) => [f, ...size(f)])
const total = rows.reduce((a, r) => [a[0] + r[1], a[1] + r[2]], [0, 0])
let info = 'The phone scanner library, built from web/scanner by build.sh (npm ci, then esbuild).\n' +
  'Rebuild: make assets (or sh web/scanner/build.sh). Do not edit these files by hand.\n\n' +
  'file                     bytes       gzip -9\n'
for (const [f, raw, gz] of [...rows, ['total', ...total]]) {
  info += `${f.padEnd(18)} ${fmt(raw).padStart(11)} ${fmt(gz).padStart(13)}\n`
}
info += '\nbundled packages (exact versions from package-lock.json):\n'
for (const name of packages) {
  const entry = lock.packages[`node_modules/${name}`]
  info += `  ${name} ${entry.version} ${entry.license}\n`
}
info += `built with esbuild ${lock.packages['node_modules/esbuild'].version}: ` +
  '--bundle --format=esm --minify --target=es2020 --legal-comments=none\n'
writeFileSync(join(outDir, 'BUILD.txt'), info)
process.stdout.write(info)
