// @ts-check
// The element's pointer and keyboard: click a node to select it, a moving
// message to drop it, hover for a tip; arrows walk the nodes on the ring;
// the keyboard shortcuts (with controls shown), after a tour's own keys.
import { M, KINDS } from './core.js';
import { toggleLeaderBeats, timerKey, switchModel, nodeAction } from './actions.js';

/** @typedef {import('../raft-beat.js').RaftBeatElement} Host */

/** A message kind (its trace name) in words. */
/** The message kinds with words of their own (msg.<kind> in the catalogs); the others say their kind. */
const KIND_WORDS = new Set(['beat', 'beat-reply', 'vote-request', 'vote-reply', 'prevote-request', 'prevote-reply', 'peer-query', 'peer-query-reply']);

export class Input {
  /** @param {Host} host */
  constructor(host) {
    this.host = host;
    /** What the mouse is over: {type, id, x, y} | null. @type {{ type: 'node' | 'message', id: number, x: number, y: number } | null} */
    this.hover = null;
    const c = host.canvas;
    /** @type {[number, number] | null} */
    let down = null;
    /** @param {PointerEvent} e @returns {[number, number]} */
    const local = (e) => { const b = c.getBoundingClientRect(); return [e.clientX - b.left, e.clientY - b.top]; };
    c.addEventListener('pointerdown', (e) => { down = [e.clientX, e.clientY]; });
    c.addEventListener('pointerup', (e) => {
      if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 12) return;
      down = null;
      const [x, y] = local(e);
      this.clickAt(x, y, e.pointerType !== 'mouse');
    });
    c.addEventListener('pointermove', (e) => {
      if (e.pointerType !== 'mouse') return;
      const [x, y] = local(e);
      const hit = host.renderer.hit(x, y);
      c.style.cursor = hit ? 'pointer' : 'default';
      this.hover = hit ? { ...hit, x, y } : null;
      this.updateTip();
    });
    c.addEventListener('pointerleave', () => { this.hover = null; this.updateTip(); });
    c.addEventListener('keydown', (e) => {
      const n = host.run.n, s = host.selected;
      if (['ArrowRight', 'ArrowDown'].includes(e.key)) { host.select(s ? (s % n) + 1 : 1); e.preventDefault(); e.stopPropagation(); }
      if (['ArrowLeft', 'ArrowUp'].includes(e.key)) { host.select(s ? ((s + n - 2) % n) + 1 : n); e.preventDefault(); e.stopPropagation(); }
      if (e.key === 'Enter' && s) host.events.emit('command', { name: 'focus-inspector' });
    });
    /** Where the shortcuts are heard: the whole page with `global-keys`. @type {EventTarget} */
    this.keyTarget = host.hasAttribute('global-keys') ? document : host;
    /** @param {Event} e */
    this.onKey = (e) => {
      const k = /** @type {KeyboardEvent} */ (e);
      if (!host.tour.key(k)) this.shortcut(k);
      // A key pressed inside the element that it acted on stops at the host:
      // the page's own shortcuts (a book's arrow keys to the next chapter)
      // must not act on it too.
      if (this.keyTarget === host && k.defaultPrevented) k.stopPropagation();
    };
    // The document's listener comes and goes with the element (see listen).
    if (this.keyTarget === host) host.addEventListener('keydown', this.onKey);
  }

  /** Listens on the page (global-keys) until `signal` aborts. @param {AbortSignal} signal */
  listen(signal) {
    if (this.keyTarget !== this.host) this.keyTarget.addEventListener('keydown', this.onKey, { signal });
  }

  /** @param {number} x @param {number} y @param {boolean} touch */
  clickAt(x, y, touch) {
    const host = this.host, hit = host.renderer.hit(x, y, touch);
    if (!hit) { host.select(null); return; }
    if (hit.type === 'node') { host.select(hit.id); return; }
    // A message: drop it (RaftScope's "drop" without the detour).
    const m = this.describeMessage(hit.id);
    if (host.act(`drop-message ${hit.id}`)) host.announce(host.t('tip.dropped', { what: m }));
  }

  /** @param {number} id */
  describeMessage(id) {
    const m = this.host.run.messages;
    for (let i = 0; i < m.length; i += M.stride) {
      if (m[i + M.id] === id) {
        const k = KINDS[m[i + M.kind]], kind = KIND_WORDS.has(k) ? this.host.t(`msg.${k}`) : k;
        const term = m[i + M.term] >= 0 ? this.host.t('tip.messageTerm', { term: m[i + M.term] }) : '';
        return this.host.t('tip.message', { id, kind, from: m[i + M.from], to: m[i + M.to], term });
      }
    }
    return this.host.t('tip.messageId', { id });
  }

  updateTip() {
    const h = this.hover, tip = this.host.tip;
    if (!h) { tip.hidden = true; return; }
    tip.hidden = false;
    tip.style.left = `${h.x}px`;
    tip.style.top = `${h.y}px`;
    if (h.type === 'message') tip.textContent = this.host.t('tip.clickToDrop', { what: this.describeMessage(h.id) });
    else {
      const n = this.host.run.node(h.id);
      // Only the full controls have an inspector to open.
      const more = this.host.controls?.full ? this.host.t('tip.clickToInspect') : '';
      tip.textContent = n ? this.host.t('tip.node', { id: n.id, role: n.alive ? n.role : 'CRASHED', term: n.term, more: `${n.leader ? this.host.t('tip.knowsLeader', { id: n.leader }) : ''}${more}` }) : '';
    }
  }

  /** The keyboard shortcuts (text.js's SHORTCUTS lists them), while controls show. @param {KeyboardEvent} e */
  shortcut(e) {
    const host = this.host, controls = host.controls;
    if (!controls || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = /** @type {HTMLElement | undefined} */ (e.composedPath()[0]);
    const tag = target?.tagName;
    // Text fields and lists keep their keys. A slider or a checkbox takes no
    // letters, so the shortcuts still work there (Space toggles a checkbox,
    // but pauses from the speed slider, where it would scroll the page).
    const kind = tag === 'INPUT' ? /** @type {HTMLInputElement} */ (target).type : '';
    const typing = (tag === 'INPUT' && !['range', 'checkbox', 'radio'].includes(kind)) || tag === 'SELECT' || tag === 'TEXTAREA' || target?.isContentEditable;
    if (typing) return;
    if ((e.key === ' ' || e.key === 'Enter') && (tag === 'BUTTON' || tag === 'SUMMARY' || kind === 'checkbox' || kind === 'radio')) return;
    const sel = host.selected, key = e.key;
    const handled = () => e.preventDefault();
    if (key === ' ' || key === 'k') { host.togglePlay(); return handled(); }
    if (key === '.' || key === 'n') { host.step(); return handled(); }
    if (key === 'r') { host.reset(); return handled(); }
    if (key === 'd') { toggleLeaderBeats(host); return handled(); }
    if (key === 'b') { host.events.emit('command', { name: 'drop-next' }); return handled(); }
    if (key === 'w') { host.events.emit('command', { name: 'write' }); return handled(); }
    if (/^[0-9]$/.test(key)) { const id = key === '0' ? 10 : Number(key); if (id <= host.run.n) host.select(sel === id ? null : id); return handled(); }
    if (key === 'h') { host.act('heal'); return handled(); }
    if (key === 'a') { timerKey(host, 'align'); return handled(); }
    if (key === 'e') { timerKey(host, 'spread'); return handled(); }
    if (key === '-' || key === '_') { host.setSpeed(host.clock.speed / 2); return handled(); }
    if (key === '+' || key === '=') { host.setSpeed(host.clock.speed * 2); return handled(); }
    if (key === 'm') { switchModel(host, host.run.model === 'nacos' ? 'raft' : 'nacos'); return handled(); }
    if (key === 'Escape') { host.select(null); return; }
    if (!controls.full) return;
    if (key === '?') { host.events.emit('command', { name: 'help' }); return handled(); }
    if (key === 's') { host.share(); return handled(); }
    if (key === 'l') { host.events.emit('command', { name: 'focus-log' }); return handled(); }
    if (sel && key === 'c') { nodeAction(host, sel, 'crash'); return handled(); }
    if (sel && key === 't') { nodeAction(host, sel, 'timeout'); return handled(); }
    if (sel && key === 'i') { nodeAction(host, sel, 'isolate'); return handled(); }
  }
}
