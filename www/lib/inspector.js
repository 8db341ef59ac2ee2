// @ts-check
// The node inspector (full controls): pick a node, read its fields (Nacos's
// peers as a table, Raft's newest log entries as one, the timers themselves), and act on it: drop its beats or
// beats to it, crash or restart it, force its timeout, isolate it.
import { logTime } from './text.js';
import { one, all, esc } from './dom.js';
import { pauseSpan, nodeAction, isIsolated } from './actions.js';

/** @typedef {import('./panels.js').ControlContext} ControlContext */

/** How often (ms) the fields are read again while the run moves. */
const EVERY_MS = 200;
/** Datums listed; past it, how many more. */
const SHOWN = 120;
/** Raft log entries listed, the newest. */
const ENTRIES = 12;

/**
 * Nacos's `peers` field ("S1 FOLLOWER t0 voteFor none, S3 LEADER t1 voteFor
 * S3", as the model writes it) as a table: RaftScope's per-peer view.
 * @param {string} text
 */
function peerTable(text) {
  // The column heads are the model's own names, in every language.
  const rows = text.split(', ').map((p) => p.split(' ')).filter((w) => w.length === 5);
  if (!rows.length) return esc(text);
  const cells = rows.map(([peer, state, term, , vote]) => `<tr><td>${esc(peer)}</td><td>${esc(state)}</td><td>${esc(term.slice(1))}</td><td>${esc(vote)}</td></tr>`);
  return `<table class="peers"><tr><th>peer</th><th>state</th><th>term</th><th>voteFor</th></tr>${cells.join('')}</table>`;
}

export class Inspector {
  /** @param {ControlContext} ctx @param {HTMLElement} side */
  constructor({ host, parts, signal, t }, side) {
    this.host = host;
    this.t = t;
    /** @param {string} key */
    const w = (key) => esc(t(key));
    this.el = parts.add(side, `<section class="inspector" aria-label="${w('insp.label')}">
        <h3><label>${w('insp.node')} <select class="pick" aria-label="${w('insp.pickAria')}"></select></label></h3>
        <p class="hint pick-hint">${w('insp.pickHint')}</p>
        <dl class="fields"></dl>
        <ul class="datum-list" aria-label="${w('insp.datumsAria')}" hidden></ul>
        <div class="log-view" hidden></div>
        <div class="row node-actions">
          <button data-n="drop-from" aria-pressed="false">${w('insp.dropFrom')}</button>
          <button data-n="drop-to" aria-pressed="false">${w('insp.dropTo')}</button>
          <button data-n="crash" aria-keyshortcuts="C">${w('insp.crash')}</button>
          <button data-n="timeout" aria-keyshortcuts="T">${w('insp.timeout')}</button>
          <button data-n="isolate" aria-keyshortcuts="I">${w('insp.isolate')}</button>
          <button data-n="pause" title="${w('insp.pauseTitle')}">${w('insp.pause')}</button>
        </div>
      </section>`);
    this.pick = /** @type {HTMLSelectElement} */ (one(this.el, 'select.pick'));
    this.fields = one(this.el, 'dl.fields');
    this.last = 0;
    this.pick.addEventListener('change', () => host.select(Number(this.pick.value) || null));
    for (const b of all(this.el, '[data-n]')) b.addEventListener('click', () => nodeAction(host, host.selected, b.dataset.n ?? ''));
    const soon = () => { this.last = 0; };
    host.events.on('action', soon, signal);
    host.events.on('leaders', soon, signal);
    host.events.on('run', () => this.listNodes(), signal);
    host.events.on('select', ({ id }) => this.show(id), signal);
    host.events.on('command', ({ name }) => { if (name === 'focus-inspector') this.pick.focus(); }, signal);
    host.events.on('frame', ({ ts }) => { if (ts - this.last > EVERY_MS) { this.last = ts; this.update(); } }, signal);
    this.listNodes();
  }

  listNodes() {
    const n = this.host.run.n;
    this.pick.innerHTML = `<option value="">${esc(this.t('insp.none'))}</option>${Array.from({ length: n }, (_, i) => `<option value="${i + 1}">S${i + 1}</option>`).join('')}`;
    this.show(this.host.selected);
  }

  /** @param {number | null} id */
  show(id) {
    this.pick.value = id ? String(id) : '';
    one(this.el, '.pick-hint').hidden = !!id;
    one(this.el, '.node-actions').hidden = !id;
    this.last = 0;
    if (!id) { this.fields.innerHTML = ''; one(this.el, '.datum-list').hidden = true; one(this.el, '.log-view').hidden = true; }
  }

