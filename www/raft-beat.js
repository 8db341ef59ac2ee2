// @ts-check
// <raft-beat>: a live Raft / Nacos cluster you can poke at, in one element.
//
//   <script type="module" src="https://example.org/raftbeat/raft-beat.js"></script>
//   <raft-beat model="nacos" nodes="5" seed="7" speed="10" controls="minimal" autoplay></raft-beat>
//
// Attributes: model, nodes, seed, speed, controls (none | minimal | full),
// autoplay, scenario (script commands separated by ; or newlines; `pause`
// lines make it a guided tour), scenario-src (the same, from a file),
// settings ("heartbeat=2s loss=0.1"), sync-url (read the run from the page
// URL and keep it there), global-keys (shortcuts anywhere on the page), fill
// (take the host's height), theme (light | dark), lang (en | zh-CN; else
// the page's <html lang>, else the browser's). The live Simulation is
// `element.simulation`; `element.ready` resolves once the core is loaded.
//
// The element wires the parts together: the Run (lib/core.js, the model),
// the renderer (lib/render.js), the tour (lib/tour.js), pointer and keys
// (lib/input.js), the URL (lib/url-sync.js) and the controls
// (lib/panels.js), all driven by one Clock (lib/clock.js). The controls
// hear the element's events (`events`, see lib/events.js) and call its
// methods: togglePlay, step, reset, setSpeed, select, act, seek, skip,
// restart, setTraceLevel, share, announce, showError.
import { loadCore, Run, runInSlices, MAX_DRAWN_NODES, SLICE_EVENTS } from './lib/core.js';
import { Clock } from './lib/clock.js';
import { ClusterRenderer, LIGHT, DARK } from './lib/render.js';
import { STYLES } from './lib/styles.js';
import { quirkNote, logTime, describeCluster } from './lib/text.js';
import { Emitter } from './lib/events.js';
import { Tour } from './lib/tour.js';
import { Input } from './lib/input.js';
import { readPageUrl, shareUrl, syncUrl, share } from './lib/url-sync.js';
import { one } from './lib/dom.js';
import { numberAttr, loadScenario, readAttributes } from './lib/attributes.js';
import { resolveLang, loadLang, addWords, t, onPageLangChange } from './lib/i18n.js';

/** @typedef {import('./lib/events.js').ElementEvents} ElementEvents */
/** @typedef {import('./lib/panels.js').Controls} Controls */

/**
 * The styles as one stylesheet shared by every element on the page, adopted
 * by each shadow root rather than written as a <style> element: a host page
 * whose Content-Security-Policy forbids inline styles (docs sites often do)
 * blocks <style> but not an adopted sheet. null where the browser has no
 * constructable stylesheets; then a <style> element it is.
 */
const SHEET = (() => {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    return 'adoptedStyleSheets' in ShadowRoot.prototype ? sheet : null;
  } catch { return null; }
})();

/** The attributes a run is made from (the others apply to a running one). */
const RUN_ATTRIBUTES = ['model', 'nodes', 'seed', 'scenario', 'scenario-src', 'settings'];

// The controls (lib/panels.js and its parts, about 56 KB) load only for
// an element that shows them: an embed with controls="none" never fetches them.
/** @type {typeof import('./lib/panels.js').Controls | null} */
let ControlsClass = null;
/** @type {Promise<void> | null} */
let controlsLoading = null;
function loadControls() {
  // The controls' English words come with them (lib/i18n.js addWords).
  controlsLoading ??= Promise.all([import('./lib/panels.js'), import('./i18n/en/controls.js')]).then(([m, words]) => {
    addWords('en', words.default);
    ControlsClass = m.Controls;
  });
  return controlsLoading;
}

/** Speeds that make each model watchable: Nacos's 15-20 s re-election in about 2 s, Raft's 150-300 ms in about 2 s. */
export const DEFAULT_SPEED = { nacos: 10, raft: 0.1 };
export const SPEED_RANGE = [0.001, 10_000];

/** @typedef {{ tMs: number, command?: string | ((run: Run) => string), note?: string, pause?: boolean, source?: string }} PlanStep */

