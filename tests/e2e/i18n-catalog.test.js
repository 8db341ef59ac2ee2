// The message catalogs (www/i18n/<lang>/index.js, lib/i18n.js): every key
// in every language, the same placeholders in each, and every key the page's
// code names exists. Needs no browser: the catalogs are plain modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import enElement from '../../www/i18n/en/index.js';
import zhElement from '../../www/i18n/zh-CN/index.js';
import enControls from '../../www/i18n/en/controls.js';
import enPages from '../../www/i18n/en/pages.js';
import enTours from '../../www/i18n/en/tours.js';
import enExperiments from '../../www/i18n/en/experiments.js';
import zhExperiments from '../../www/i18n/zh-CN/experiments.js';
import { t, normalizeLang, loadLang, addWords } from '../../www/lib/i18n.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Each language whole: what the element loads (index.js) and the parts the
// controls and the pages add (and the English tour captions, which the
// element reads from the scripts themselves).
const en = { ...enElement, ...enControls, ...enPages, ...enTours, ...enExperiments };
const zh = { ...zhElement, ...zhExperiments };
const CATALOGS = { en, 'zh-CN': zh };

test('an element without controls has every English word it names: the modules it loads name only element.js keys', () => {
  // What loads with controls="none" (raft-beat.js's static imports, followed).
  const loaded = new Set();
  const follow = (file) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^import [^;]*?from '(\.[^']+)';/gm)) follow(join(dirname(file), spec));
  };
  follow(join(ROOT, 'www', 'raft-beat.js'));
  // Tours' captions (tour.) are the scripts' own words in English.
  const prefixes = [...new Set(Object.keys(en).map((k) => k.split('.')[0]))].filter((p) => p !== 'tour' && p !== 'exp');
  const keyed = new RegExp(`['\`]((?:${prefixes.join('|')})\\.[\\w.-]*)(?:'|\\$\\{)`, 'g');
  const outside = [];
  for (const file of loaded) {
    if (file.includes(`${join('www', 'i18n')}`)) continue;
    for (const [, key] of readFileSync(file, 'utf8').matchAll(keyed)) {
      const found = key.endsWith('.') ? Object.keys(enElement).some((k) => k.startsWith(key)) : key in enElement;
      if (!found) outside.push(`${file.slice(ROOT.length + 1)}: ${key}`);
    }
  }
  assert.ok(loaded.size > 10, `followed only ${loaded.size} modules`);
  assert.deepEqual(outside, [], 'keys the element names without its controls must be in element.js');
});

test('the element loads only its own words: no Experiments page part, no English copy of the scripts', () => {
  for (const [lang, catalog] of Object.entries({ en: enElement, 'zh-CN': zhElement })) {
    assert.deepEqual(Object.keys(catalog).filter((k) => k.startsWith('exp.')), [], `${lang}: exp. keys load with the element`);
  }
  assert.deepEqual(Object.keys(enElement).filter((k) => k.startsWith('tour.')), [], 'English tour captions load with the element');
  assert.ok(Object.keys(zhElement).some((k) => k.startsWith('tour.')), 'the Chinese tour captions load with the element');
});

/** The placeholders of a text, sorted: "{a} and {b}" → ["a", "b"]. */
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every language has exactly the English keys', () => {
  const keys = Object.keys(en).sort();
  assert.ok(keys.length > 300, `only ${keys.length} English keys`);
  for (const [lang, catalog] of Object.entries(CATALOGS)) {
    const have = new Set(Object.keys(catalog));
    const missing = keys.filter((k) => !have.has(k));
    const extra = [...have].filter((k) => !(k in en));
    assert.deepEqual(missing, [], `${lang} lacks keys`);
    assert.deepEqual(extra, [], `${lang} has keys English lacks`);
  }
});

