// @ts-check
// The page's words in more than one language: message catalogs, one per
// language in parts (www/i18n/<lang>/: element.js, controls.js, pages.js,
// tours.js, experiments.js), looked up by key with `{name}` placeholders.
// English comes in the parts a page shows: the element's own words with this
// module, the rest added by addWords() as the controls or a page load; it is
// every missing key's fallback. Simplified Chinese is fetched, all but the
// Experiments page's part, only when a page asks for it (zh-CN/index.js).
//
//   resolveLang(el)        'en' | 'zh-CN': el's lang attribute, else <html lang>, else navigator.language
//   await loadLang(lang)   makes lang's catalog available to t()
//   t(lang, key, vars)     the text; a key lang lacks falls back to English, an unknown key to itself
//   addWords(lang, words)  adds a part to lang's catalog (after loadLang for zh-CN)
//   onPageLangChange(fn, signal)   fn() whenever <html lang> changes (a language switch on the page)
//
// Method and field names (sendBeat, leaderDueMs, FOLLOWER) stay as the
// source spells them in every language: the catalogs keep them verbatim.
import en from '../i18n/en/index.js';

/** The languages there are catalogs for. @typedef {'en' | 'zh-CN'} Lang */
export const LANGS = /** @type {const} */ (['en', 'zh-CN']);

/** @type {Record<string, Record<string, string>>} */
const catalogs = { en };
/** @type {Record<string, Promise<Lang>>} */
const loading = {};
/** Language tags already warned about, so each is said once. */
const warned = new Set();

/**
 * A language tag as one of LANGS: any Chinese (zh, zh-CN, zh-Hans, zh-SG…)
 * is zh-CN, any English is en; null for anything else.
 * @param {string | null | undefined} tag @returns {Lang | null}
 */
export function normalizeLang(tag) {
  const primary = String(tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'en') return 'en';
  return null;
}

/** @param {string} tag @param {string} where */
function warnOnce(tag, where) {
  if (warned.has(tag)) return;
  warned.add(tag);
  console.warn(`raftbeat: ${where} lang="${tag}" has no translation (there are ${LANGS.join(', ')}): showing English.`);
}

/**
 * The language to show `el` in: its own `lang` attribute, else the page's
 * `<html lang>`, else the browser's language. A tag with no catalog (say
 * "fr") is English, with one console warning per tag.
 * @param {Element | null} [el] @returns {Lang}
 */
export function resolveLang(el) {
  const own = el?.getAttribute('lang')?.trim();
  if (own) return normalizeLang(own) ?? (warnOnce(own, `<${el?.localName}>`), 'en');
  const page = typeof document === 'undefined' ? '' : document.documentElement.getAttribute('lang')?.trim();
  if (page) return normalizeLang(page) ?? (warnOnce(page, '<html>'), 'en');
  return normalizeLang(typeof navigator === 'undefined' ? '' : navigator.language) ?? 'en';
}

/**
 * The language a page opens in: the one its link names (`lang=` in the
 * hash, as the lab's links carry it, or in the query; a tag with no catalog
 * is English, warned once), else the browser's where there is a catalog,
 * else English. `asked`: the link named it, so the page keeps it in the URLs
 * it writes.
 * @returns {{ lang: Lang, asked: boolean }}
 */
export function pageLang() {
  const named = new URLSearchParams(location.hash.slice(1)).get('lang') ?? new URLSearchParams(location.search).get('lang');
  if (named) return { lang: normalizeLang(named) ?? (warnOnce(named, "the link's"), 'en'), asked: true };
  return { lang: normalizeLang(navigator.language) ?? 'en', asked: false };
}

/**
 * Makes `lang`'s catalog available to t(): at once for English, by a
 * dynamic import for Chinese (an English page never fetches it).
 * @param {string} lang @returns {Promise<Lang>}
 */
export function loadLang(lang) {
  const l = normalizeLang(lang) ?? 'en';
  if (catalogs[l]) return Promise.resolve(l);
  loading[l] ??= import('../i18n/zh-CN/index.js').then((m) => { catalogs[l] = m.default; return /** @type {Lang} */ (l); }, (e) => {
    // A catalog that does not load (offline, a missing file) leaves the page
    // in English, not broken; said once, and not tried again on this page.
    console.warn(`raftbeat: the ${l} words did not load (${e.message}): showing English.`);
    return /** @type {Lang} */ ('en');
  });
  return loading[l];
}

/** Whether `lang`'s catalog is loaded (t() in it says it, not English). @param {string} lang */
export function isLoaded(lang) {
  return !!catalogs[normalizeLang(lang) ?? 'en'];
}

/**
 * Adds a page's own part of a catalog (the Experiments page's `exp.` words)
 * to `lang`'s: English at once, another language once loadLang() has
 * brought its catalog (call it after). A page's part stays out of the
 * catalogs the element loads, so a page without it never downloads it.
 * @param {Lang} lang @param {Record<string, string>} words
 */
export function addWords(lang, words) {
  catalogs[lang] = { ...(catalogs[lang] ?? {}), ...words };
}

/**
 * The text of `key` in `lang`, its `{name}` placeholders filled from `vars`.
 * A key the language lacks (or a catalog not loaded yet) gives the English
 * text; a key English lacks too gives the key itself: never a throw.
 * @param {string} lang @param {string} key @param {Record<string, unknown>} [vars]
 * @returns {string}
 */
export function t(lang, key, vars) {
  const text = catalogs[lang]?.[key] ?? catalogs.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** @type {Set<() => void>} */
const pageListeners = new Set();
/** @type {MutationObserver | null} */
let pageObserver = null;

/**
 * Calls fn() when the page's `<html lang>` changes (the lab's language
 * switch sets it), until `signal` aborts. One observer serves every caller.
 * @param {() => void} fn @param {AbortSignal} [signal]
 */
export function onPageLangChange(fn, signal) {
  if (signal?.aborted || typeof MutationObserver === 'undefined') return;
  pageListeners.add(fn);
  signal?.addEventListener('abort', () => pageListeners.delete(fn), { once: true });
  pageObserver ??= new MutationObserver(() => { for (const f of [...pageListeners]) f(); });
  pageObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
}
