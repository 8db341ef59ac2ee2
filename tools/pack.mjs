// Builds the npm package: target/package/raftbeat-<version>.tgz, with
// `npm pack` over a staging directory (target/package/raftbeat/) that holds
// exactly what a site needs to run <raft-beat>:
//
//   raft-beat.js, raft-beat.d.ts   the element (`import "raftbeat"` registers it)
//   lib/*.js, lib/*.d.ts           the modules it imports (statically or not), minified
//   i18n/<lang>/*.js               its message catalogs (lib/i18n.js; Chinese loads only when shown)
//   pkg/raftbeat.js, .d.ts         the wasm-bindgen glue (already minified by make wasm)
//   pkg/raftbeat_bg.wasm           the core
//   README.md, package.json
//
//   node tools/pack.mjs            (make package; needs www/pkg/, make wasm)
//
// The layout is www/'s, so the glue finds its wasm as it does on the page:
// `new URL("raftbeat_bg.wasm", import.meta.url)`, which a bundler (Vite,
// webpack, esbuild) follows and copies, and a browser resolves next to the
// glue when the package is served as it is. The modules are minified as the
// served site's are (tools/build-site.mjs); their types come from their JSDoc
// (tsc --declaration). The repo's own package.json (dev tools) is not the
// package's: that one is written here.
import { appendFileSync, readFileSync, symlinkSync, writeFileSync, mkdirSync, rmSync, copyFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, relative, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { minifyModule } from './build-site.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WWW = join(ROOT, 'www');
export const OUT = join(ROOT, 'target', 'package');
const STAGE = join(OUT, 'raftbeat');
const ENTRY = 'raft-beat.js';
const GLUE = ['pkg/raftbeat.js', 'pkg/raftbeat.d.ts', 'pkg/raftbeat_bg.wasm'];

/** The crate's version: the package's. */
export function version() {
  const m = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error('Cargo.toml: no version line in [package]');
  return m[1];
}

/** Where `make package` leaves the tarball. */
export const tarball = () => join(OUT, `raftbeat-${version()}.tgz`);

/** Relative module specifiers in minified code (comments, and so JSDoc's type imports, are gone). */
function importsOf(code) {
  const found = [];
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) found.push(m[1]);
  return found;
}

/** The element's modules, minified: every module reachable from the entry, glue excluded. */
async function elementModules() {
  const out = new Map();
  const todo = [ENTRY];
  while (todo.length) {
    const rel = todo.pop();
    if (out.has(rel) || GLUE.includes(rel)) continue;
    const code = await minifyModule(readFileSync(join(WWW, rel), 'utf8'), rel);
    out.set(rel, code);
    for (const spec of importsOf(code)) todo.push(posix.normalize(posix.join(posix.dirname(rel), spec)));
  }
  return out;
}

/** Declarations for the element and the modules its types mention, from their JSDoc. */
function declarations(into) {
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['--declaration', '--emitDeclarationOnly', '--allowJs', '--skipLibCheck',
    '--target', 'ES2022', '--module', 'ES2022', '--moduleResolution', 'bundler',
    '--lib', 'ES2022,DOM,DOM.Iterable', '--rootDir', WWW, '--outDir', into,
    join(WWW, ENTRY)], { stdio: 'inherit' });
}

/**
 * Type-checks a consumer of the staged package (strict, the declarations
 * included), resolving `raftbeat` through its package.json as a project
 * would: a declaration naming a module that does not ship fails here.
 */
function checkTypes() {
  const dir = join(OUT, 'types-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(STAGE, join(dir, 'node_modules', 'raftbeat'), 'dir');
  writeFileSync(join(dir, 'use.ts'), [
    "import 'raftbeat';",
    "import type { RaftBeatElement } from 'raftbeat';",
    "const el: RaftBeatElement | null = document.querySelector('raft-beat');",
    'el?.ready.then((e) => e.simulation.leader());',
    '',
  ].join('\n'));
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '--strict', '--target', 'ES2022',
    '--module', 'ES2022', '--moduleResolution', 'bundler',
    // The glue's Simulation is disposable (`using`): Symbol.dispose's lib.
    '--lib', 'ES2022,DOM,DOM.Iterable,ESNext.Disposable', join(dir, 'use.ts')], { cwd: dir, stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
}

function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split('\\').join('/')]);
}

