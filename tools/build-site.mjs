// Builds the site as readers get it: a copy of www/ in target/site/ with
// every ES module minified by terser, everything else copied byte for byte.
//
//   node tools/build-site.mjs            (make site; make serve and the
//                                         end-to-end tests build it too)
//
// The sources in www/ stay readable, type-checked ES modules; the page's
// weight is counted gzipped against a budget (benches/browser/size.js), and
// their JSDoc and long names are most of it. The wasm packages (www/pkg*/)
// are copied as built: `make wasm` already minified the lab's glue
// (tools/minify-glue.mjs, which checks its exports).
//
// Incremental: a file is redone only when its source (or this tool) is newer
// than its copy, and a copy whose source is gone is removed, so a run after a
// one-file edit takes a moment. Every file is written to a temporary name and renamed, so
// two runs at once (test files started in parallel) never leave half a file.
import { readdirSync, readFileSync, writeFileSync, renameSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { minify } from 'terser';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE = join(ROOT, 'www');
export const SITE = join(ROOT, 'target', 'site');

/** One ES module, minified. Exports keep their names (module: true). */
export async function minifyModule(src, file) {
  const out = await minify(src, {
    module: true,
    ecma: 2022,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  if (typeof out.code !== 'string') throw new Error(`${file}: terser returned no code`);
  return out.code;
}

/** Every file under dir, as paths relative to it. */
function walk(dir, base = dir) {
  let out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(walk(p, base));
    else if (e.isFile()) out.push(relative(base, p));
  }
  return out;
}

const mtime = (p) => { try { return statSync(p).mtimeMs; } catch { return -1; } };
/** This tool's own time: a change to how it minifies redoes every copy. */
const TOOL_MTIME = mtime(fileURLToPath(import.meta.url));

/** Whether a file is one of the page's own ES modules (not a wasm package's). */
const isPageModule = (rel) => rel.endsWith('.js') && !/^pkg[^/]*\//.test(rel.split('\\').join('/'));

function writeAtomically(dest, bytes) {
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, dest);
}

/**
 * Brings target/site/ up to date with www/. Resolves to a summary
 * { minified, copied, removed, bytesIn, bytesOut } of what it did.
 */
export async function buildSite({ source = SOURCE, site = SITE } = {}) {
  if (mtime(join(source, 'pkg', 'raftbeat_bg.wasm')) < 0) {
    throw new Error(`${relative(ROOT, source)}/pkg/ is not built: run \`make wasm\` first`);
  }
  const files = walk(source);
  const summary = { minified: 0, copied: 0, removed: 0, bytesIn: 0, bytesOut: 0 };
  for (const rel of files) {
    const from = join(source, rel);
    const to = join(site, rel);
    if (mtime(to) >= Math.max(mtime(from), TOOL_MTIME)) continue;
    const bytes = readFileSync(from);
    if (isPageModule(rel)) {
      const out = await minifyModule(bytes.toString('utf8'), rel);
      writeAtomically(to, out);
      summary.minified++;
      summary.bytesIn += bytes.length;
      summary.bytesOut += Buffer.byteLength(out);
    } else {
      writeAtomically(to, bytes);
      summary.copied++;
    }
  }
  const wanted = new Set(files);
  if (mtime(site) >= 0) {
    for (const rel of walk(site)) {
      if (!wanted.has(rel)) { rmSync(join(site, rel), { force: true }); summary.removed++; }
    }
  }
  return summary;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildSite().then((s) => {
    const shrunk = s.minified ? `, ${s.bytesIn} -> ${s.bytesOut} bytes` : '';
    console.log(`build-site: ${relative(ROOT, SITE)}: ${s.minified} modules minified${shrunk}, ${s.copied} files copied, ${s.removed} removed`);
  }).catch((e) => {
    console.error(`build-site: ${e.message}`);
    process.exit(1);
  });
}