export class RaftBeatElement extends HTMLElement {
  static observedAttributes = ['model', 'nodes', 'seed', 'speed', 'controls', 'autoplay', 'scenario', 'scenario-src', 'settings', 'theme', 'lang'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    /** @type {(value: RaftBeatElement) => void} */
    this._ready = () => {};
    /** @type {(reason: unknown) => void} */
    this._failed = () => {};
    /** Resolves with the element once the core is loaded and the run made. @type {Promise<RaftBeatElement>} */
    this.ready = new Promise((resolve, reject) => { this._ready = resolve; this._failed = reject; });
    // The element shows a failure itself; a page that never awaits `ready`
    // must not get an unhandled rejection on top of it.
    this.ready.catch(() => {});
    /** What the controls hear (see lib/events.js). @type {Emitter<ElementEvents>} */
    this.events = new Emitter();
    /** The run (null until `ready`). */
    this.run = /** @type {Run} */ (/** @type {unknown} */ (null));
    this.clock = /** @type {Clock} */ (/** @type {unknown} */ (null));
    /** @type {Clock | null} */
    this.ownClock = null;
    /** @type {Controls | null} */
    this.controls = null;
    this.active = false;
    this.visible = true;
    /** @type {Set<string>} */
    this.quirks = new Set();
    this.lastLeaders = '';
    /** Whether a cluster was drawn yet (the `raftbeat:first-frame` mark). */
    this.drawnOnce = false;
    /** @type {PlanStep[]} */
    this.plan = [];
    this.about = '';
    /** The text `scenario-src` gave (null: none, or it failed to load). @type {string | null} */
    this.fetchedScenario = null;
    /** @type {Promise<void> | null} */
    this.starting = null;
    this.applyingUrl = false;
    /** A seek in progress (its token), or null. @type {object | null} */
    this.seeking = null;
    /** @type {boolean} */
    this.seekResume = false;
    /** While a skip runs, the log keeps to state changes whatever the frame rate. */
    /** @type {boolean} */
    this.keepChanges = false;
    /** Said after the first frame (instead of the leader). @type {string | null} */
    this.firstWords = null;
    /** @type {string | null} */
    this.forkNote = null;
    /** @type {number | undefined} */
    this.described = undefined;
    /** @type {AbortController | null} */
    this.connection = null;
    /** The language the element speaks (lib/i18n.js). @type {import('./lib/i18n.js').Lang} */
    this.language = 'en';
  }

  /** This element's text for `key` in its language (lib/i18n.js). @param {string} key @param {Record<string, unknown>} [vars] */
  t(key, vars) { return t(this.language, key, vars); }

  /** The live Simulation (null until `ready`). A reset or a rewind makes a new one: listen for 'simulation'. */
  get simulation() { return this.run?.sim ?? null; }

  /** The selected node (null: none). */
  get selected() { return this.renderer?.selected ?? null; }

  /** The colour theme in use. */
  get theme() { return this.renderer.theme; }

  connectedCallback() {
    this.starting ??= this.start().catch((e) => {
      this.fail(e);
      this._failed(e);
    });
    if (this.clock && this.run) { this.clock.add(this); this.active = this.visible; this.attach(); }
  }

  /**
   * Removed from the page (a docs site's client-side navigation does it on
   * every page change): let go of everything outside the element, so that
   * nothing keeps it, and its Simulation in wasm memory, alive. Put back, it
   * goes on where it was.
   */
  disconnectedCallback() {
    this.clock?.delete(this);
    this.active = false;
    this.detach();
  }

  /** @param {string} name @param {string | null} old @param {string | null} value */
  attributeChangedCallback(name, old, value) {
    if (!this.run || old === value || this.applyingUrl) return;
    if (name === 'lang') this.followLanguage();
    else if (name === 'speed') {
      if (value !== null && !(Number(value) > 0)) this.showError(`speed: must be a number above 0, got "${value}"`);
      else this.setSpeed(Number(value));
    }
    else if (name === 'controls') this.buildControls();
    else if (name === 'theme') this.applyTheme();
    else if (name === 'autoplay') { if (value !== null) this.clock.play(); } else if (name === 'scenario-src') this.reloadScenario();
    else this.restartFromAttributes();
  }

