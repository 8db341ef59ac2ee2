// @ts-check
// The element's news, for its controls: a tiny typed emitter. Controls
// subscribe (with an AbortSignal that their dispose aborts) and act only
// through the element's methods; the element never reaches into them.

/** @typedef {import('./core.js').Run} Run */
/** @typedef {import('./clock.js').Clock} Clock */
/** @typedef {import('./core.js').TraceEvent} TraceEvent */
/** @typedef {import('./render.js').Theme} Theme */

/**
 * What the element says, by event name, with its payload:
 * @typedef {object} ElementEvents
 * @property {{ run: Run }} run A new run replaced the old one (restart, reset, new settings or model).
 * @property {{ clock: Clock }} clock The clock played, paused, changed speed, or was replaced.
 * @property {{ id: number | null }} select The selected node changed (null: none).
 * @property {{ events: TraceEvent[] }} trace New trace events of the run.
 * @property {{ action: import('./core.js').Action }} action An action was applied (by anyone).
 * @property {{ text: string, message: string, vars: Record<string, unknown>, event: TraceEvent }} note A model quirk worth a note, at this event: its text, and its catalog key and values (lib/i18n.js).
 * @property {{ leaders: { id: number, term: number }[] }} leaders The live leaders changed.
 * @property {{ text: string }} say The element announces this.
 * @property {{ text: string | null }} error An error to show (null: clear it).
 * @property {{ ts: number, moving: boolean }} frame A frame was drawn (moving: the ring was redrawn).
 * @property {{ theme: Theme }} theme The colour theme changed.
 * @property {{ name: 'drop-next' | 'help' | 'focus-log' | 'focus-inspector' | 'write' }} command A keyboard shortcut that a control carries out.
 */

/** @template {Record<string, any>} E */
export class Emitter {
  constructor() {
    /** @type {Map<keyof E, Set<(detail: any) => void>>} */
    this.handlers = new Map();
  }

  /**
   * Calls fn(detail) on each `name` until `signal` aborts.
   * @template {keyof E} K
   * @param {K} name @param {(detail: E[K]) => void} fn @param {AbortSignal} [signal]
   */
  on(name, fn, signal) {
    if (signal?.aborted) return;
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(fn);
    signal?.addEventListener('abort', () => set.delete(fn), { once: true });
  }

  /** @template {keyof E} K @param {K} name @param {E[K]} detail */
  emit(name, detail) {
    const set = this.handlers.get(name);
    if (set) for (const fn of [...set]) fn(detail);
  }
}