test('every key has the same placeholders in every language, and no empty text', () => {
  const wrong = [];
  for (const [lang, catalog] of Object.entries(CATALOGS)) {
    for (const [key, text] of Object.entries(catalog)) {
      if (typeof text !== 'string' || !text.trim()) wrong.push(`${lang} ${key}: empty`);
      else if (key in en && placeholders(text).join() !== placeholders(en[key]).join()) {
        wrong.push(`${lang} ${key}: {${placeholders(text).join('}, {')}} where English has {${placeholders(en[key]).join('}, {')}}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('Chinese keeps the method and field names the English names', () => {
  // A name in backticks of the code, translated by mistake, would drop out.
  const names = /\b(sendBeat|sendVote|receivedBeat|receivedVote|decideLeader|leaderDueMs|heartbeatDueMs|voteFor|FOLLOWER|CANDIDATE|LEADER|AppendEntries|CheckQuorum|Pre-Vote)\b/g;
  const lost = [];
  for (const [key, text] of Object.entries(en)) {
    const want = new Set(text.match(names) ?? []);
    const got = new Set(zh[key]?.match(names) ?? []);
    for (const n of want) if (!got.has(n)) lost.push(`${key}: ${n}`);
  }
  assert.deepEqual(lost, []);
});

/** Every file under dir. */
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

test('every catalog key the code names exists', () => {
  const parts = [...new Set(Object.keys(en).map((k) => k.split('.')[0]))].filter((p) => p !== 'tour' && p !== 'exp');
  const named = new RegExp(`'((?:${parts.join('|')})\\.[\\w.-]+)'`, 'g');
  const sources = [join(ROOT, 'www', 'raft-beat.js'), join(ROOT, 'www', 'index.html'), join(ROOT, 'www', 'tour.html'), ...walk(join(ROOT, 'www', 'lib'))];
  const unknown = [];
  let seen = 0;
  for (const file of sources) {
    const src = readFileSync(file, 'utf8').replace(/data-i18n(?:-aria|-html)?="([^"]+)"/g, "'$1'");
    for (const [, key] of src.matchAll(named)) {
      seen++;
      if (!(key in en)) unknown.push(`${file.slice(ROOT.length + 1)}: ${key}`);
    }
  }
  assert.ok(seen > 200, `found only ${seen} keys in the code`);
  assert.deepEqual(unknown, []);
});

test('t() fills placeholders, falls back to English, never throws', async () => {
  // The controls' words are English only once they are added, as the element does when it loads its controls.
  assert.equal(t('en', 'beats.leader', { id: 3, term: 2 }), 'beats.leader');
  addWords('en', enControls);
  assert.equal(t('en', 'beats.leader', { id: 3, term: 2 }), 'Leader S3 · term 2');
  assert.equal(t('en', 'no.such.key'), 'no.such.key');
  assert.equal(t('zh-CN', 'no.such.key'), 'no.such.key');
  // Before its catalog loads, Chinese is English; after, Chinese.
  assert.equal(t('zh-CN', 'toolbar.step'), 'Step');
  assert.equal(await loadLang('zh'), 'zh-CN');
  assert.equal(t('zh-CN', 'toolbar.step'), '单步');
  assert.equal(t('zh-CN', 'beats.leader', { id: 3, term: 2 }), '领导者 S3 · term 2');
  // A placeholder without a value stays as it is.
  assert.equal(t('en', 'beats.leader', { id: 3 }), 'Leader S3 · term {term}');
  assert.equal(t('xx', 'toolbar.step'), 'Step');
});

test('language tags: any Chinese is zh-CN, any English en, the rest none', () => {
  for (const tag of ['zh', 'zh-CN', 'zh-Hans', 'zh-Hans-CN', 'zh_SG', 'ZH-cn']) assert.equal(normalizeLang(tag), 'zh-CN', tag);
  for (const tag of ['en', 'en-US', 'en-GB']) assert.equal(normalizeLang(tag), 'en', tag);
  for (const tag of ['fr', 'de-DE', '', null, 'zhx']) assert.equal(normalizeLang(tag), null, String(tag));
});

test('a text with markup has the same tags in every language', () => {
  const tags = (text) => [...text.matchAll(/<\/?([a-z]+)[^>]*>/g)].map((m) => m[0].replace(/>[^<]*$/, '>')).join(' ');
  const wrong = [];
  for (const [key, text] of Object.entries(en)) {
    if (!/<[a-z/]/.test(text)) continue;
    if (tags(zh[key] ?? '') !== tags(text)) wrong.push(key);
  }
  assert.deepEqual(wrong, []);
});
