// @ts-check
// Small DOM helpers shared by the controls.

/** HTML text as a fragment. @param {string} html */
export function h(html) {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content;
}

/** Text safe inside HTML. @param {unknown} s */
export function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => /** @type {Record<string, string>} */ ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/** The element `sel` finds under `root`, typed as `T`; throws when there is none.
 * @template {Element} [T=HTMLElement]
 * @param {ParentNode} root @param {string} sel @returns {T} */
export function one(root, sel) {
  const el = root.querySelector(sel);
  if (!el) throw new Error(`missing element: ${sel}`);
  return /** @type {T} */ (/** @type {unknown} */ (el));
}

/** Every element `sel` finds under `root`, typed as `T`.
 * @template {Element} [T=HTMLElement]
 * @param {ParentNode} root @param {string} sel @returns {T[]} */
export function all(root, sel) {
  return /** @type {T[]} */ (/** @type {unknown} */ ([...root.querySelectorAll(sel)]));
}

/** Elements a control put on the page, to take away again. */
export class Parts {
  constructor() { /** @type {Element[]} */ this.nodes = []; }
  /** Puts `html` into `where` (before `before`); returns its first element.
   * @param {Node} where @param {string} html @param {Node | null} [before] @returns {HTMLElement} */
  add(where, html, before = null) {
    const frag = h(html);
    const nodes = [...frag.children];
    where.insertBefore(frag, before);
    this.nodes.push(...nodes);
    return /** @type {HTMLElement} */ (nodes[0]);
  }
  remove() { for (const p of this.nodes) p.remove(); this.nodes = []; }
}