  /** Loads `scenario-src` again and restarts from it; switched again
   *  while it loaded, the later one wins. */
  async reloadScenario() {
    const src = this.getAttribute('scenario-src');
    const { text, problem } = await loadScenario(this);
    if (this.getAttribute('scenario-src') !== src) return;
    this.fetchedScenario = text;
    if (problem) this.showError(problem);
    else this.restartFromAttributes();
  }

  /** The attributes a run is made from, as one string to compare. */
  runAttributes() {
    return RUN_ATTRIBUTES.map((a) => this.getAttribute(a)).join('\u0000');
  }

  /** A new run from the attributes; without a `speed` attribute, a new
   *  model gets its own watchable speed (Nacos's seconds, Raft's ms). */
  restartFromAttributes() {
    const model = this.run.model;
    const kept = { plan: this.plan, about: this.about };
    /** @type {string[]} */
    const problems = [];
    const settings = this.settingsFromAttributes(problems);
    try {
      if (problems.length) throw new Error(problems.join('; '));
      this.restart(settings, { plan: this.plan });
    } catch (e) {
      // Set from the host page at any time (no caller to throw to): say
      // which attribute is wrong, and the run goes on as it was.
      Object.assign(this, kept);
      this.showError(this.t('shell.attributesNotApplied', { message: /** @type {Error} */ (e).message }));
      return;
    }
    if (!this.hasAttribute('speed') && this.run.model !== model) this.setSpeed(defaultSpeed(this.run.model));
  }

  /** @returns {'none' | 'minimal' | 'full'} */
  get controlsMode() {
    const c = this.getAttribute('controls');
    return c === 'none' || c === 'full' ? c : 'minimal';
  }

