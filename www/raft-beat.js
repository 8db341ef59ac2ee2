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
// (take the host's height), theme (light | dark). The live Simulation is
// `element.simulation`; `element.ready` resolves once the core is loaded.
//
// The element wires the three parts together: the Run (lib/core.js, the
// model), the renderers (lib/render.js, lib/timeline.js) and the controls
// (lib/panels.js), all driven by one Clock (lib/clock.js).
import { loadCore, Run, planScenario, parsePairs, runInSlices, MAX_DRAWN_NODES, SLICE_EVENTS } from './lib/core.js';
import { Clock } from './lib/clock.js';
import { ClusterRenderer, LIGHT, DARK } from './lib/render.js';
import { TimelineRenderer } from './lib/timeline.js';
import { STYLES } from './lib/styles.js';
import { decodeParams, encodeRun } from './lib/share.js';
import { quirkNote, logTime, describeCluster } from './lib/text.js';

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

// The panels (lib/panels.js, about 40 KB) load only for an element that
// shows them: an embed with controls="none" never fetches them.
let Controls = null;
let controlsLoading = null;
function loadControls() {
  controlsLoading ??= import('./lib/panels.js').then((m) => { Controls = m.Controls; });
  return controlsLoading;
}

/** Speeds that make each model watchable: Nacos's 15-20 s re-election in about 2 s, Raft's 150-300 ms in about 2 s. */
export const DEFAULT_SPEED = { nacos: 10, raft: 0.1 };
export const SPEED_RANGE = [0.001, 10_000];

export class RaftBeatElement extends HTMLElement {
  static observedAttributes = ['model', 'nodes', 'seed', 'speed', 'controls', 'autoplay', 'scenario', 'scenario-src', 'settings', 'theme'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.ready = new Promise((resolve, reject) => { this._ready = resolve; this._failed = reject; });
    // The element shows a failure itself; a page that never awaits `ready`
    // must not get an unhandled rejection on top of it.
    this.ready.catch(() => {});
    this.run = null;
    this.clock = null;
    this.active = false;
    this.visible = true;
    this.quirks = new Set();
    this.lastLeaders = '';
    this.plan = [];
    /** The text `scenario-src` gave (null: none, or it failed to load). */
    this.fetchedScenario = null;
    this.starting = null;
  }

  /** The live Simulation (null until `ready`). A reset or a rewind makes a new one: listen for 'simulation'. */
  get simulation() { return this.run?.sim ?? null; }

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

  attributeChangedCallback(name, old, value) {
    if (!this.run || old === value || this.applyingUrl) return;
    if (name === 'speed') {
      if (value !== null && !(Number(value) > 0)) this.showError(`speed: must be a number above 0, got "${value}"`);
      else this.setSpeed(Number(value));
    }
    else if (name === 'controls') this.buildControls();
    else if (name === 'theme') this.applyTheme();
    else if (name === 'autoplay') { if (value !== null) this.clock.play(); } else if (name === 'scenario-src') {
      this.loadScenario().then(({ text, problem }) => {
        // Switched again while this one loaded: the later one wins.
        if (this.getAttribute('scenario-src') !== value) return;
        this.fetchedScenario = text;
        if (problem) this.showError(problem);
        else this.restartFromAttributes();
      });
    } else this.restartFromAttributes();
  }

  /** A new run from the attributes; without a `speed` attribute, a new
   *  model gets its own watchable speed (Nacos's seconds, Raft's ms). */
  restartFromAttributes() {
    const model = this.run.model;
    const kept = { plan: this.plan, about: this.about };
    const problems = [];
    const settings = this.settingsFromAttributes(problems);
    try {
      if (problems.length) throw new Error(problems.join('; '));
      this.restart(settings, { plan: this.plan });
    } catch (e) {
      // Set from the host page at any time (no caller to throw to): say
      // which attribute is wrong, and the run goes on as it was.
      Object.assign(this, kept);
      this.showError(`Attributes not applied: ${e.message}`);
      return;
    }
    if (!this.hasAttribute('speed') && this.run.model !== model) this.setSpeed(DEFAULT_SPEED[this.run.model]);
  }

