// @ts-check
// A run as URL parameters: the settings (seed included), every action with
// its simulated time, and the moment shared. Opening such a URL rebuilds the
// run from its seed and replays the actions at the same times: the same run.
//
//   #model=nacos&nodes=5&seed=7&a=6000:drop-beats+from%3D5&t=30000
//
// Page options ride along: speed, controls, autoplay, paused, scenario,
// scenario-src, lang (the language a page's switch chose).

/** Parameters that are not cluster settings. */
export const PAGE_KEYS = new Set(['t', 'a', 'speed', 'controls', 'autoplay', 'paused', 'scenario', 'scenario-src', 'lang']);

/** A time in ms as the shortest exact text (times are whole microseconds). */
export function msText(t) {
  return String(+t.toFixed(3));
}

/** The parameters that replay `run` up to `t` (omit t to replay it live).
 *  With `scenario` (the run's script) or `scenarioSrc` (its URL) the link
 *  carries the script, captions and stops included, and only the actions it
 *  does not plan itself.
 *  @param {import('./core.js').Run} run
 *  @param {{ t?: number, speed?: number, scenario?: string | null, scenarioSrc?: string | null, lang?: string | null }} [options] */
export function encodeRun(run, { t, speed, scenario, scenarioSrc, lang } = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of run.pairs) p.set(k, v);
  if (scenario) p.set('scenario', scenario);
  else if (scenarioSrc) p.set('scenario-src', scenarioSrc);
  const planned = scenario || scenarioSrc;
  for (const a of run.allActions()) if (!planned || a.source !== 'scenario') p.append('a', `${msText(a.t)}:${a.command}`);
  if (t !== undefined) p.set('t', msText(t));
  if (speed !== undefined) p.set('speed', String(+speed.toPrecision(4)));
  if (lang) p.set('lang', lang);
  return p.toString();
}

/**
 * Reads parameters (a query string and/or a hash; the hash wins). Never
 * throws: problems are collected in `errors` as `field: rule`, and what is
 * wrong is left out, so the page can say so and go on.
 */
export function decodeParams(...sources) {
  const out = { settings: {}, actions: [], t: null, speed: null, controls: null, autoplay: null, paused: null, scenario: null, scenarioSrc: null, lang: null, errors: [] };
  const merged = new Map();
  let actions = null;
  for (const src of sources) {
    if (!src) continue;
    let params;
    try {
      params = new URLSearchParams(src.replace(/^[?#]/, ''));
    } catch {
      out.errors.push(`url: cannot read the parameters`);
      continue;
    }
    const as = params.getAll('a');
    if (as.length) actions = as;
    for (const [k, v] of params) if (k !== 'a') merged.set(k, v);
  }
  for (const [k, v] of merged) {
    if (!PAGE_KEYS.has(k)) { out.settings[k] = v; continue; }
    if (k === 't') {
      const t = Number(v);
      if (v.trim() === '' || !Number.isFinite(t) || t < 0 || t > 8.64e9) out.errors.push(`t: must be a simulated time in ms between 0 and 100 days, got "${v}"`);
      else out.t = t;
    } else if (k === 'speed') {
      const s = Number(v);
      if (!(s > 0 && s <= 1e6)) out.errors.push(`speed: must be a number above 0 and at most 1000000, got "${v}"`);
      else out.speed = s;
    } else if (k === 'autoplay' || k === 'paused') {
      out[k] = !['0', 'false', 'no', 'off'].includes(v.trim().toLowerCase());
    } else if (k === 'controls') {
      if (!['none', 'minimal', 'full'].includes(v)) out.errors.push(`controls: must be none, minimal or full, got "${v}"`);
      else out.controls = v;
    } else if (k === 'scenario') out.scenario = v;
    else if (k === 'scenario-src') out.scenarioSrc = v;
    // Any tag: the element shows what it has no catalog for in English, and says so.
    else if (k === 'lang') out.lang = v;
  }
  for (const a of actions ?? []) {
    const at = a.indexOf(':');
    const t = Number(a.slice(0, at));
    const command = a.slice(at + 1).trim();
    if (at < 1 || !Number.isFinite(t) || t < 0 || !command || /[\r\n]/.test(command)) {
      out.errors.push(`a: each action must be TIME_MS:COMMAND, like 6000:crash 3, got "${a.slice(0, 60)}"`);
      continue;
    }
    out.actions.push({ tMs: t, command });
  }
  out.actions.sort((x, y) => x.tMs - y.tMs);
  return out;
}