  async start() {
    const root = /** @type {ShadowRoot} */ (this.shadowRoot);
    if (SHEET) root.adoptedStyleSheets = [SHEET];
    // The language first: the shell's words are in it (an English page loads
    // nothing more). A page that follows its URL may name it there.
    const urlLang = this.hasAttribute('sync-url') ? readPageUrl().lang : null;
    if (urlLang) { this.applyingUrl = true; this.setAttribute('lang', urlLang); this.applyingUrl = false; }
    this.language = await loadLang(resolveLang(this));
    root.innerHTML = `${SHEET ? '' : `<style>${STYLES}</style>`}<div class="rb"><div class="grid"><div class="main">
      <div class="tour" role="group" hidden><p class="say" aria-live="polite"></p>
      <div class="tour-nav"><button class="back" aria-keyshortcuts="ArrowLeft PageUp"></button>
      <details class="stops"><summary class="tour-count"></summary><ol class="stop-list"></ol></details>
      <button class="next primary" aria-keyshortcuts="ArrowRight PageDown"></button>
      <a class="open-lab" target="_blank" rel="noopener" hidden></a></div></div>
      <div class="stage"><canvas class="ring" tabindex="0" role="img"></canvas>
      <div class="tip" hidden></div><button class="bigplay primary" hidden></button></div>
      </div></div></div>`;
    this.root = one(root, '.rb');
    this.mainEl = one(root, '.main');
    this.stage = one(root, '.stage');
    this.canvas = /** @type {HTMLCanvasElement} */ (one(root, 'canvas.ring'));
    this.renderer = new ClusterRenderer(this.canvas);
    this.tip = one(root, '.tip');
    this.bigPlay = one(root, '.bigplay');
    this.bigPlay.addEventListener('click', () => this.clock.play());
    this.tourEl = one(root, '.tour');
    this.tour = new Tour(this, this.tourEl);
    this.labelShell();
    this.applyTheme();
    this.motionQuery = matchMedia('(prefers-reduced-motion: reduce)');
    // Fetched alongside the wasm when the controls will show (a page that
    // follows its URL may say so there).
    const early = this.hasAttribute('sync-url') ? new URLSearchParams(location.search).get('controls') ?? this.controlsMode : this.controlsMode;
    if (early !== 'none') loadControls();
    await loadCore();

    // Settings: a scenario's cluster line, then the attributes, then the page URL.
    let url = null;
    if (this.hasAttribute('sync-url')) {
      url = readPageUrl();
      this.applyingUrl = true;
      if (url.controls) this.setAttribute('controls', url.controls);
      if (url.scenario) this.setAttribute('scenario', url.scenario);
      if (url.scenarioSrc) this.setAttribute('scenario-src', url.scenarioSrc);
      this.applyingUrl = false;
    }
    /** @type {string[]} */
    const problems = [...(url?.errors ?? [])];
    const src = this.getAttribute('scenario-src');
    const loaded = await loadScenario(this);
    this.fetchedScenario = loaded.text;
    if (loaded.problem) problems.push(loaded.problem);
    /** @type {Record<string, any>} */
    let settings = this.settingsFromAttributes(problems);
    const read = this.runAttributes();
    if (url) Object.assign(settings, url.settings);
    const plan = [...this.plan];
    if (url?.actions.length) plan.push(...url.actions.map((a) => ({ ...a, source: 'replay-ahead' })));
    if (this.controlsMode !== 'none') await loadControls();
    this.clock = this.ownClock = new Clock({ speed: 1 });
    this.clock.on(() => { this.events.emit('clock', { clock: this.clock }); this.followSpeed(); this.tour.update(); });
    try {
      this.run = this.makeRun(settings, plan);
    } catch (e) {
      // A bad setting (from a URL, an attribute): say which, start the defaults.
      problems.push(/** @type {Error} */ (e).message);
      settings = { model: settings.model === 'raft' ? 'raft' : 'nacos' };
      try { this.run = this.makeRun(settings, []); } catch { this.run = this.makeRun({}, []); }
    }
    const speed = url?.speed ?? numberAttr(this, 'speed') ?? defaultSpeed(this.run.model);
    this.clock.speed = clampSpeed(speed);
    this.followSpeed();
    // The page may have chosen its language while the core loaded (the lab's switch follows the browser's).
    if (resolveLang(this) !== this.language) { this.language = await loadLang(resolveLang(this)); this.labelShell(); }
    this.buildControls();
    this.input = new Input(this);
    this.observe();
    // Removed from the page while the wasm loaded: stay idle until put back.
    if (this.isConnected) { this.clock.add(this); this.attach(); }
    this.active = this.visible && this.isConnected;
    if (url?.t !== null && url?.t !== undefined) {
      // In slices: a link may say t = 100 days, and the page must stay live.
      if (await this.seek(url.t)) {
        // Said after the first frame, which would otherwise announce the leader over it.
        this.firstWords = this.t('shell.replayed', { time: logTime(this.run.time) });
      }
    }
    else this.tour.toFirstStop();
    if (problems.length) this.showError(this.t('shell.someSettings', { problems: problems.join('; ') }));
    // The host page changed the attributes while this started (say a
    // scenario-src set during the first one's fetch): the later ones win,
    // as they do once it runs.
    if (this.getAttribute('scenario-src') !== src) await this.reloadScenario();
    else if (this.runAttributes() !== read) this.restartFromAttributes();
    const autoplay = url?.autoplay ?? (this.hasAttribute('autoplay') && url?.t == null && !url?.paused);
    if (autoplay && !url?.paused) this.clock.play();
    this.redraw();
    this.syncUrl();
    this._ready(this);
    this.dispatchEvent(new CustomEvent('ready', { detail: { simulation: this.simulation } }));
    // The lang attribute (or the page's) changed while the core loaded.
    if (resolveLang(this) !== this.language) this.followLanguage();
  }

  /** The cluster settings the attributes ask for; sets `plan` and `about` from the scenario.
   *  @param {string[]} problems @returns {Record<string, any>} */
  settingsFromAttributes(problems = []) {
    const { settings, plan, about } = readAttributes(this, this.fetchedScenario, problems);
    this.plan = plan;
    this.about = about;
    return settings;
  }

  /** @param {Record<string, any>} settings @param {PlanStep[]} plan */
  makeRun(settings, plan) {
    const nodes = Number(settings.nodes ?? 5);
    if (Number.isFinite(nodes) && nodes > MAX_DRAWN_NODES) {
      throw new Error(`nodes: the page draws at most ${MAX_DRAWN_NODES} nodes (the core runs up to 1001: use the API or the CLI), got ${nodes}`);
    }
    const run = new Run(settings, { plan });
    run.on((kind, detail) => this.onRun(kind, detail));
    this.quirks.clear();
    this.lastLeaders = '';
    return run;
  }