  get controlsMode() {
    const c = this.getAttribute('controls');
    return c === 'none' || c === 'full' ? c : 'minimal';
  }

  async start() {
    if (SHEET) this.shadowRoot.adoptedStyleSheets = [SHEET];
    this.shadowRoot.innerHTML = `${SHEET ? '' : `<style>${STYLES}</style>`}<div class="rb"><div class="grid"><div class="main">
      <div class="tour" role="group" aria-label="Guided tour" hidden><p class="say" aria-live="polite"></p>
      <div class="tour-nav"><button class="back" aria-keyshortcuts="ArrowLeft PageUp">‹ Back</button>
      <details class="stops"><summary class="tour-count" title="All stops"></summary><ol class="stop-list"></ol></details>
      <button class="next primary" aria-keyshortcuts="ArrowRight PageDown">Continue ›</button>
      <a class="open-lab" target="_blank" rel="noopener" hidden>Open this moment in the lab ↗</a></div></div>
      <div class="stage"><canvas class="ring" tabindex="0" role="img" aria-roledescription="cluster"></canvas>
      <div class="tip" hidden></div><button class="bigplay primary" hidden>▶ Play</button></div>
      </div></div></div>`;
    this.root = this.shadowRoot.querySelector('.rb');
    this.mainEl = this.shadowRoot.querySelector('.main');
    this.stage = this.shadowRoot.querySelector('.stage');
    this.canvas = this.shadowRoot.querySelector('canvas.ring');
    this.renderer = new ClusterRenderer(this.canvas);
    this.tip = this.shadowRoot.querySelector('.tip');
    this.bigPlay = this.shadowRoot.querySelector('.bigplay');
    this.bigPlay.addEventListener('click', () => this.clock.play());
    this.tourEl = this.shadowRoot.querySelector('.tour');
    this.tourEl.querySelector('.back').addEventListener('click', () => this.tourBack());
    this.tourEl.querySelector('.next').addEventListener('click', () => this.tourNext());
    const stops = this.tourEl.querySelector('details.stops');
    stops.addEventListener('keydown', (e) => { if (e.key === 'Escape' && stops.open) { stops.open = false; stops.querySelector('summary').focus(); } });
    this.tourEl.querySelector('.stop-list').addEventListener('click', (e) => {
      const k = e.target.closest('[data-stop]')?.dataset.stop;
      if (!k) return;
      this.tourEl.querySelector('details.stops').open = false;
      this.goToStop(Number(k));
    });
    // The link is made when it is about to be followed: the run moves on.
    const openLab = this.tourEl.querySelector('.open-lab');
    for (const ev of ['pointerdown', 'focus', 'click']) openLab.addEventListener(ev, () => { openLab.href = this.shareUrl(); });
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
      url = decodeParams(location.search, location.hash);
      this.applyingUrl = true;
      if (url.controls) this.setAttribute('controls', url.controls);
      if (url.scenario) this.setAttribute('scenario', url.scenario);
      if (url.scenarioSrc) this.setAttribute('scenario-src', url.scenarioSrc);
      this.applyingUrl = false;
    }
    const problems = [...(url?.errors ?? [])];
    const loaded = await this.loadScenario();
    this.fetchedScenario = loaded.text;
    if (loaded.problem) problems.push(loaded.problem);
    let settings = this.settingsFromAttributes(problems);
    if (url) Object.assign(settings, url.settings);
    const plan = [...this.plan];
    if (url?.actions.length) plan.push(...url.actions.map((a) => ({ ...a, source: 'replay-ahead' })));
    if (this.controlsMode !== 'none') await loadControls();
    this.clock = this.ownClock = new Clock({ speed: 1 });
    this.clock.on(() => { this.controls?.onClock(); this.followSpeed(); this.updateTour(); });
    try {
      this.run = this.makeRun(settings, plan);
    } catch (e) {
      // A bad setting (from a URL, an attribute): say which, start the defaults.
      problems.push(e.message);
      settings = { model: settings.model === 'raft' ? 'raft' : 'nacos' };
      try { this.run = this.makeRun(settings, []); } catch { this.run = this.makeRun({}, []); }
    }
    const speed = url?.speed ?? this.numberAttr('speed') ?? DEFAULT_SPEED[this.run.model];
    this.clock.speed = clampSpeed(speed);
    this.followSpeed();
    this.buildControls();
    this.setupInput();
    this.observe();
    // Removed from the page while the wasm loaded: stay idle until put back.
    if (this.isConnected) { this.clock.add(this); this.attach(); }
    this.active = this.visible && this.isConnected;
    if (url?.t !== null && url?.t !== undefined) {
      // In slices: a link may say t = 100 days, and the page must stay live.
      if (await this.seek(url.t)) {
        // Said after the first frame, which would otherwise announce the leader over it.
        this.firstWords = `Replayed the shared run to ${logTime(this.run.time)}. Press Play to go on from here.`;
      }
    }
    else this.toFirstStop();
    if (problems.length) this.showError(`Some settings were not used: ${problems.join('; ')}`);
    const autoplay = url?.autoplay ?? (this.hasAttribute('autoplay') && url?.t == null && !url?.paused);
    if (autoplay && !url?.paused) this.clock.play();
    this.renderer.dirty = true;
    this.syncUrl();
    this._ready(this);
    this.dispatchEvent(new CustomEvent('ready', { detail: { simulation: this.simulation } }));
  }

  numberAttr(name) {
    const v = this.getAttribute(name);
    if (v === null || v.trim() === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }

  /** Fetches `scenario-src` (a scenario file, like a tour): {text, problem}. */
  async loadScenario() {
    const src = this.getAttribute('scenario-src');
    if (!src) return { text: null, problem: null };
    try {
      const r = await fetch(new URL(src, document.baseURI));
      if (!r.ok) return { text: null, problem: `scenario-src: could not load ${src} (HTTP ${r.status})` };
      return { text: await r.text(), problem: null };
    } catch (e) {
      return { text: null, problem: `scenario-src: could not load ${src} (${e.message})` };
    }
  }

  /** The cluster settings the attributes ask for (scenario first, then model/nodes/seed/settings). */
  settingsFromAttributes(problems = []) {
    const s = {};
    this.plan = [];
    this.about = '';
    const scenario = this.getAttribute('scenario') ?? this.fetchedScenario;
    if (scenario) {
      try {
        const p = planScenario(scenario);
        for (const [k, v] of p.config) s[k] = v;
        this.plan = p.steps.map((x) => ({ ...x, source: 'scenario' }));
        this.about = p.about;
      } catch (e) { problems.push(e.message); }
    }
    for (const k of ['model', 'nodes', 'seed']) {
      const v = this.getAttribute(k);
      if (v !== null && v.trim() !== '') s[k] = v.trim();
    }
    const extra = this.getAttribute('settings');
    if (extra) for (const [k, v] of parsePairs(extra)) s[k] = v;
    return s;
  }

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

  /** Starts a new run with these settings; the old one is dropped. Throws the core's Error. */
  restart(settings, { plan = [], keepSpeed = true } = {}) {
    const run = this.makeRun(settings, plan);
    const old = this.run;
    this.run = run;
    old?.dispose();
    if (!keepSpeed) this.setSpeed(DEFAULT_SPEED[run.model]);
    this.renderer.lost = [];
    this.renderer.caption = this.controlsMode === 'none' && !run.stops.length ? this.about : '';
    this.renderer.dirty = true;
    if (this.renderer.selected > run.n) this.renderer.selected = null;
    this.controls?.onRunChanged();
    this.toFirstStop();
    this.syncUrl();
    this.dispatchEvent(new CustomEvent('simulation', { detail: { simulation: run.sim } }));
    return run;
  }

  // ---- A guided tour: a scenario's `pause` lines are its stops ----------

  /** A tour opens on its first caption when that stop is at time 0. */
  toFirstStop() {
    if (this.run.stops.length && this.run.time === 0) this.run.advanceTo(0, Infinity, { halt: true });
    this.updateTour();
  }

  /** Continue: play on to the next stop (or pause, while playing). */
  tourNext() {
    this.clock.toggle();
    this.syncUrl();
  }

  /** Back: to the current stop when played on from it, else to the one before. */
  tourBack() {
    const run = this.run, k = run.stopsPassed, here = run.stops[k - 1];
    // Before the first stop, Back is the start (the Back button is disabled
    // there only at time 0; ← is not).
    this.goToStop(Math.max(0, here && run.time > here.t + 0.0005 ? k : k - 1));
  }

  /** Goes to stop k of a tour (1 is the first; 0 the start), as if just reached. */
  goToStop(k) {
    const n = this.run.stops.length;
    if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`stop: must be a whole number from 0 to ${n} (the stops of this run's scenario), got ${k}`);
    this.clock.pause();
    const sim = this.run.sim;
    try {
      if (k >= 1) this.run.goToStop(k - 1);
      else { this.run.seek(0); this.toFirstStop(); }
    } catch (e) { this.showError(e.message); }
    this.renderer.lost = [];
    this.renderer.dirty = true;
    if (this.run.sim !== sim) this.dispatchEvent(new CustomEvent('simulation', { detail: { simulation: this.run.sim } }));
    this.updateTour();
    this.syncUrl();
  }

  updateTour() {
    const run = this.run, el = this.tourEl, n = run?.stops.length ?? 0;
    if (el && el.hidden !== !n) { el.hidden = !n; this.root.classList.toggle('touring', !!n); this.renderer.dirty = true; }
    if (!n) return;
    const k = run.stopsPassed, here = run.stops[k - 1];
    const say = here ? here.note || '…' : this.about || 'Press Continue to start.';
    const sayEl = el.querySelector('.say');
    if (sayEl.textContent !== say) sayEl.textContent = say;
    el.querySelector('.tour-count').textContent = `${k} / ${n}`;
    // A page can follow the reader (tour.html keeps ?stop= in its URL).
    if (this.stopSaid?.run !== run || this.stopSaid.k !== k) {
      this.stopSaid = { run, k };
      this.dispatchEvent(new CustomEvent('stop', { detail: { stop: k, stops: n, caption: here?.note ?? '', timeMs: here?.t ?? 0 } }));
    }
    // The list of stops, to jump to any: a long tour's table of contents.
    const list = el.querySelector('.stop-list');
    if (this.stopsListed !== run.stops) {
      this.stopsListed = run.stops;
      list.replaceChildren(...run.stops.map((s, i) => {
        const li = document.createElement('li'), b = document.createElement('button');
        b.dataset.stop = String(i + 1);
        b.textContent = `${i + 1}. ${s.note.length > 70 ? `${s.note.slice(0, 70).replace(/\s+\S*$/, '').replace(/[\s.,;:]+$/, '')}…` : s.note || '…'}`;
        li.append(b);
        return li;
      }));
    }
    list.querySelectorAll('button').forEach((b, i) => { if (i === k - 1) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current'); });
    // Only where the page says where its lab is (share-base).
    el.querySelector('.open-lab').hidden = !this.hasAttribute('share-base');
    // Nothing before: the start, or a first stop at time 0 not yet played on from.
    el.querySelector('.back').disabled = run.time <= 0.0005 && (k === 0 || (k === 1 && here.t === 0));
    el.querySelector('.next').textContent = this.clock.playing ? '❚❚ Pause' : k < n ? 'Continue ›' : 'Play on ›';
  }

  /** ←/→ (or a presenter's PageUp/PageDown) walk a tour. */
  tourKey(e) {
    if (!this.run?.stops.length || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return false;
    const target = e.composedPath()[0], tag = target?.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || tag === 'CANVAS' || target?.isContentEditable) return false;
    if (e.key === 'ArrowRight' || e.key === 'PageDown') { if (!this.clock.playing) this.tourNext(); } else if (e.key === 'ArrowLeft' || e.key === 'PageUp') this.tourBack();
    else return false;
    e.preventDefault();
    return true;
  }

  /** Time 0 again, same settings and seed, the scenario (if any) but none of your actions. */
  reset() {
    this.restart(this.run.init, { plan: this.plan });
    this.announce('Reset: the same settings and seed from time 0.');
  }

  /** Drives this element from another clock: side-by-side runs share one, so
   *  their simulated times stay equal (and slow down together for messages). */
  useClock(clock) {
    if (this.clock === clock) return;
    this.clock?.delete(this);
    if (this.ownClock === this.clock) this.ownClock?.dispose();
    this.clock = clock;
    this.active = this.isConnected;
    clock.add(this);
    clock.on(() => { this.controls?.onClock(); this.followSpeed(); });
    this.followSpeed();
  }

  setSpeed(x) {
    if (!(x > 0)) return;
    this.clock.setSpeed(clampSpeed(x));
  }

  /** Per-frame settings that follow the speed. */
  followSpeed() {
    // Nacos beats go every 5 s: at x60 a loss must fade before the next round.
    this.renderer.lostMs = Math.min(900, Math.max(250, 900 * (20 / this.clock.speed)));
  }

  /** Applies one action (the scenario language); shows the error instead of throwing. */
  act(command) {
    if (this.seeking) {
      this.showError('Still on the way to the chosen moment: act once the run is there.');
      return null;
    }
    try {
      const logged = this.run.act(command);
      this.clearError();
      return logged;
    } catch (e) {
      this.showError(e.message);
      return null;
    }
  }

  /**
   * Moves the run to simulated time t (back by replaying from the seed), a
   * slice of events at a time: a far jump (a shared link's t, a rewind over
   * hours) keeps the page live and says how far it got, where it once froze
   * it. A newer seek or run supersedes it. Resolves true once there; a short
   * jump is there before this returns.
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
        progress: (at) => { if (performance.now() - started > 250) this.controls?.announce(`Replaying to ${logTime(t)}… ${logTime(at)}`); },
        cancelled: () => this.run !== run || this.seeking !== token,
      });
      if (!there) return false;
    } catch (e) {
      this.showError(e.message);
      return false;
    } finally {
      if (this.seeking === token) this.seeking = null;
    }
    this.renderer.lost = [];
    this.renderer.dirty = true;
    this.updateTour();
    this.dispatchEvent(new CustomEvent('simulation', { detail: { simulation: this.run.sim } }));
    if (this.seekResume) this.clock.play();
    return true;
  }

  select(id) {
    this.renderer.selected = id && id >= 1 && id <= this.run.n ? id : null;
    this.renderer.dirty = true;
    this.controls?.onSelect(this.renderer.selected);
  }

  /** A URL that replays this run to now. */
  shareUrl() {
    // A link leaves the page (the clipboard, a new tab): make it absolute.
    // (This page's own query is left behind: the link carries the run.)
    const base = new URL(this.getAttribute('share-base') ?? `${location.origin}${location.pathname}`, document.baseURI);
    base.hash = '';
    return `${base}#${encodeRun(this.run, { t: this.run.time, speed: this.clock.speed, ...this.scenarioParams() })}`;
  }

  /** The run's scenario for a link: its text, or its file's absolute URL. */
  scenarioParams() {
    const src = this.getAttribute('scenario-src');
    return { scenario: this.getAttribute('scenario'), scenarioSrc: src && this.fetchedScenario !== null ? new URL(src, document.baseURI).href : null };
  }

  syncUrl() {
    if (!this.hasAttribute('sync-url') || !this.run) return;
    const t = this.clock?.playing ? undefined : this.run.time;
    // The page's own scenario rides along, or a reload would plan its steps
    // and replay them as actions too.
    const hash = `#${encodeRun(this.run, { t: t > 0 ? t : undefined, ...this.scenarioParams() })}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  announce(text) {
    // A fork is news whatever the action that caused it says about itself.
    if (this.forkNote && !text.includes(this.forkNote)) text = `${text} ${this.forkNote}`;
    this.forkNote = null;
    this.controls?.show(text);
    if (this.controlsMode === 'none') { this.renderer.caption = text; this.renderer.dirty = true; }
    this.dispatchEvent(new CustomEvent('announce', { detail: { text } }));
  }
  showError(text) { this.controls?.showError(text); if (this.controlsMode === 'none') this.renderer.caption = text; }
  clearError() { this.controls?.showError(null); }

  fail(e) {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    // A CSP without 'wasm-unsafe-eval' is the likely cause on a docs site,
    // and the browser's message does not say what to change.
    const csp = /Content.Security.Policy/i.test(e.message)
      ? " This page's Content-Security-Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to its script-src."
      : '';
    p.textContent = `raftbeat could not start: ${e.message}${csp}`;
    this.shadowRoot.append(p);
  }

  applyTheme() {
    const t = this.getAttribute('theme');
    const dark = t === 'dark' || (t !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
    this.renderer.theme = dark ? DARK : LIGHT;
    if (this.timelineRenderer) this.timelineRenderer.theme = this.renderer.theme;
    this.renderer.dirty = true;
  }

  buildControls() {
    this.controls?.dispose();
    this.controls = null;
    const mode = this.controlsMode;
    this.root.classList.toggle('full', mode === 'full');
    if (mode !== 'none') {
      if (Controls) this.controls = new Controls(this, mode);
      // Switched on later: build them once they are here.
      else loadControls().then(() => { if (this.controlsMode === mode && !this.controls) this.buildControls(); });
    }
    this.bigPlay.hidden = this.clock.playing || !!this.controls;
    // A tour says `about` in its own bar.
    this.renderer.caption = mode === 'none' && !this.run.stops.length ? this.about : '';
    this.renderer.dirty = true;
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
    this.resizeObserver.observe(this.stage);
    this.intersection.observe(this);
    matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', () => this.applyTheme(), { signal });
    this.motionQuery.addEventListener?.('change', () => this.followMotion(), { signal });
    if (this.keyTarget !== this) this.keyTarget.addEventListener('keydown', this.onKey, { signal });
    // A theme or motion setting changed while it was away.
    this.applyTheme();
    this.followMotion();
  }

  followMotion() {
    this.renderer.reducedMotion = this.motionQuery.matches;
    this.renderer.dirty = true;
  }

  detach() {
    this.connection?.abort();
    this.connection = null;
    this.resizeObserver?.disconnect();
    this.intersection?.disconnect();
  }

  setupInput() {
    const c = this.canvas;
    let down = null;
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
      const hit = this.renderer.hit(x, y);
      c.style.cursor = hit ? 'pointer' : 'default';
      this.hover = hit ? { ...hit, x, y } : null;
      this.updateTip();
    });
    c.addEventListener('pointerleave', () => { this.hover = null; this.updateTip(); });
    c.addEventListener('keydown', (e) => {
      const n = this.run.n, s = this.renderer.selected;
      if (['ArrowRight', 'ArrowDown'].includes(e.key)) { this.select(s ? (s % n) + 1 : 1); e.preventDefault(); e.stopPropagation(); }
      if (['ArrowLeft', 'ArrowUp'].includes(e.key)) { this.select(s ? ((s + n - 2) % n) + 1 : n); e.preventDefault(); e.stopPropagation(); }
      if (e.key === 'Enter' && s) this.controls?.focusInspector();
    });
    this.keyTarget = this.hasAttribute('global-keys') ? document : this;
    this.onKey = (e) => { if (!this.tourKey(e)) this.controls?.onKey(e); };
    // The document's listener comes and goes with the element (attach).
    if (this.keyTarget === this) this.addEventListener('keydown', this.onKey);
  }

  clickAt(x, y, touch) {
    const hit = this.renderer.hit(x, y, touch);
    if (!hit) { this.select(null); return; }
    if (hit.type === 'node') { this.select(hit.id); return; }
    // A message: drop it (RaftScope's "drop" without the detour).
    const m = this.describeMessage(hit.id);
    if (this.act(`drop-message ${hit.id}`)) this.announce(`Dropped ${m}.`);
  }

  describeMessage(id) {
    const m = this.run.messages;
    for (let i = 0; i < m.length; i += 8) {
      if (m[i] === id) {
        const kind = ['beat', 'beat reply', 'vote request', 'vote reply', 'pre-vote request', 'pre-vote reply', 'peer query', 'peer reply'][m[i + 1]];
        return `message #${id} (${kind} S${m[i + 2]}→S${m[i + 3]}${m[i + 6] >= 0 ? `, term ${m[i + 6]}` : ''})`;
      }
    }
    return `message #${id}`;
  }

  updateTip() {
    const h = this.hover;
    if (!h) { this.tip.hidden = true; return; }
    this.tip.hidden = false;
    this.tip.style.left = `${h.x}px`;
    this.tip.style.top = `${h.y}px`;
    if (h.type === 'message') this.tip.textContent = `${this.describeMessage(h.id)} · click to drop it`;
    else {
      const n = this.run.node(h.id);
      // Only the full controls have an inspector to open.
      const more = this.controls?.full ? ' · click to inspect' : '';
      this.tip.textContent = n ? `S${n.id} ${n.alive ? n.role : 'CRASHED'} · term ${n.term}${n.leader ? ` · knows leader S${n.leader}` : ''}${more}` : '';
    }
  }

  /** Called by the run: new events, actions, errors, rewinds. */
  onRun(kind, detail) {
    if (kind === 'events') {
      for (const e of detail) {
        if (e.event === 'drop') this.renderer.addLost(this.run, e);
        const note = quirkNote(e, this.run.model, this.quirks, this.run.n);
        if (note) this.controls?.note(note, e);
      }
      this.controls?.onEvents(detail);
    } else if (kind === 'action') {
      if (detail.note) this.announce(detail.note);
      else if (detail.source !== 'user') this.announce(`${logTime(detail.t)}: ${detail.command}`);
      this.syncUrl();
      this.controls?.onAction(detail);
    } else if (kind === 'stop') {
      if (detail.halted) this.clock.pause();
      this.renderer.dirty = true;
      this.updateTour();
      this.syncUrl();
    } else if (kind === 'error') {
      this.showError(`${detail.command ? `"${detail.command}" at ${logTime(detail.t)}: ` : ''}${detail.message}`);
    } else if (kind === 'fork') {
      if (detail.dropped) {
        const note = `You changed the past: the ${detail.dropped} later action(s) of the earlier run are dropped.`;
        this.announce(note);
        this.forkNote = note;
      }
      this.syncUrl();
    }
  }

  /** Called by the clock every frame. */
  render(ts) {
    const run = this.run;
    if (!run) return;
    const leaders = run.leaders.map((l) => `${l.id}:${l.term}`).join(',');
    if (leaders !== this.lastLeaders) {
      this.lastLeaders = leaders;
      if (this.firstWords) { this.announce(this.firstWords); this.firstWords = null; } else this.controls?.onLeaders(run.leaders);
      this.dispatchEvent(new CustomEvent('leader', { detail: { leaders: run.leaders, timeMs: run.time } }));
    }
    // Nobody reads thousands of log lines a second, and rendering them costs
    // more than simulating them: past a few dozen events a frame the log
    // keeps only what changed state.
    const ev = this.clock.last_frame.events;
    if (ev > 40 && run.traceLevel === 'protocol') run.setTraceLevel('changes');
    else if (ev < 10 && this.clock.playing && run.traceLevel === 'changes' && !this.keepChanges) run.setTraceLevel('protocol');
    const moving = this.clock.playing || this.renderer.dirty || this.renderer.animating;
    if (moving) this.renderer.draw(run, ts);
    // The ring in words for screen readers, when what it says changes (at most 4 times a second).
    if (ts - (this.described ?? -Infinity) > 250) {
      this.described = ts;
      const label = describeCluster(run);
      if (label !== this.canvas.getAttribute('aria-label')) this.canvas.setAttribute('aria-label', label);
    }
    // A shared clock has its own controls (a comparison's Play button).
    this.bigPlay.hidden = this.clock.playing || !!this.controls || this.clock !== this.ownClock || !this.tourEl.hidden;
    this.controls?.frame(ts, moving);
    if (this.hover && moving) this.updateTip();
  }
}

function clampSpeed(x) {
  return Math.min(SPEED_RANGE[1], Math.max(SPEED_RANGE[0], x));
}

if (!customElements.get('raft-beat')) customElements.define('raft-beat', RaftBeatElement);