function write(rel, bytes) {
  mkdirSync(dirname(join(STAGE, rel)), { recursive: true });
  writeFileSync(join(STAGE, rel), bytes);
}

/** What may be in the tarball; anything else (a map, a test, a source) fails the build. */
const SHIPPED = /^(package\.json|README\.md|raft-beat\.(js|d\.ts)|lib\/[\w-]+\.(js|d\.ts)|i18n\/[\w-]+\/[\w-]+\.(js|d\.ts)|pkg\/raftbeat\.(js|d\.ts)|pkg\/raftbeat_bg\.wasm)$/;

export async function pack() {
  for (const rel of GLUE) {
    if (!statSync(join(WWW, rel), { throwIfNoEntry: false })) throw new Error(`www/${rel} is missing: run make wasm first`);
  }
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(STAGE, { recursive: true });
  const modules = await elementModules();
  for (const [rel, code] of modules) write(rel, code);
  for (const rel of GLUE) write(rel, readFileSync(join(WWW, rel)));
  // Declarations for the modules that ship (tsc declares whatever their
  // types mention; the rest is dropped).
  const types = join(OUT, 'types');
  rmSync(types, { recursive: true, force: true });
  declarations(types);
  for (const rel of walk(types)) {
    if (modules.has(rel.replace(/\.d\.ts$/, '.js'))) write(rel, readFileSync(join(types, rel)));
  }
  rmSync(types, { recursive: true, force: true });
  // So that document.querySelector('raft-beat') is typed as the element.
  appendFileSync(join(STAGE, 'raft-beat.d.ts'),
    "\ndeclare global {\n    interface HTMLElementTagNameMap {\n        'raft-beat': RaftBeatElement;\n    }\n}\n");
  copyFileSync(join(ROOT, 'tools', 'package-README.md'), join(STAGE, 'README.md'));
  const manifest = {
    name: 'raftbeat',
    version: version(),
    description: 'A live Raft / Nacos heartbeat and election simulator in one custom element, <raft-beat>, running a Rust core compiled to WebAssembly.',
    license: 'MIT',
    type: 'module',
    exports: {
      '.': { types: './raft-beat.d.ts', default: './raft-beat.js' },
      './package.json': './package.json',
    },
    types: './raft-beat.d.ts',
    files: ['raft-beat.js', 'raft-beat.d.ts', 'lib/', 'i18n/', 'pkg/raftbeat.js', 'pkg/raftbeat.d.ts', 'pkg/raftbeat_bg.wasm'],
  };
  write('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
  checkTypes();
  const [report] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', OUT],
    { cwd: STAGE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const stray = report.files.map((f) => f.path).filter((p) => !SHIPPED.test(p));
  if (stray.length) throw new Error(`the package would ship files it must not: ${stray.join(', ')}`);
  for (const must of [ENTRY, 'raft-beat.d.ts', ...GLUE, 'lib/core.js', 'lib/i18n.js', 'i18n/en/index.js', 'i18n/zh-CN/index.js', 'README.md']) {
    if (!report.files.some((f) => f.path === must)) throw new Error(`the package lacks ${must}`);
  }
  return { file: join(OUT, report.filename), size: report.size, unpacked: report.unpackedSize, files: report.files.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  pack().then((r) => {
    console.log(`pack: ${relative(ROOT, r.file)}: ${r.files} files, ${r.size} bytes gzipped (${r.unpacked} unpacked)`);
  }).catch((e) => {
    console.error(`pack: ${e.message}`);
    process.exit(1);
  });
}
