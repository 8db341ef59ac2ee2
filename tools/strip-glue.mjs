// Strips the doc comments from wasm-bindgen's JS glue, in place:
//
//   node tools/strip-glue.mjs www/pkg/raftbeat.js
//
// Run by `make wasm` on the lab's package (www/pkg/), whose every byte counts
// against the page's size budget; the docs stay in raftbeat.d.ts, which the
// browser never loads. It lives in tools/ (build helpers that the page does
// not load and `make` runs) rather than in www/ (copied to sites verbatim)
// or benches/ (measurements).
//
// What goes: `/** ... */` blocks that start a line (after indentation) and
// end a line, and `//` comments that fill a line. Nothing else: no code is
// touched, not even whitespace. A small lexer (strings, template literals,
// regular expressions, comments) finds where those lines start, so a `/**`
// or `//` inside a string or a template spanning lines is left alone. Then
// both versions are imported in Node: the stripped one must load and export
// the same names, of the same kinds and arities. Anything unexpected fails
// the build; the file is rewritten only when every check passed.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The lexical state at the start of each line: 'code', 'block' (inside a
 * block comment), 'template', 'string' (a string continued with a
 * backslash). Throws on what it cannot read (an unterminated string).
 */
export function lineStates(src) {
  const states = ['code'];
  let mode = 'code';
  let quote = '';
  const templates = []; // brace depth at each open `${`
  let depth = 0;
  let prev = ''; // last significant character in code, to tell a regex from a division
  let word = ''; // the identifier or keyword just before, for `return /re/`
  const line = () => src.slice(0, i).split('\n').length;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === '\n') {
      if (mode === 'line') mode = 'code';
      if (mode === 'string') throw new Error(`line ${line()}: unterminated string`);
      states.push(mode === 'string-continued' ? 'string' : mode);
      if (mode === 'string-continued') mode = 'string';
      i++;
      continue;
    }
    if (mode === 'line') { i++; continue; }
    if (mode === 'block') {
      if (c === '*' && n === '/') { mode = 'code'; i += 2; } else i++;
      continue;
    }
    if (mode === 'string' || mode === 'string-continued') {
      mode = 'string';
      if (c === '\\') {
        if (n === '\n') mode = 'string-continued';
        else i++;
      } else if (c === quote) { mode = 'code'; prev = 'a'; word = ''; }
      i++;
      continue;
    }
    if (mode === 'template') {
      if (c === '\\') i += 2;
      else if (c === '`') { mode = 'code'; prev = 'a'; word = ''; i++; }
      else if (c === '$' && n === '{') { templates.push(depth); mode = 'code'; prev = '{'; word = ''; i += 2; }
      else i++;
      continue;
    }
    // Code.
    if (c === '/' && n === '/') { mode = 'line'; i += 2; continue; }
    if (c === '/' && n === '*') { mode = 'block'; i += 2; continue; }
    if (c === "'" || c === '"') { mode = 'string'; quote = c; i++; continue; }
    if (c === '`') { mode = 'template'; i++; continue; }
    if (c === '{') depth++;
    if (c === '}') {
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        mode = 'template';
        i++;
        continue;
      }
      depth--;
    }
    if (c === '/') {
      const regex = prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev) ||
        ['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await'].includes(word);
      if (regex) {
        let klass = false;
        i++;
        for (;;) {
          const r = src[i];
          if (r === undefined || r === '\n') throw new Error(`line ${line()}: unterminated regular expression`);
          if (r === '\\') i++;
          else if (r === '[') klass = true;
          else if (r === ']') klass = false;
          else if (r === '/' && !klass) break;
          i++;
        }
        i++;
        while (/[a-z]/i.test(src[i] ?? '')) i++;
        prev = 'a';
        word = '';
        continue;
      }
    }
    if (/[A-Za-z0-9_$]/.test(c)) word = /[A-Za-z0-9_$]/.test(src[i - 1] ?? '') ? word + c : c;
    else if (!/\s/.test(c)) word = '';
    if (!/\s/.test(c)) prev = c;
    i++;
  }
  if (mode !== 'code' && mode !== 'line') throw new Error(`the file ends inside a ${mode}`);
  return states;
}

/** The source without its doc blocks and full-line `//` comments. */
export function strip(src) {
  const lines = src.split('\n');
  const states = lineStates(src);
  const out = [];
  for (let l = 0; l < lines.length; l++) {
    const t = lines[l].trim();
    if (states[l] === 'code' && t.startsWith('//')) continue;
    if (states[l] === 'code' && t.startsWith('/**')) {
      // The block ends at the first `*/` after its opening; drop it only if
      // that `*/` ends its line.
      let end = l;
      let at = lines[l].indexOf('/**') + 3;
      for (;;) {
        const k = lines[end].indexOf('*/', end === l ? at : 0);
        if (k >= 0) { at = k; break; }
        if (++end === lines.length) throw new Error(`line ${l + 1}: unterminated comment`);
      }
      if (lines[end].slice(at + 2).trim() === '') { l = end; continue; }
    }
    out.push(lines[l]);
  }
  return out.join('\n');
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
    console.error('usage: node tools/strip-glue.mjs path/to/glue.js');
    process.exit(2);
  }
  const src = readFileSync(file, 'utf8');
  const out = strip(src);
  if (/^\s*\/\*\*/m.test(out)) throw new Error('a doc comment is left; the glue has a shape this script does not expect');
  // Both as .mjs copies (the package has no package.json saying "module").
  const dir = mkdtempSync(join(tmpdir(), 'strip-glue-'));
  try {
    writeFileSync(join(dir, 'before.mjs'), src);
    writeFileSync(join(dir, 'after.mjs'), out);
    lineStates(out); // the stripped text still lexes the same way
    const [before, after] = [await shape(join(dir, 'before.mjs')), await shape(join(dir, 'after.mjs'))];
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      throw new Error(`the stripped glue exports something else:\n  ${before.join('\n  ')}\nagainst\n  ${after.join('\n  ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(file, out);
  console.log(`strip-glue: ${file}: ${Buffer.byteLength(src)} -> ${Buffer.byteLength(out)} bytes`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(`strip-glue: ${process.argv[2]}: ${e.message}`);
    process.exit(1);
  });
}
