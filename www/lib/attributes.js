// @ts-check
// What <raft-beat>'s attributes ask for: the cluster settings (a scenario's
// cluster line first, then model, nodes, seed, settings), the scenario's
// plan and caption, numbers, and the file `scenario-src` names.
import { planScenario, parsePairs } from './core.js';

/** An attribute as a finite number, or null. @param {Element} el @param {string} name */
export function numberAttr(el, name) {
  const v = el.getAttribute(name);
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Fetches `scenario-src` (a scenario file, like a tour): {text, problem}.
 *  @param {Element} el @returns {Promise<{ text: string | null, problem: string | null }>} */
export async function loadScenario(el) {
  const src = el.getAttribute('scenario-src');
  if (!src) return { text: null, problem: null };
  try {
    const r = await fetch(new URL(src, document.baseURI));
    if (!r.ok) return { text: null, problem: `scenario-src: could not load ${src} (HTTP ${r.status})` };
    return { text: await r.text(), problem: null };
  } catch (e) {
    return { text: null, problem: `scenario-src: could not load ${src} (${/** @type {Error} */ (e).message})` };
  }
}

/**
 * The settings, plan and caption the attributes ask for; `fetched` is the
 * text `scenario-src` gave. What is wrong goes to `problems`, and is left out.
 * @param {Element} el @param {string | null} fetched @param {string[]} problems
 * @returns {{ settings: Record<string, any>, plan: import('../raft-beat.js').PlanStep[], about: string }}
 */
export function readAttributes(el, fetched, problems) {
  /** @type {Record<string, any>} */
  const settings = {};
  /** @type {import('../raft-beat.js').PlanStep[]} */
  let plan = [];
  let about = '';
  const scenario = el.getAttribute('scenario') ?? fetched;
  if (scenario) {
    try {
      const p = planScenario(scenario);
      for (const [k, v] of p.config) settings[k] = v;
      plan = p.steps.map((x) => ({ ...x, source: 'scenario' }));
      about = p.about;
    } catch (e) { problems.push(/** @type {Error} */ (e).message); }
  }
  for (const k of ['model', 'nodes', 'seed']) {
    const v = el.getAttribute(k);
    if (v !== null && v.trim() !== '') settings[k] = v.trim();
  }
  const extra = el.getAttribute('settings');
  if (extra) for (const [k, v] of parsePairs(extra)) settings[k] = v;
  return { settings, plan, about };
}