  /** Starts a new run with these settings; the old one is dropped. Throws the core's Error.
   *  @param {Record<string, any>} settings @param {{ plan?: PlanStep[], keepSpeed?: boolean }} [options] */
  restart(settings, { plan = [], keepSpeed = true } = {}) {
    const run = this.makeRun(settings, plan);
    const old = this.run;
    this.run = run;
    old?.dispose();
    if (!keepSpeed) this.setSpeed(defaultSpeed(run.model));
    this.renderer.lost = [];
    this.renderer.caption = this.controlsMode === 'none' && !run.stops.length ? this.about : '';
    this.redraw();
    if ((this.renderer.selected ?? 0) > run.n) this.renderer.selected = null;
    this.events.emit('run', { run });
    this.tour.toFirstStop();
    this.syncUrl();
    this.dispatchEvent(new CustomEvent('simulation', { detail: { simulation: run.sim } }));
    return run;
  }

  /** Goes to stop k of a tour (1 is the first; 0 the start), as if just reached. @param {number} k */
  goToStop(k) {
    const n = this.run.stops.length;
    if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`stop: must be a whole number from 0 to ${n} (the stops of this run's scenario), got ${k}`);
    this.clock.pause();
    const sim = this.run.sim;
    try {
      if (k >= 1) this.run.goToStop(k - 1);
      else { this.run.seek(0); this.tour.toFirstStop(); }
    } catch (e) { this.showError(/** @type {Error} */ (e).message); }
    this.renderer.lost = [];
    this.redraw();
    if (this.run.sim !== sim) this.dispatchEvent(new CustomEvent('simulation', { detail: { simulation: this.run.sim } }));
    this.tour.update();
    this.syncUrl();
  }

  /** Time 0 again, same settings and seed, the scenario (if any) but none of your actions. */
  reset() {
    this.restart(this.run.init, { plan: this.plan });
    this.announce(this.t('shell.reset'));
  }

  /** Play or pause. */
  togglePlay() {
    this.clock.toggle();
    this.syncUrl();
  }

  /** Single step: pauses, runs to the next event that shows in the trace, and says what it was. */
  step() {
    this.clock.pause();
    this.run.stepEvent();
    this.redraw();
    const items = this.run.log.items, last = items[items.length - 1];
    if (last) this.announce(this.t('shell.step', { time: logTime(this.run.time), what: `${last.node ? `S${last.node} ` : ''}${last.event} ${last.text ?? ''}` }));
  }

  /**
   * Runs `ms` of simulated time ahead as fast as it goes (only state changes
   * logged), a slice at a time so the page stays live. A new run (a reset)
   * during it ends it.
   * @param {number} ms
   */
  async skip(ms) {
    const run = this.run, clock = this.clock;
    if (this.seeking) return;
    const was = clock.playing;
    clock.pause();
    const target = run.time + ms;
    try {
      run.setTraceLevel('changes');
      this.keepChanges = true;
      const there = await runInSlices(run.advanceSteps(target, SLICE_EVENTS), {
        progress: () => { run.refresh(); this.announce(this.t('shell.skipping', { time: logTime(run.time) })); },
        cancelled: () => this.run !== run,
      });
      if (!there) return;
      run.refresh();
      this.announce(this.t('shell.skipped', { time: logTime(run.time) }));
    } catch (e) {
      this.showError(/** @type {Error} */ (e).message);
    } finally {
      this.keepChanges = false;
      // A reset or a new run during the skip freed this run's Simulation:
      // touching it would throw "null pointer passed to rust".
      if (this.run === run) {
        run.setTraceLevel('protocol');
        this.redraw();
        if (was) clock.play();
      }
    }
  }

  /** How much of the trace the log gets. @param {import('./pkg/raftbeat.js').TraceLevel} level */
  setTraceLevel(level) { this.run.setTraceLevel(level); }

  /** Drives this element from another clock: side-by-side runs share one, so
   *  their simulated times stay equal (and slow down together for messages).
   *  @param {Clock} clock */
  useClock(clock) {
    if (this.clock === clock) return;
    this.clock?.delete(this);
    if (this.ownClock === this.clock) this.ownClock?.dispose();
    this.clock = clock;
    this.active = this.isConnected;
    clock.add(this);
    clock.on(() => { this.events.emit('clock', { clock }); this.followSpeed(); });
    this.followSpeed();
  }

  /** @param {number} x */
  setSpeed(x) {
    if (!(x > 0)) return;
    this.clock.setSpeed(clampSpeed(x));
  }

  /** Per-frame settings that follow the speed. */
  followSpeed() {
    // Nacos beats go every 5 s: at x60 a loss must fade before the next round.
    this.renderer.lostMs = Math.min(900, Math.max(250, 900 * (20 / this.clock.speed)));
  }

  /** Applies one action (the scenario language); shows the error instead of throwing.
   *  @param {string} command @returns {string | null} the action as logged, or null */
  act(command) {
    if (this.seeking) {
      this.showError(this.t('shell.stillSeeking'));
      return null;
    }
    try {
      const logged = this.run.act(command);
      this.clearError();
      return logged;
    } catch (e) {
      this.showError(/** @type {Error} */ (e).message);
      return null;
    }
  }

  /**
   * Moves the run to simulated time t (back by replaying from the seed), a
   * slice of events at a time: a far jump (a shared link's t, a rewind over
   * hours) keeps the page live and says how far it got, where it once froze
   * it. A newer seek or run supersedes it. Resolves true once there; a short
   * jump is there before this returns.
   * @param {number} t
   */
  async seek(t) {
    const run = this.run, token = {};
    // Playing resumes after the last of overlapping seeks.
    this.seekResume = this.seeking ? this.seekResume : this.clock.playing;
    this.seeking = token;
    this.clock.pause();
    const started = performance.now();
    try {
      const there = await runInSlices(run.seekSteps(t, null, SLICE_EVENTS), {
        progress: (at) => { if (performance.now() - started > 250) this.announce(this.t('shell.replayingTo', { target: logTime(t), at: logTime(at) })); },
        cancelled: () => this.run !== run || this.seeking !== token,
      });
      if (!there) return false;
    } catch (e) {
      this.showError(/** @type {Error} */ (e).message);
      return false;
    } finally {
      if (this.seeking === token) this.seeking = null;
    }
    this.renderer.lost = [];
    this.redraw();
    this.tour.update();
    this.dispatchEvent(new CustomEvent('simulation', { detail: { simulation: this.run.sim } }));
    if (this.seekResume) this.clock.play();
    return true;
  }

  /** @param {number | null} id */
  select(id) {
    this.renderer.selected = id && id >= 1 && id <= this.run.n ? id : null;
    this.redraw();
    this.events.emit('select', { id: this.renderer.selected });
  }

  /** Draw the ring again on the next frame. */
  redraw() { this.renderer.dirty = true; }

  /** A URL that replays this run to now. */
  shareUrl() { return shareUrl(this); }

  /** Share: the link on the page and on the clipboard. */
  share() { return share(this); }

  syncUrl() { syncUrl(this); }

  /** @param {string} text */
  announce(text) {
    // A fork is news whatever the action that caused it says about itself.
    if (this.forkNote && !text.includes(this.forkNote)) text = `${text} ${this.forkNote}`;
    this.forkNote = null;
    this.events.emit('say', { text });
    if (this.controlsMode === 'none') { this.renderer.caption = text; this.redraw(); }
    this.dispatchEvent(new CustomEvent('announce', { detail: { text } }));
  }
  /** @param {string} text */
  showError(text) { this.events.emit('error', { text }); if (this.controlsMode === 'none') this.renderer.caption = text; }
  clearError() { this.events.emit('error', { text: null }); }

  /** @param {Error} e */
  fail(e) {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    // A CSP without 'wasm-unsafe-eval' is the likely cause on a docs site,
    // and the browser's message does not say what to change.
    const csp = /Content.Security.Policy/i.test(e.message) ? this.t('shell.cspWasm') : '';
    p.textContent = `${this.t('shell.couldNotStart', { message: e.message })}${csp}`;
    this.shadowRoot?.append(p);
  }

  /** The shell's own words (the tour bar, the big Play button), in the element's language. */
  labelShell() {
    const root = /** @type {ShadowRoot} */ (this.shadowRoot);
    this.tourEl.setAttribute('aria-label', this.t('shell.tourLabel'));
    one(root, '.tour .back').textContent = this.t('shell.back');
    one(root, '.tour-count').title = this.t('shell.allStops');
    one(root, '.tour .open-lab').textContent = this.t('shell.openLab');
    this.canvas.setAttribute('aria-roledescription', this.t('shell.cluster'));
    this.bigPlay.textContent = this.t('shell.play');
    this.renderer.words = (key, vars) => this.t(key, vars);
    this.redraw();
  }

  /**
   * Speaks the language the attributes and the page now ask for: loads its
   * catalog, then relabels the shell and rebuilds the controls in it. The
   * run goes on untouched (same time, same clock); the controls keep what
   * the reader set in them (the log's filters, its notes, the open panels).
   */
  async followLanguage() {
    const wanted = await loadLang(resolveLang(this));
    // Asked again while loading: the latest ask wins; no run yet: start() sets it.
    if (wanted !== resolveLang(this) || wanted === this.language || !this.run) return;
    this.language = wanted;
    this.labelShell();
    this.tour.update();
    this.buildControls();
    this.described = undefined;
    this.announce(this.t('shell.language'));
    this.syncUrl();
    this.dispatchEvent(new CustomEvent('langchange', { detail: { lang: wanted } }));
  }

  applyTheme() {
    const t = this.getAttribute('theme');
    const dark = t === 'dark' || (t !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
    this.renderer.theme = dark ? DARK : LIGHT;
    this.events.emit('theme', { theme: this.renderer.theme });
    this.redraw();
  }

  buildControls() {
    // What the reader set in the old controls goes on in the new ones (a language switch rebuilds them).
    const kept = this.controls?.keep() ?? null;
    this.controls?.dispose();
    this.controls = null;
    const mode = this.controlsMode;
    this.root.classList.toggle('full', mode === 'full');
    if (mode !== 'none') {
      const grid = one(/** @type {ShadowRoot} */ (this.shadowRoot), '.grid');
      if (ControlsClass) {
        this.controls = new ControlsClass(this, mode, { main: this.mainEl, stage: this.stage, tour: this.tourEl, grid });
        if (kept) this.controls.restore(kept);
      }
      // Switched on later: build them once they are here.
      else loadControls().then(() => { if (this.controlsMode === mode && !this.controls) this.buildControls(); });
    }
    this.bigPlay.hidden = this.clock.playing || !!this.controls;
    // A tour says `about` in its own bar.
    this.renderer.caption = mode === 'none' && !this.run.stops.length ? this.about : '';
    this.redraw();
  }

  /** Resizing, visibility (an element scrolled away or a hidden tab does not run). */
  observe() {
    const fit = () => {
      // The canvas's own box (inside the stage's border): one canvas pixel per device pixel.
      const box = this.canvas.getBoundingClientRect();
      this.renderer.resize(box.width, box.height, devicePixelRatio || 1);
    };
    this.resizeObserver = new ResizeObserver(fit);
    fit();
    this.intersection = new IntersectionObserver((entries) => {
      this.visible = entries.some((e) => e.isIntersecting);
      // Runs that share a clock must advance together, seen or not.
      this.active = (this.visible || this.clock !== this.ownClock) && this.isConnected;
    });
  }

  /** What the element listens to outside itself, only while it is on the page (see disconnectedCallback). */
  attach() {
    this.detach();
    const signal = (this.connection = new AbortController()).signal;
    this.resizeObserver?.observe(this.stage);
    this.intersection?.observe(this);
    matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', () => this.applyTheme(), { signal });
    this.motionQuery.addEventListener?.('change', () => this.followMotion(), { signal });
    this.input?.listen(signal);
    // A page that switches its own language (the lab's EN / 中文) sets <html lang>.
    onPageLangChange(() => this.followLanguage(), signal);
    // A theme or motion setting changed while it was away.
    this.applyTheme();
    this.followMotion();
  }

  followMotion() {
    this.renderer.reducedMotion = this.motionQuery.matches;
    this.redraw();
  }

  detach() {
    this.connection?.abort();
    this.connection = null;
    this.resizeObserver?.disconnect();
    this.intersection?.disconnect();
  }

  /** Called by the run: new events, actions, errors, rewinds.
   *  @param {string} kind @param {any} detail */
  onRun(kind, detail) {
    if (kind === 'events') {
      for (const e of detail) {
        if (e.event === 'drop') this.renderer.addLost(this.run, e);
        const note = quirkNote(e, this.run.model, this.quirks, this.run.n);
        // Notes go to the log and are said aloud, where there are controls to say them.
        if (note && this.controls) {
          const text = this.t(note.message, note.vars);
          this.events.emit('note', { text, message: note.message, vars: note.vars, event: e });
          this.announce(text);
        }
      }
      this.events.emit('trace', { events: detail });
    } else if (kind === 'action') {
      if (detail.note) this.announce(detail.note);
      else if (detail.source !== 'user') this.announce(this.t('shell.actionAt', { time: logTime(detail.t), command: detail.command }));
      this.syncUrl();
      this.events.emit('action', { action: detail });
    } else if (kind === 'stop') {
      if (detail.halted) this.clock.pause();
      this.redraw();
      this.tour.update();
      this.syncUrl();
    } else if (kind === 'error') {
      this.showError(detail.command ? this.t('shell.errorAt', { command: detail.command, time: logTime(detail.t), message: detail.message }) : detail.message);
    } else if (kind === 'fork') {
      if (detail.dropped) {
        const note = this.t('shell.forked', { count: detail.dropped });
        this.announce(note);
        this.forkNote = note;
      }
      this.syncUrl();
    }
  }

  /** Called by the clock every frame. @param {number} ts */
  render(ts) {
    const run = this.run;
    if (!run) return;
    const leaders = run.leaders.map((l) => `${l.id}:${l.term}`).join(',');
    if (leaders !== this.lastLeaders) {
      this.lastLeaders = leaders;
      if (this.firstWords) { this.announce(this.firstWords); this.firstWords = null; } else this.events.emit('leaders', { leaders: run.leaders });
      this.dispatchEvent(new CustomEvent('leader', { detail: { leaders: run.leaders, timeMs: run.time } }));
    }
    // Nobody reads thousands of log lines a second, and rendering them costs
    // more than simulating them: past a few dozen events a frame the log
    // keeps only what changed state.
    const ev = this.clock.last_frame.events;
    if (ev > 40 && run.traceLevel === 'protocol') run.setTraceLevel('changes');
    else if (ev < 10 && this.clock.playing && run.traceLevel === 'changes' && !this.keepChanges) run.setTraceLevel('protocol');
    const moving = this.clock.playing || this.renderer.dirty || this.renderer.animating;
    if (moving) {
      this.renderer.draw(run, ts);
      // A standard mark a page author (and the size benchmark) can read:
      // the time from navigation to the element's first drawn cluster.
      if (!this.drawnOnce) { this.drawnOnce = true; performance.mark('raftbeat:first-frame'); }
    }
    // The ring in words for screen readers, when what it says changes (at most 4 times a second).
    if (ts - (this.described ?? -Infinity) > 250) {
      this.described = ts;
      const label = describeCluster(run, (key, vars) => this.t(key, vars));
      if (label !== this.canvas.getAttribute('aria-label')) this.canvas.setAttribute('aria-label', label);
    }
    // A shared clock has its own controls (a comparison's Play button).
    this.bigPlay.hidden = this.clock.playing || !!this.controls || this.clock !== this.ownClock || !this.tourEl.hidden;
    this.events.emit('frame', { ts, moving });
    if (this.input?.hover && moving) this.input.updateTip();
  }
}

/** @param {string} model */
function defaultSpeed(model) {
  return model === 'raft' ? DEFAULT_SPEED.raft : DEFAULT_SPEED.nacos;
}

/** @param {number} x */
function clampSpeed(x) {
  return Math.min(SPEED_RANGE[1], Math.max(SPEED_RANGE[0], x));
}

if (!customElements.get('raft-beat')) customElements.define('raft-beat', RaftBeatElement);
