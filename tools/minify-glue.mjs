// Minifies wasm-bindgen's JS glue with terser, in place:
//
//   node tools/minify-glue.mjs www/pkg/raftbeat.js
//
// Run by `make wasm` on the lab's package (www/pkg/), whose every byte counts
// against the page's size budget; the docs stay in raftbeat.d.ts, which the
// browser never loads. It lives in tools/ (build helpers that `make` runs and
// the page does not load).
//
// The glue is an ES module: terser parses it as one (so it may rename what is
// local to the module, never an export) with its default, safe compressions.
// Then both versions are imported in Node: the minified one must load and
// export the same names, of the same kinds and arities, and a class the same
// methods. Anything unexpected fails the build; the file is rewritten only
// when every check passed.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { minify } from 'terser';

/** The glue, minified. */
export async function minifyGlue(src) {
  const out = await minify(src, {
    module: true,
    ecma: 2020,
    compress: true,
    mangle: true,
    format: { comments: false },
  });
  return out.code;
}

/** What a module exports: name, kind, arity (and a class's methods). */
async function shape(file) {
  const m = await import(pathToFileURL(file).href);
  return Object.keys(m).sort().map((k) => {
    const v = m[k];
    const methods = typeof v === 'function' && v.prototype
      ? Object.getOwnPropertyNames(v.prototype).sort().map((p) => {
        const d = Object.getOwnPropertyDescriptor(v.prototype, p);
        return `${p}:${typeof d.value === 'function' ? d.value.length : 'accessor'}`;
      }).join(',')
      : '';
    return `${k} ${typeof v} ${typeof v === 'function' ? v.length : ''} ${methods}`;
  });
}

async function main() {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    console.error('usage: node tools/minify-glue.mjs path/to/glue.js');
    process.exit(2);
  }
  const src = readFileSync(file, 'utf8');
  const out = await minifyGlue(src);
  // Both as .mjs copies (the package has no package.json saying "module").
  const dir = mkdtempSync(join(tmpdir(), 'minify-glue-'));
  try {
    writeFileSync(join(dir, 'before.mjs'), src);
    writeFileSync(join(dir, 'after.mjs'), out);
    const [before, after] = [await shape(join(dir, 'before.mjs')), await shape(join(dir, 'after.mjs'))];
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      throw new Error(`the minified glue exports something else:\n  ${before.join('\n  ')}\nagainst\n  ${after.join('\n  ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(file, out);
  console.log(`minify-glue: ${file}: ${Buffer.byteLength(src)} -> ${Buffer.byteLength(out)} bytes`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(`minify-glue: ${process.argv[2]}: ${e.message}`);
    process.exit(1);
  });
}