  /** The selected node's newest Raft log entries, uncommitted ones in italics. @param {number} id */
  logEntries(id) {
    const run = this.host.run, box = one(this.el, '.log-view');
    /** @type {import('../pkg/raftbeat.js').LogView | null} */
    let log = null;
    try { log = run.model === 'raft' ? run.sim.log(id, ENTRIES) : null; } catch { /* a freed run */ }
    if (!log) { box.hidden = true; return; }
    const t = this.t;
    const rows = log.entries.slice().reverse().map((e) => `<tr${e.index > log.commit ? ` class="uncommitted" title="${esc(t('insp.notCommitted'))}"` : ''}><td>${e.index}</td><td>${e.term}</td><td>${e.kind} ${esc(e.key)}</td><td>#${e.op}</td></tr>`);
    const base = log.base ? `<p class="hint">${esc(t(log.baseCommitted ? 'insp.inSnapshot' : 'insp.fromSetting', { base: log.base, term: log.baseTerm }))}</p>` : '';
    const html = rows.length
      ? `<table class="log-entries" aria-label="${esc(t('insp.logAria'))}"><tr><th>index</th><th>term</th><th>${esc(t('insp.command'))}</th><th>op</th></tr>${rows.join('')}</table>${base}`
      : `<p class="hint">${esc(t('insp.logEmpty'))}</p>${base}`;
    if (box.dataset.html !== html) { box.innerHTML = html; box.dataset.html = html; }
    box.hidden = false;
  }

  /** The selected node's datums as key:version, amber where behind the leader (at most SHOWN). @param {number} id */
  datums(id) {
    const run = this.host.run, list = one(this.el, '.datum-list');
    if (run.model !== 'nacos') { list.hidden = true; return; }
    const snap = run.datums.read(run), node = snap.nodes[id - 1];
    if (!node) return;
    const t = this.t;
    const items = [...node.map.values()].slice(0, SHOWN).map((d) => `<li${node.stale.has(d.key) ? ` class="stale" title="${esc(t('insp.behind'))}"` : ''}>${esc(d.key)}:${d.version}</li>`);
    if (node.count > SHOWN) items.push(`<li class="more">${esc(t('insp.more', { count: node.count - SHOWN, total: node.count }))}</li>`);
    if (node.missing) items.push(`<li class="more">${esc(t('insp.missing', { count: node.missing }))}</li>`);
    const html = items.join('') || `<li class="more">${esc(t('insp.noDatums'))}</li>`;
    if (list.dataset.html !== html) { list.innerHTML = html; list.dataset.html = html; }
    list.hidden = false;
  }

  update() {
    const id = this.host.selected;
    if (!id) return;
    const run = this.host.run, t = this.t;
    let fields;
    try { fields = run.sim.inspect(id); } catch { return; }
    const n = run.node(id), rules = run.rules ?? [];
    if (!n) return;
    // The timers themselves (RaftScope shows them), which align and spread
    // move: Raft's fields name only the drawn timeout, and Nacos's
    // leaderDueMs is a counter that runs out only on the node's next tick.
    if (n.alive) {
      /** @param {number} ms */
      const at = (ms) => t('insp.at', { ms: ms.toFixed(1), time: logTime(run.time + ms) });
      const quorum = run.model === 'raft' && n.role === 'LEADER';
      if (n.leaderDueMs != null) fields.push([quorum ? 'quorum check' : 'election timer', t('insp.runsOut', { at: at(n.leaderDueMs) })]);
      if (n.heartbeatDueMs != null && n.role === 'LEADER') fields.push(['heartbeat timer', t('insp.nextBeat', { at: at(n.heartbeatDueMs) })]);
    }
    // A field's name is the model's (the same in every language); its help is in the catalogs.
    /** @param {string} k */
    const help = (k) => { const text = t(`field.${k}`); return text === `field.${k}` ? '' : text; };
    const html = fields.map(([k, v]) => `<dt title="${esc(help(k))}">${esc(k)}</dt><dd>${k === 'peers' ? peerTable(v) : esc(v)}</dd>`).join('');
    const dl = this.fields;
    if (dl.dataset.html !== html) { dl.innerHTML = html; dl.dataset.html = html; }
    this.datums(id);
    this.logEntries(id);
    const from = rules.find((r) => r.scope === 'from' && r.from === id);
    const to = rules.find((r) => r.scope === 'to' && r.to === id);
    /** @param {string} sel @param {string} text @param {boolean} [pressed] */
    const set = (sel, text, pressed) => {
      const b = one(this.el, `[data-n=${sel}]`);
      if (b.textContent !== text) b.textContent = text;
      if (pressed !== undefined) b.setAttribute('aria-pressed', String(pressed));
    };
    set('drop-from', t(from ? 'insp.allowFrom' : 'insp.dropFromId', { id }), !!from);
    set('drop-to', t(to ? 'insp.allowTo' : 'insp.dropToId', { id }), !!to);
    set('crash', t(n.alive ? 'insp.crashId' : 'insp.restartId', { id }));
    const isolated = run.n > 1 && run.nodes.length && isIsolated(run, id);
    set('isolate', t(isolated ? 'insp.heal' : 'insp.isolateId', { id }));
    /** @type {HTMLButtonElement} */ (one(this.el, '[data-n=timeout]')).disabled = !n.alive;
    const pause = /** @type {HTMLButtonElement} */ (one(this.el, '[data-n=pause]'));
    pause.disabled = !n.alive;
    set('pause', n.pausedMs != null ? t('insp.paused', { s: (n.pausedMs / 1000).toFixed(1) }) : t('insp.pauseId', { id, s: pauseSpan(run) / 1000 }));
  }
}
