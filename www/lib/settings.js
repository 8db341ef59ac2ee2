// @ts-check
// The settings form (full controls): model, size, seed, timings, network;
// Restart with these settings starts a new run through the element.
import { MAX_DRAWN_NODES } from './core.js';
import { one, all, esc } from './dom.js';

// The settings this form shows; a restart keeps the run's others (a shared
// link's connectTimeout, timerJitter, boot, ...) while the model stays.
const FORM_KEYS = new Set(['model', 'nodes', 'seed', 'tick', 'heartbeat', 'leaderTimeout', 'leaderRandom', 'version',
  'beatPhase', 'sendBeatOnly', 'election', 'preVote', 'checkQuorum', 'latency', 'loss']);

/** @typedef {import('./panels.js').ControlContext} ControlContext */

export class SettingsForm {
  /** @param {ControlContext} ctx @param {HTMLElement} side */
  constructor({ host, parts, signal, t }, side) {
    this.host = host;
    this.t = t;
    /** @param {string} key */
    const w = (key) => esc(t(key));
    this.el = parts.add(side, `<details class="settings"><summary>${w('settings.title')}</summary>
        <form class="form" novalidate>
          <label for="s-model">${w('settings.model')}</label><select id="s-model" name="model"><option value="nacos">Nacos 1.x RaftCore</option><option value="raft">${w('settings.raftTextbook')}</option></select>
          <label for="s-nodes">${w('settings.nodes')}</label><input id="s-nodes" name="nodes" type="number" min="1" max="${MAX_DRAWN_NODES}" step="1">
          <label for="s-seed">${w('settings.seed')}</label><span class="row flush"><input id="s-seed" class="grow" name="seed" type="text" inputmode="numeric" autocomplete="off"><button type="button" data-a="random-seed">${w('settings.random')}</button></span>
          <label class="nacos" for="s-tick">${w('settings.tick')}</label><input class="nacos" id="s-tick" name="tick" type="number" min="1" step="1">
          <label for="s-heartbeat">${w('settings.heartbeat')}</label><input id="s-heartbeat" name="heartbeat" type="number" min="1" step="any">
          <label class="nacos" for="s-lt">${w('settings.leaderTimeout')}</label><input class="nacos" id="s-lt" name="leaderTimeout" type="number" min="1" step="1">
          <label class="nacos" for="s-lr">${w('settings.leaderRandom')}</label><input class="nacos" id="s-lr" name="leaderRandom" type="number" min="0" step="1">
          <label class="nacos" for="s-version">${w('settings.release')}</label><select class="nacos" id="s-version" name="version"><option value="1.4">${w('settings.v14')}</option><option value="1.3">1.3</option><option value="1.2">${w('settings.v12')}</option><option value="1.1">1.1</option><option value="1.0">1.0</option></select>
          <label class="nacos" for="s-beat-phase">${w('settings.beatPhase')}</label><select class="nacos" id="s-beat-phase" name="beatPhase" title="${w('settings.beatPhaseHint')}"><option value="0ms">${w('settings.beatPhaseFresh')}</option><option value="random">${w('settings.beatPhaseDrifted')}</option></select>
          <span class="nacos"></span><label class="nacos"><input type="checkbox" name="sendBeatOnly"> ${w('settings.sendBeatOnly')}</label>
          <label class="raft" for="s-emin">${w('settings.electionMin')}</label><input class="raft" id="s-emin" name="electionMin" type="number" min="0" step="any">
          <label class="raft" for="s-emax">${w('settings.electionMax')}</label><input class="raft" id="s-emax" name="electionMax" type="number" min="0" step="any">
          <span class="raft"></span><label class="raft"><input type="checkbox" name="preVote"> Pre-Vote</label>
          <span class="raft"></span><label class="raft"><input type="checkbox" name="checkQuorum"> CheckQuorum</label>
          <label for="s-lmin">${w('settings.latency')}</label><span class="row flush"><input id="s-lmin" name="latencyMin" type="number" min="0" step="any" aria-label="${w('faults.latencyMin')}">–<input name="latencyMax" type="number" min="0" step="any" aria-label="${w('faults.latencyMax')}"></span>
          <label for="s-loss">${w('settings.loss')}</label><input id="s-loss" name="loss" type="number" min="0" max="100" step="any">
          <span></span><button class="primary" type="submit">${w('settings.restart')}</button>
        </form>
        <p class="error settings-error" role="alert" hidden></p>
      </details>`);
    this.form = /** @type {HTMLFormElement} */ (one(this.el, 'form.form'));
    const seed = /** @type {HTMLInputElement} */ (one(this.el, '#s-seed'));
    const model = /** @type {HTMLSelectElement} */ (one(this.el, '#s-model'));
    one(this.el, '[data-a=random-seed]').addEventListener('click', () => { seed.value = String(Math.floor(Math.random() * 2 ** 32)); });
    model.addEventListener('change', () => this.showModelFields(model.value));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.apply(); });
    host.events.on('run', () => this.fill(), signal);
    this.fill();
  }

  /** A form control by name. @param {string} name */
  field(name) { return /** @type {HTMLInputElement | null} */ (this.form.elements.namedItem(name)); }

  fill() {
    const c = /** @type {Record<string, any>} */ (this.host.run.config);
    /** @param {string} name @param {unknown} v */
    const set = (name, v) => { const el = this.field(name); if (!el) return; if (el.type === 'checkbox') el.checked = !!v; else el.value = v == null ? '' : String(v); };
    set('model', c.model); set('nodes', c.nodes); set('seed', c.seed);
    for (const k of ['tick', 'heartbeat', 'leaderTimeout', 'leaderRandom', 'electionMin', 'electionMax', 'latencyMin', 'latencyMax']) set(k, c[k]);
    set('preVote', c.preVote); set('checkQuorum', c.checkQuorum);
    set('version', c.version ?? '1.4'); set('sendBeatOnly', c.sendBeatOnly);
    this.fillBeatPhase();
    set('loss', +(c.loss * 100).toPrecision(6));
    this.showModelFields(c.model);
  }

  /** The HeartBeat phase: fresh, drifted, or a fixed lag a link or script set (kept as a third choice). */
  fillBeatPhase() {
    const select = /** @type {HTMLSelectElement} */ (/** @type {unknown} */ (this.field('beatPhase')));
    const phase = this.host.run.pairs.find(([k]) => k === 'beatPhase')?.[1] ?? '0ms';
    for (const o of [...select.options]) if (o.dataset.fixed) o.remove();
    if (phase !== '0ms' && phase !== 'random') {
      const o = new Option(this.t('settings.beatPhaseFixed', { lag: phase }), phase);
      o.dataset.fixed = '1';
      select.add(o);
    }
    select.value = phase;
  }

  /** @param {string} model */
  showModelFields(model) {
    all(this.form, '.nacos').forEach((el) => { el.hidden = model !== 'nacos'; });
    all(this.form, '.raft').forEach((el) => { el.hidden = model !== 'raft'; });
  }

  apply() {
    const field = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (this.field(name));
    const model = field('model').value;
    /** @type {Record<string, string | number | boolean>} */
    const s = { model };
    if (model === this.host.run.model) {
      for (const [k, v] of this.host.run.pairs) if (!FORM_KEYS.has(k)) s[k] = v;
    }
    /** @param {string} name */
    const num = (name) => {
      const el = field(name);
      if (el.value.trim() === '') return;
      const v = Number(el.value);
      s[name] = Number.isFinite(v) ? v : el.value;
    };
    num('nodes');
    // A log per node: other logs would not fit another size.
    if (s.nodes !== this.host.run.n) delete s.logs;
    if (field('seed').value.trim()) s.seed = field('seed').value.trim();
    const keys = model === 'nacos' ? ['tick', 'heartbeat', 'leaderTimeout', 'leaderRandom'] : ['heartbeat', 'electionMin', 'electionMax'];
    for (const k of [...keys, 'latencyMin', 'latencyMax']) num(k);
    if (field('loss').value.trim()) s.loss = Number(field('loss').value) / 100;
    if (model === 'raft') { s.preVote = field('preVote').checked; s.checkQuorum = field('checkQuorum').checked; }
    if (model === 'nacos') { s.version = field('version').value; s.sendBeatOnly = field('sendBeatOnly').checked; s.beatPhase = field('beatPhase').value; }
    const err = one(this.el, '.settings-error');
    try {
      const modelChanged = model !== this.host.run.model;
      this.host.restart(s, { keepSpeed: !modelChanged });
      err.hidden = true;
      this.host.announce(this.t('settings.restarted', { config: this.host.run.sim.configText() }));
    } catch (e) {
      err.hidden = false;
      err.textContent = /** @type {Error} */ (e).message;
    }
  }
}
