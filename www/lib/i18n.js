// @ts-check
// STAND-IN for the i18n module the "i18n" branch builds (its file replaces
// this one at merge): the same API, the least that works, so the tours and
// the Experiments page can use it before then.
//   resolveLang(el): the element's (or an ancestor's) `lang`, else the page's, else navigator.language
//   loadLang(lang): loads that language's catalog (and the English one, the fallback)
//   t(lang, key, vars): the text, `{name}` placeholders filled; a missing key gives the English

/** @typedef {'en' | 'zh-CN'} Lang */

/** Loaded catalogs. @type {Partial<Record<Lang, Record<string, string>>>} */
const catalogs = {};

/** @param {string | null | undefined} tag @returns {Lang | null} */
function normalize(tag) {
  if (!tag) return null;
  return /^zh(-|$)/i.test(tag.trim()) ? 'zh-CN' : 'en';
}

/** @param {Element | null | undefined} el @returns {Lang} */
export function resolveLang(el) {
  const tagged = el?.closest('[lang]')?.getAttribute('lang') || document.documentElement.getAttribute('lang');
  return normalize(tagged) ?? normalize(navigator.language) ?? 'en';
}

/** @param {Lang} lang */
export async function loadLang(lang) {
  catalogs.en ??= (await import('../i18n/en/index.js')).default;
  if (lang === 'zh-CN') catalogs['zh-CN'] ??= (await import('../i18n/zh-CN/index.js')).default;
}

/** @param {Lang} lang @param {string} key @param {Record<string, string | number>} [vars] */
export function t(lang, key, vars) {
  const text = catalogs[lang]?.[key] ?? catalogs.en?.[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : text;
}
