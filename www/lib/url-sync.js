// @ts-check
// Sharing a run: the link that replays it (Share, a tour's "Open this
// moment in the lab"), and, with `sync-url`, the page's own URL kept in step
// with the run so that a reload replays it. The encoding is lib/share.js's.
import { decodeParams, encodeRun } from './share.js';

/** @typedef {import('../raft-beat.js').RaftBeatElement} Host */

/** The run the page URL asks for (with `sync-url`). */
export function readPageUrl() {
  return decodeParams(location.search, location.hash);
}

/** The run's scenario for a link: its text, or its file's absolute URL;
 *  and the language, where the element was given one (the lab's switch).
 *  @param {Host} host */
export function scenarioParams(host) {
  const src = host.getAttribute('scenario-src');
  return {
    scenario: host.getAttribute('scenario'),
    scenarioSrc: src && host.fetchedScenario !== null ? new URL(src, document.baseURI).href : null,
    lang: host.getAttribute('lang') ? host.language : null,
  };
}

/** A URL that replays this run to now. @param {Host} host */
export function shareUrl(host) {
  // A link leaves the page (the clipboard, a new tab): make it absolute.
  // (This page's own query is left behind: the link carries the run.)
  const base = new URL(host.getAttribute('share-base') ?? `${location.origin}${location.pathname}`, document.baseURI);
  base.hash = '';
  return `${base}#${encodeRun(host.run, { t: host.run.time, speed: host.clock.speed, ...scenarioParams(host) })}`;
}

/** Puts the run in the page URL, with `sync-url`. @param {Host} host */
export function syncUrl(host) {
  if (!host.hasAttribute('sync-url') || !host.run) return;
  const t = host.clock?.playing ? undefined : host.run.time;
  // The page's own scenario rides along, or a reload would plan its steps
  // and replay them as actions too.
  const hash = `#${encodeRun(host.run, { t: t !== undefined && t > 0 ? t : undefined, ...scenarioParams(host) })}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

/** Share: the link on the page, and on the clipboard when it lets us. @param {Host} host */
export async function share(host) {
  const url = shareUrl(host);
  syncUrl(host);
  host.announce(host.t('share.link', { url }));
  try {
    // A clipboard that never answers (no permission) must not leave the user waiting.
    await Promise.race([navigator.clipboard.writeText(url), new Promise((_, no) => setTimeout(no, 1500))]);
    host.announce(host.t('share.copied'));
  } catch { /* the link is on the page already */ }
}
