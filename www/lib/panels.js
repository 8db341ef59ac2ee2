// The controls of <raft-beat>: the transport bar, the heartbeat-drop control,
// safety warnings, the timeline, and (with controls="full") the inspector,
// faults, settings, the event log, the notes and the shortcut help. Controls
// read the host's Run and act only through the host (act, restart, seek).
import { TimelineRenderer } from './timeline.js';
import { logTime, span, speedLabel, CATEGORIES, FIELD_HELP, NACOS_DIFFERENCES, SHORTCUTS } from './text.js';
import { formatClock } from './render.js';
import { MESSAGE_STRIDE, M, KINDS, MAX_DRAWN_NODES, SLICE_EVENTS, runInSlices } from './core.js';

const h = (html) => {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content;
};
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const LOG_ROWS = 250;
/** Rows added per update while running: more than a reader can follow anyway. */
const APPEND_ROWS = 60;

/**
 * Nacos's `peers` field ("S1 FOLLOWER t0 voteFor none, S3 LEADER t1 voteFor
 * S3", as the model writes it) as a table: RaftScope's per-peer view.
 */
function peerTable(text) {
  const rows = text.split(', ').map((p) => p.split(' ')).filter((w) => w.length === 5);
  if (!rows.length) return esc(text);
  const cells = rows.map(([peer, state, term, , vote]) => `<tr><td>${esc(peer)}</td><td>${esc(state)}</td><td>${esc(term.slice(1))}</td><td>${esc(vote)}</td></tr>`);
  return `<table class="peers"><tr><th>peer</th><th>state</th><th>term</th><th>voteFor</th></tr>${cells.join('')}</table>`;
}

export class Controls {
  constructor(host, mode) {
    this.host = host;
    this.mode = mode;
    this.full = mode === 'full';
    this.parts = [];
    this.logFilter = new Set(CATEGORIES.map(([c]) => c).filter((c) => c !== 'network' && c !== 'boot'));
    this.logQuery = '';
    this.logShown = -1;
    this.notes = [];
    this.tick = { slow: 0, log: 0, timeline: 0, msgs: 0 };
    this.build();
    this.onRunChanged();
    this.onClock();
  }

  get run() { return this.host.run; }
  $(sel) { return this.host.shadowRoot.querySelector(sel); }
  $$(sel) { return [...this.host.shadowRoot.querySelectorAll(sel)]; }

  add(where, html, before = null) {
    const frag = h(html);
    const nodes = [...frag.children];
    where.insertBefore(frag, before);
    this.parts.push(...nodes);
    return nodes[0];
  }

  dispose() {
    for (const p of this.parts) p.remove();
    this.parts = [];
  }

  build() {
    const host = this.host, main = host.mainEl, stage = host.stage;
    // Above the ring, in this order: toolbar, heartbeats, alerts, then a tour's caption.
    const top = host.tourEl;
    this.add(main, `<div class="toolbar" role="toolbar" aria-label="Simulation controls">
      <button class="primary" data-a="play" aria-keyshortcuts="Space">▶ Play</button>
      <button data-a="step" aria-keyshortcuts="." title="Run to the next event (.)">Step</button>
      <button data-a="reset" aria-keyshortcuts="R" title="Same settings and seed, from time 0 (R)">Reset</button>
      <label class="speed"><span class="label">Speed</span> <input type="range" min="-3" max="4" step="0.05" aria-label="Speed (log scale)"><output>×1</output></label>
      <span class="clock" role="timer" aria-label="Simulated time">0.000 s</span>
      <span class="model" role="radiogroup" aria-label="Model">
        <button role="radio" data-model="nacos" aria-checked="false" title="Nacos 1.x RaftCore, quirks included">Nacos 1.x</button>
        <button role="radio" data-model="raft" aria-checked="false" title="Textbook Raft (optional Pre-Vote, CheckQuorum)">Raft</button>
      </span>
      ${this.full ? '<button data-a="share" aria-keyshortcuts="S" title="Copy a link that replays this run (S)">Share</button><button data-a="help" aria-keyshortcuts="?" aria-label="Keyboard shortcuts">?</button>' : ''}
    </div>`, top);
    // Over the ring's corner, like a player's indicator: it comes and goes
    // without moving anything.
    this.add(stage, `<span class="badge slowmo off" title="While messages are on the wire the clock slows so each one takes a moment to cross">slow motion</span>`);
    this.add(main, `<div class="beats" aria-label="Heartbeats of the leader">
      <div class="status" aria-live="polite"><b class="who">No leader yet</b> <span class="sub"></span></div>
      <button class="danger drop" aria-pressed="false" aria-keyshortcuts="D" disabled>Drop the leader's heartbeats</button>
      <span class="row flush"><button class="next" aria-keyshortcuts="B" disabled>Drop next</button>
        <input type="number" class="count" min="1" max="999" value="3" aria-label="Heartbeat rounds to drop"> beats</span>
      <ul class="rules" aria-label="Active heartbeat-drop rules"></ul>
    </div>
    <div class="alert" role="alert" hidden></div><p class="error" role="alert" hidden></p>
    <p class="unstable" role="status" hidden></p>`, top);
    this.add(main, `<div class="tl"><canvas class="timeline" tabindex="0" role="slider" aria-label="Timeline of leaders and terms: click or use the arrow keys to go back in time" aria-valuemin="0"></canvas>
      <p class="behind" hidden><span></span> <button class="latest" title="Go to the latest moment (End on the timeline)">Latest »</button></p></div>
      <p class="announce" aria-live="polite"></p>`);
    if (this.full) {
      this.add(main, `<ul class="legend" aria-label="Legend">
        <li><i class="k-beat"></i>beat</li><li><i class="k-beat-reply"></i>beat reply</li>
        <li><i class="k-vote"></i>vote request</li><li><i class="k-vote-reply"></i>vote reply (✓ granted, ✗ not)</li>
        <li><i class="k-prevote"></i>pre-vote</li><li><i class="k-lost"></i>lost message</li>
        <li>grey arc: time to election timeout (leaderDueMs) · green arc: leader's next beat (heartbeatDueMs)</li>
        <li>crown: leader · dashed: candidate · fill: term colour · red badge: beats dropped · dashed red wall: partition</li></ul>`);
      this.buildSide();
    }
    this.wire();
    const tl = this.$('canvas.timeline');
    this.timeline = new TimelineRenderer(tl);
    this.timeline.theme = host.renderer.theme;
    host.timelineRenderer = this.timeline;
    const fit = () => { const b = tl.getBoundingClientRect(); this.timeline.resize(b.width, b.height, devicePixelRatio || 1); this.tick.timeline = 0; };
    this.tlObserver = new ResizeObserver(fit);
    this.tlObserver.observe(tl);
    fit();
  }

  buildSide() {
    const grid = this.host.shadowRoot.querySelector('.grid');
    this.add(grid, `<div class="side">
      <section class="inspector" aria-label="Node inspector">
        <h3><label>Node <select class="pick" aria-label="Node to inspect"></select></label></h3>
        <p class="hint pick-hint">Click a node on the ring, or press 1-9.</p>
        <dl class="fields"></dl>
        <div class="row node-actions">
          <button data-n="drop-from" aria-pressed="false">Drop its beats</button>
          <button data-n="drop-to" aria-pressed="false">Drop beats to it</button>
          <button data-n="crash" aria-keyshortcuts="C">Crash</button>
          <button data-n="timeout" aria-keyshortcuts="T">Force timeout</button>
          <button data-n="isolate" aria-keyshortcuts="I">Isolate</button>
        </div>
      </section>
      <details class="faults" open><summary>Faults</summary>
        <div class="row"><button data-f="minority" title="Partition the leader and one follower from the rest">Leader into the minority</button>
          <button data-f="isolate-leader">Isolate the leader</button><button data-f="heal" aria-keyshortcuts="H">Heal</button></div>
        <div class="row"><label>Partition <input type="text" class="groups" placeholder="1,2 | 3,4,5" size="12" aria-label="Partition groups, like 1,2 | 3,4,5"></label><button data-f="partition">Split</button></div>
        <div class="row"><label>Link <select class="cut-from" aria-label="Link from"></select></label>→<select class="cut-to" aria-label="Link to"></select>
          <label><input type="checkbox" class="cut-both"> both ways</label><button data-f="cut">Cut</button><button data-f="restore">Restore</button></div>
        <div class="row"><label>Latency <input type="number" class="lat-min w70" min="0" step="any" aria-label="Minimum latency (ms)"></label>–<input type="number" class="lat-max w70" min="0" step="any" aria-label="Maximum latency (ms)"> ms
          <label>loss <input type="number" class="loss w62" min="0" max="100" step="any" aria-label="Loss (%)"> %</label><button data-f="network">Apply</button></div>
        <div class="row periodic"><label>Crash the leader every <input type="number" class="pc-every w70" min="0" step="any" aria-label="Crash the leader every (seconds)"> s,</label>
          <label>back after <input type="number" class="pc-down w62" min="0" step="any" aria-label="Restart it after (seconds)"> s</label>
          <button data-f="periodic">Start</button><span class="pc-next"></span></div>
        <div class="row"><span>Election clocks</span><button data-f="align" aria-keyshortcuts="A" title="The clock that runs out second is set to run out with the first: two candidates in one term, a split vote in the making">Align two</button>
          <button data-f="spread" aria-keyshortcuts="E" title="Clocks that run out within a vote's delivery of the one before are moved later: the first candidate wins">Spread</button></div>
        <div class="row"><span>Skip ahead</span><button data-skip="60000">+1 min</button><button data-skip="600000">+10 min</button><button data-skip="3600000">+1 h</button></div>
        <details class="inflight"><summary>Messages in flight <span class="count-msgs"></span></summary><ul class="msgs"></ul></details>
        <details class="script"><summary>This run as a script for <code>raftbeat run</code></summary><textarea readonly rows="8"></textarea></details>
      </details>
      <details class="settings"><summary>Settings</summary>
        <form class="form" novalidate>
          <label for="s-model">Model</label><select id="s-model" name="model"><option value="nacos">Nacos 1.x RaftCore</option><option value="raft">Raft (textbook)</option></select>
          <label for="s-nodes">Nodes</label><input id="s-nodes" name="nodes" type="number" min="1" max="${MAX_DRAWN_NODES}" step="1">
          <label for="s-seed">Seed</label><span class="row flush"><input id="s-seed" class="grow" name="seed" type="text" inputmode="numeric" autocomplete="off"><button type="button" data-a="random-seed">Random</button></span>
          <label class="nacos" for="s-tick">Tick (ms)</label><input class="nacos" id="s-tick" name="tick" type="number" min="1" step="1">
          <label for="s-heartbeat">Heartbeat (ms)</label><input id="s-heartbeat" name="heartbeat" type="number" min="1" step="any">
          <label class="nacos" for="s-lt">Leader timeout (ms)</label><input class="nacos" id="s-lt" name="leaderTimeout" type="number" min="1" step="1">
          <label class="nacos" for="s-lr">+ random (ms)</label><input class="nacos" id="s-lr" name="leaderRandom" type="number" min="0" step="1">
          <label class="raft" for="s-emin">Election min (ms)</label><input class="raft" id="s-emin" name="electionMin" type="number" min="0" step="any">
          <label class="raft" for="s-emax">Election max (ms)</label><input class="raft" id="s-emax" name="electionMax" type="number" min="0" step="any">
          <span class="raft"></span><label class="raft"><input type="checkbox" name="preVote"> Pre-Vote</label>
          <span class="raft"></span><label class="raft"><input type="checkbox" name="checkQuorum"> CheckQuorum</label>
          <label for="s-lmin">Latency (ms)</label><span class="row flush"><input id="s-lmin" name="latencyMin" type="number" min="0" step="any" aria-label="Minimum latency (ms)">–<input name="latencyMax" type="number" min="0" step="any" aria-label="Maximum latency (ms)"></span>
          <label for="s-loss">Loss (%)</label><input id="s-loss" name="loss" type="number" min="0" max="100" step="any">
          <span></span><button class="primary" type="submit">Restart with these settings</button>
        </form>
        <p class="error settings-error" role="alert" hidden></p>
      </details>
      <section class="log" aria-label="Event log">
        <h3>Event log</h3>
        <div class="filters" role="group" aria-label="Show these kinds of event">${CATEGORIES.map(([c, label]) => `<button data-cat="${c}" aria-pressed="${this.logFilter.has(c)}">${label}</button>`).join('')}</div>
        <input type="search" class="q" placeholder="Filter: S3, receivedBeat, term 2 …" aria-label="Filter the log" aria-keyshortcuts="L">
        <ol class="entries" tabindex="0" aria-label="Events, oldest first"></ol>
        <p class="meta"></p>
      </section>
      <details class="notes"><summary>Where Nacos differs from textbook Raft</summary>
        <ul>${NACOS_DIFFERENCES.map(([a, b]) => `<li><b>${esc(a)}.</b> ${esc(b)}</li>`).join('')}</ul></details>
    </div>
    <dialog class="help" aria-label="Keyboard shortcuts"><h3>Keyboard shortcuts</h3>
      <table>${SHORTCUTS.map(([k, d]) => `<tr><td>${k.split(' ').map((x) => (['or', 'and', '…', '/'].includes(x) ? x : `<kbd>${esc(x)}</kbd>`)).join(' ')}</td><td>${esc(d)}</td></tr>`).join('')}</table>
      <p class="hint">Everything also works with touch and the mouse: click a node to inspect it, click a moving message to drop it, click the timeline to go back in time.</p>
      <form method="dialog"><button class="primary">Close</button></form></dialog>`);
  }

  wire() {
    const host = this.host;
    const on = (sel, ev, fn) => this.$$(sel).forEach((el) => el.addEventListener(ev, fn));
    on('[data-a=play]', 'click', () => { host.clock.toggle(); host.syncUrl(); });
    on('[data-a=step]', 'click', () => this.step());
    on('[data-a=reset]', 'click', () => host.reset());
    on('[data-a=share]', 'click', () => this.share());
    on('[data-a=help]', 'click', () => this.$('dialog.help').showModal());
    on('.speed input', 'input', (e) => host.setSpeed(10 ** Number(e.target.value)));
    on('[data-model]', 'click', (e) => this.switchModel(e.currentTarget.dataset.model));
    on('.beats .drop', 'click', () => this.toggleLeaderBeats());
    on('.beats .next', 'click', () => this.dropNext());
    on('.beats .rules', 'click', (e) => {
      const id = e.target.closest('[data-rule]')?.dataset.rule;
      if (id) host.act(`allow-beats rule=${id}`);
    });
    const tl = this.$('canvas.timeline');
    let dragging = false;
    const at = (e) => this.timeline.timeAt(this.run, e.clientX - tl.getBoundingClientRect().left);
    tl.addEventListener('pointerdown', (e) => { dragging = true; tl.setPointerCapture(e.pointerId); this.timeline.preview = at(e); this.tick.timeline = 0; });
    tl.addEventListener('pointermove', (e) => { if (dragging) { this.timeline.preview = at(e); this.tick.timeline = 0; } });
    tl.addEventListener('pointerup', (e) => {
      if (!dragging) return;
      dragging = false;
      const t = at(e);
      this.timeline.preview = null;
      host.seek(t).then((there) => {
        if (there) this.announce(`Went to ${logTime(this.run.time)}${this.run.until > this.run.time ? ': what follows replays unless you act' : ''}.`);
      });
    });
    on('.behind .latest', 'click', () => host.seek(this.run.until).then((there) => {
      if (there) this.announce(`Back at the latest moment, ${logTime(this.run.time)}.`);
    }));
    tl.addEventListener('keydown', (e) => {
      const run = this.run, stepMs = this.timeline.domain(run) / 40;
      let t = null;
      if (e.key === 'ArrowLeft') t = run.time - stepMs;
      else if (e.key === 'ArrowRight') t = Math.min(run.until, run.time + stepMs);
      else if (e.key === 'Home') t = 0;
      else if (e.key === 'End') t = run.until;
      if (t === null) return;
      e.preventDefault();
      e.stopPropagation();
      host.seek(Math.max(0, t));
    });
    if (!this.full) return;
    on('select.pick', 'change', (e) => host.select(Number(e.target.value) || null));
    on('[data-n]', 'click', (e) => this.nodeAction(e.currentTarget.dataset.n));
    on('[data-f]', 'click', (e) => this.fault(e.currentTarget.dataset.f));
    on('[data-skip]', 'click', (e) => this.skip(Number(e.currentTarget.dataset.skip)));
    on('.msgs', 'click', (e) => {
      const id = e.target.closest('[data-msg]')?.dataset.msg;
      if (id && host.act(`drop-message ${id}`)) this.announce(`Dropped message #${id}.`);
    });
    on('details.script', 'toggle', (e) => { if (e.target.open) e.target.querySelector('textarea').value = this.run.sim.toScript(); });
    on('[data-a=random-seed]', 'click', () => { this.$('#s-seed').value = String(Math.floor(Math.random() * 2 ** 32)); });
    on('#s-model', 'change', () => this.showModelFields(this.$('#s-model').value));
    on('form.form', 'submit', (e) => { e.preventDefault(); this.applySettings(); });
    on('.filters button', 'click', (e) => {
      const c = e.currentTarget.dataset.cat;
      if (this.logFilter.has(c)) this.logFilter.delete(c); else this.logFilter.add(c);
      e.currentTarget.setAttribute('aria-pressed', this.logFilter.has(c));
      if (c === 'network') this.run.setTraceLevel(this.logFilter.has('network') ? 'all' : 'protocol');
      this.logShown = -1;
    });
    on('input.q', 'input', (e) => { this.logQuery = e.target.value.trim().toLowerCase(); this.logShown = -1; });
    // Follow the newest events unless the reader scrolled back (measured
    // here, not at every update: reading layout every update is what costs).
    on('ol.entries', 'scroll', (e) => {
      if (this.logScrolling) { this.logScrolling = false; return; } // our own scroll to the end
      const ol = e.target;
      this.logFollow = ol.scrollTop + ol.clientHeight >= ol.scrollHeight - 30;
    });
    on('ol.entries', 'click', (e) => { const n = Number(e.target.closest('[data-node]')?.dataset.node); if (n) host.select(n); });
  }

  // ---- Run and clock changes ------------------------------------------

  onRunChanged() {
    const run = this.run;
    this.$$('[data-model]').forEach((b) => b.setAttribute('aria-checked', String(b.dataset.model === run.model)));
    this.logShown = -1;
    this.notes = [];
    this.onSelect(this.host.renderer.selected);
    if (this.full) {
      const opts = Array.from({ length: run.n }, (_, i) => `<option value="${i + 1}">S${i + 1}</option>`).join('');
      this.$('select.pick').innerHTML = `<option value="">none</option>${opts}`;
      this.$('select.cut-from').innerHTML = opts;
      this.$('select.cut-to').innerHTML = opts;
      if (run.n > 1) this.$('select.cut-to').value = '2';
      this.fillSettings();
    }
    this.tick.slow = 0;
    this.tick.timeline = 0;
  }

  onClock() {
    const clock = this.host.clock;
    const play = this.$('[data-a=play]');
    play.textContent = clock.playing ? '❚❚ Pause' : '▶ Play';
    play.setAttribute('aria-label', clock.playing ? 'Pause' : 'Play');
    this.$('.speed input').value = String(Math.log10(clock.speed));
    this.$('.speed output').textContent = speedLabel(clock.speed);
    this.$('.speed input').setAttribute('aria-valuetext', `${speedLabel(clock.speed)} simulated time`);
  }

  onSelect(id) {
    if (!this.full) return;
    this.$('select.pick').value = id ? String(id) : '';
    this.$('.pick-hint').hidden = !!id;
    this.$('.node-actions').hidden = !id;
    this.tick.slow = 0;
    if (!id) this.$('dl.fields').innerHTML = '';
  }

  focusInspector() { this.$('select.pick')?.focus(); }

  onLeaders(leaders) {
    const t = logTime(this.run.time);
    if (leaders.length === 1) this.announce(`${t}: S${leaders[0].id} is the leader (term ${leaders[0].term}).`);
    else if (leaders.length > 1) this.announce(`${t}: ${leaders.length} leaders at once: ${leaders.map((l) => `S${l.id} (term ${l.term})`).join(', ')}.`);
    else if (this.run.time > 0) this.announce(`${t}: no leader.`);
    this.tick.slow = 0;
  }

  onEvents(events) {
    for (const e of events) if (e.cat === 'monitor') { this.findingsDirty = true; this.tick.slow = 0; }
  }

  onAction() { this.tick.slow = 0; this.tick.timeline = 0; }

  note(note, e) {
    const log = this.run.log;
    this.notes.push({ abs: log.dropped + log.items.lastIndexOf(e), note: note.text });
    this.announce(note.text);
  }

  /** Says something through the host (which may add to it); `show` puts it on the page. */
  announce(text) { this.host.announce(text); }
  show(text) { const el = this.$('.announce'); if (el) el.textContent = text; }

  showError(text) {
    const el = this.$('.main .error');
    if (!el) return;
    el.hidden = !text;
    el.textContent = text ?? '';
  }

  // ---- Per frame -------------------------------------------------------

  frame(ts) {
    const run = this.run, clock = this.host.clock;
    this.clockEl ??= this.$('.clock');
    this.slowEl ??= this.$('.slowmo');
    if (this.lastTime !== run.time) {
      // A Text node's data: no element re-parse, and the span has a fixed width.
      const text = `t = ${formatClock(run.time)}`;
      if (this.clockEl.firstChild) this.clockEl.firstChild.data = text; else this.clockEl.textContent = text;
      this.lastTime = run.time;
    }
    const slow = clock.playing && clock.flying;
    if (slow !== this.slowShown) { this.slowEl.classList.toggle('off', !slow); this.slowShown = slow; }
    if (ts - this.tick.slow > 200) { this.tick.slow = ts; this.updateBeats(); this.updateAlert(); this.updateWarnings(); if (this.full) { this.updateInspector(); this.updatePeriodic(); } }
    if (ts - this.tick.timeline > 120) {
      this.tick.timeline = ts;
      this.timeline.draw(run);
      const tl = this.$('canvas.timeline');
      tl.setAttribute('aria-valuemax', String(Math.round(run.until)));
      tl.setAttribute('aria-valuenow', String(Math.round(run.time)));
      tl.setAttribute('aria-valuetext', `${logTime(run.time)} of ${logTime(run.until)}`);
      this.updateBehind();
    }
    if (!this.full) return;
    if (ts - this.tick.log > 150) { this.tick.log = ts; this.updateLog(); }
    if (ts - this.tick.msgs > 300 && this.$('details.inflight').open) { this.tick.msgs = ts; this.updateMessages(); }
  }

  /** RaftScope's timer keys: `align-timers` or `spread-timers`, said aloud. */
  timerKey(kind) {
    if (this.host.act(`${kind}-timers`) === null) return;
    const leader = this.run.leaders[0];
    this.announce((kind === 'align'
      ? 'Aligned: the next two election clocks run out together (the log says when).'
      : 'Spread: no election clock runs out within a vote\'s delivery of another.')
      + (leader ? ` While S${leader.id} leads, its heartbeats reset them: crash it or drop its beats to see the election.` : ''));
  }

  /** The periodic crash: Start or Stop, and when the next one falls. */
  updatePeriodic() {
    const pc = this.run.config.periodicCrash, t = this.run.time;
    const button = this.$('[data-f=periodic]'), next = this.$('.pc-next');
    const label = pc ? 'Stop' : 'Start';
    if (button.textContent !== label) {
      button.textContent = label;
      this.$$('.periodic input').forEach((el) => { el.disabled = !!pc; });
      if (pc) { this.$('input.pc-every').value = pc.every / 1000; this.$('input.pc-down').value = pc.down / 1000; }
    }
    const text = pc ? `next in ${span(pc.since + pc.every * (Math.floor((t - pc.since) / pc.every) + 1) - t)}` : '';
    if (next.textContent !== text) next.textContent = text;
  }

  /** Gone back in time: how far behind the latest moment, and a way back
   *  to it (the timeline's End key does the same). */
  updateBehind() {
    const run = this.run, el = this.$('.behind'), gap = run.until - run.time;
    // A tour has its own way back and forth (its stops).
    const behind = gap > 0.0005 && !run.stops.length;
    if (el.hidden === behind) el.hidden = !behind;
    if (!behind) return;
    const later = run.pending.filter((p) => p.source === 'replay-ahead').length;
    const text = `Replaying: ${span(gap)} behind the latest moment.${later ? ` Acting now drops ${later > 1 ? `the ${later} actions` : 'the action'} recorded after this moment.` : ''}`;
    if (el.firstChild.textContent !== text) el.firstChild.textContent = text;
  }

  /** The leader, whom the others follow, and the drop-heartbeats control. */
  updateBeats() {
    const run = this.run, leaders = run.leaders;
    const who = this.$('.beats .who'), sub = this.$('.beats .sub');
    const drop = this.$('.beats .drop'), next = this.$('.beats .next');
    const target = leaders.reduce((a, l) => (!a || l.term > a.term ? l : a), null);
    this.target = target?.id ?? null;
    // The earliest election timeout among live followers: when the cluster would notice.
    let soonest = Infinity, knownBy = 0, alive = 0;
    for (let id = 1; id <= run.n; id++) {
      const n = run.node(id);
      if (!n.alive) continue;
      alive++;
      if (target && n.leader === target.id) knownBy++;
      if (n.roleCode !== 3 && n.leaderDueMs !== null) soonest = Math.min(soonest, n.leaderDueMs);
    }
    const rules = run.rules ?? [];
    const mine = target ? rules.find((r) => r.scope === 'from' && r.from === target.id && r.remaining === null) : null;
    if (!target) {
      who.textContent = alive ? 'No leader' : 'Every node is down';
      sub.textContent = soonest < Infinity ? `· next election timeout in ${span(soonest)}` : '';
    } else if (leaders.length > 1) {
      who.textContent = `${leaders.length} leaders: ${leaders.map((l) => `S${l.id} (term ${l.term})`).join(', ')}`;
      sub.textContent = `· S${target.id} is known to ${knownBy} of ${alive}`;
    } else {
      who.textContent = `Leader S${target.id} · term ${target.term}`;
      const n = run.node(target.id);
      const beat = n.heartbeatDueMs !== null ? ` · next beat in ${span(n.heartbeatDueMs)}` : '';
      const dropped = n.rules & 1 ? ` · its beats are dropped: the first follower times out in ${span(soonest)}` : beat;
      sub.textContent = `· known to ${knownBy} of ${alive} nodes${dropped}`;
    }
    drop.disabled = !target;
    next.disabled = !target;
    drop.setAttribute('aria-pressed', String(!!mine));
    drop.textContent = target ? (mine ? `Allow S${target.id}'s heartbeats` : `Drop S${target.id}'s heartbeats`) : "Drop the leader's heartbeats";
    const list = this.$('.beats .rules');
    const html = rules.map((r) => `<li>${esc(r.text)}<button data-rule="${r.id}" aria-label="Remove rule ${r.id}: ${esc(r.text)}">✕</button></li>`).join('');
    if (list.dataset.html !== html) { list.innerHTML = html; list.dataset.html = html; }
    if (run.sim.traceLevel === 'none') run.topologyDirty = true; // rules may expire unseen
  }

  /** The core's warnings about unstable settings, read again only after a new run or action (a network change can add or clear one). */
  updateWarnings() {
    const sim = this.run.sim, key = sim.actionCount;
    if (this.warningsFor === sim && this.warningsKey === key) return;
    this.warningsFor = sim; this.warningsKey = key;
    const list = sim.warnings(), el = this.$('.unstable');
    el.textContent = list.length ? `Unstable settings (allowed, and worth watching): ${list.join('; ')}.` : '';
    el.hidden = list.length === 0;
  }

  updateAlert() {
    const run = this.run, el = this.$('.alert');
    const leaders = run.leaders;
    if (leaders.length > 1) {
      const since = run.timeline.segments.filter((s) => s.end === null).reduce((a, s) => Math.max(a, s.start), 0);
      el.className = 'alert';
      el.textContent = `⚠ Safety monitor: ${leaders.length} leaders at once (${leaders.map((l) => `S${l.id} term ${l.term}`).join(', ')}) for ${span(run.time - since)}.${run.model === 'nacos' ? ' Nacos has no lease and no CheckQuorum: the old leader stays LEADER while it is cut off.' : ''}`;
      el.hidden = false;
      return;
    }
    if (this.findingsDirty || this.findingsFor !== run.sim) {
      this.findings = run.sim.findings();
      this.findingsDirty = false;
      this.findingsFor = run.sim;
    }
    const f = this.findings;
    if (f?.length) {
      el.className = 'alert past';
      const last = f[f.length - 1];
      el.textContent = `Safety monitor: ${f.length} finding${f.length > 1 ? 's' : ''}; last at ${logTime(last.tMs)}: ${last.text}.`;
      el.hidden = false;
    } else el.hidden = true;
  }

  updateInspector() {
    const id = this.host.renderer.selected;
    if (!id) return;
    const run = this.run;
    let fields;
    try { fields = run.sim.inspect(id); } catch { return; }
    const n = run.node(id), rules = run.rules ?? [];
    // The timers themselves (RaftScope shows them), which align and spread
    // move: Raft's fields name only the drawn timeout, and Nacos's
    // leaderDueMs is a counter that runs out only on the node's next tick.
    if (n.alive) {
      const at = (ms) => `${ms.toFixed(1)} ms, at ${logTime(run.time + ms)}`;
      const quorum = run.model === 'raft' && n.role === 'LEADER';
      if (n.leaderDueMs != null) fields.push([quorum ? 'quorum check' : 'election timer', `runs out in ${at(n.leaderDueMs)}`]);
      if (n.heartbeatDueMs != null && n.role === 'LEADER') fields.push(['heartbeat timer', `next beat in ${at(n.heartbeatDueMs)}`]);
    }
    const html = fields.map(([k, v]) => `<dt title="${esc(FIELD_HELP[k] ?? '')}">${esc(k)}</dt><dd>${k === 'peers' ? peerTable(v) : esc(v)}</dd>`).join('');
    const dl = this.$('dl.fields');
    if (dl.dataset.html !== html) { dl.innerHTML = html; dl.dataset.html = html; }
    const from = rules.find((r) => r.scope === 'from' && r.from === id);
    const to = rules.find((r) => r.scope === 'to' && r.to === id);
    const set = (sel, text, pressed) => {
      const b = this.$(`[data-n=${sel}]`);
      if (b.textContent !== text) b.textContent = text;
      if (pressed !== undefined) b.setAttribute('aria-pressed', String(pressed));
    };
    set('drop-from', from ? `Allow S${id}'s beats` : `Drop S${id}'s beats`, !!from);
    set('drop-to', to ? `Allow beats to S${id}` : `Drop beats to S${id}`, !!to);
    set('crash', n.alive ? `Crash S${id}` : `Restart S${id}`);
    const isolated = run.n > 1 && run.nodes.length && this.isIsolated(id);
    set('isolate', isolated ? 'Heal' : `Isolate S${id}`);
    this.$('[data-n=timeout]').disabled = !n.alive;
  }

  isIsolated(id) {
    const g = this.run.node(id).group;
    for (let j = 1; j <= this.run.n; j++) if (j !== id && this.run.node(j).group === g) return false;
    return true;
  }

  updateMessages() {
    const m = this.run.messages, t = this.run.time;
    const count = m.length / MESSAGE_STRIDE;
    this.$('.count-msgs').textContent = `(${count})`;
    let html = '';
    for (let i = 0; i < m.length && i < 60 * MESSAGE_STRIDE; i += MESSAGE_STRIDE) {
      html += `<li><span>#${m[i]} ${KINDS[m[i + M.kind]]} S${m[i + M.from]}→S${m[i + M.to]} · arrives in ${span(Math.max(0, m[i + M.due] - t))}</span><button data-msg="${m[i]}">Drop</button></li>`;
    }
    const ul = this.$('.msgs');
    if (ul.dataset.html !== html) { ul.innerHTML = html || '<li>None right now. Pause while messages fly, then drop one.</li>'; ul.dataset.html = html; }
  }

  /** Appends what is new in the log; rebuilds it only after a filter change or a rewind. */
  updateLog() {
    const log = this.run.log, ol = this.$('ol.entries');
    const filterKey = `${[...this.logFilter].join()}|${this.logQuery}|${log.cuts}`;
    const end = log.dropped + log.items.length;
    const rebuild = this.logShown !== filterKey || this.logAbs > end;
    if (!rebuild && this.logAbs === end && this.notesShown === this.notes.length) return;
    const follow = this.logFollow !== false;
    const q = this.logQuery, cats = this.logFilter;
    if (rebuild) { this.logAbs = Math.max(log.dropped, end - 4 * LOG_ROWS); this.logHidden = 0; this.notesShown = 0; ol.textContent = ''; }
    const notesAt = new Map();
    for (const n of this.notes) if (n.abs >= this.logAbs) notesAt.set(n.abs, [...(notesAt.get(n.abs) ?? []), n.note]);
    // Newest first, and no more rows than the list keeps: a burst of
    // thousands of events costs one list's worth of HTML, not thousands.
    const rows = [];
    const cap = rebuild ? LOG_ROWS : APPEND_ROWS;
    let skipped = 0;
    for (let k = end - 1; k >= Math.max(this.logAbs, log.dropped); k--) {
      const e = log.items[k - log.dropped];
      if (rows.length >= cap) { if (cats.has(e.cat)) skipped++; else this.logHidden++; continue; }
      for (const note of notesAt.get(k) ?? []) rows.push(`<li class="note">${esc(note)}</li>`);
      const line = `s${e.node ?? ''} ${e.event} ${e.text ?? ''}`.toLowerCase();
      if (!cats.has(e.cat) || (q && !line.includes(q))) this.logHidden++;
      else rows.push(`<li class="c-${e.cat}"${e.node ? ` data-node="${e.node}"` : ''}><time>${logTime(e.t_ms)}</time> ${e.node ? `<b>S${e.node}</b> ` : ''}<code>${esc(e.event)}</code> ${esc(e.text ?? '')}</li>`);
    }
    if (skipped) rows.push(`<li class="note">… ${skipped} more events not listed: too fast to read. Slow down to see every one.</li>`);
    this.logAbs = end;
    this.notesShown = this.notes.length;
    const html = rows.reverse().join('');
    if (rows.length >= LOG_ROWS) ol.innerHTML = html;
    else if (html) ol.insertAdjacentHTML('beforeend', html);
    const extra = ol.childElementCount - LOG_ROWS;
    if (extra > 0) {
      const range = document.createRange();
      range.setStartBefore(ol.firstElementChild);
      range.setEndAfter(ol.children[extra - 1]);
      range.deleteContents();
    }
    if ((follow || rebuild) && ol.scrollTop < ol.scrollHeight - ol.clientHeight - 1) {
      this.logScrolling = true;
      ol.scrollTop = ol.scrollHeight;
    }
    const lost = log.dropped + (this.run.sim.eventsOverflowed || 0);
    this.$('.log .meta').textContent = `${log.items.length} events kept${lost ? `, ${lost} older ones dropped` : ''}${this.logHidden ? `, ${this.logHidden} hidden by the filters` : ''}${this.run.traceLevel === 'changes' ? ' · running fast: only state changes are logged' : ''}.`;
    this.logShown = filterKey;
  }

  // ---- Actions ---------------------------------------------------------

  step() {
    const host = this.host;
    host.clock.pause();
    host.run.stepEvent();
    host.renderer.dirty = true;
    const last = host.run.log.items[host.run.log.items.length - 1];
    if (last) this.announce(`Step to ${logTime(host.run.time)}: ${last.node ? `S${last.node} ` : ''}${last.event} ${last.text ?? ''}`);
  }

  toggleLeaderBeats() {
    const id = this.target;
    if (!id) { this.host.showError('There is no leader right now: wait for one (or drop beats of a node from its inspector).'); return; }
    const rule = (this.run.rules ?? []).find((r) => r.scope === 'from' && r.from === id && r.remaining === null);
    if (rule) {
      if (this.host.act(`allow-beats rule=${rule.id}`) !== null) this.announce(`S${id}'s heartbeats flow again.`);
    } else if (this.host.act(`drop-beats from=${id}`) !== null) {
      this.announce(this.run.model === 'nacos'
        ? `Dropping every heartbeat of S${id}. Each follower's leaderDueMs keeps counting down: the first to reach 0 (15-20 s after the last beat it got) runs sendVote.`
        : `Dropping every heartbeat of S${id}. The first follower whose election timeout runs out stands for election.`);
    }
    this.tick.slow = 0;
  }

  dropNext() {
    const id = this.target;
    const count = Math.floor(Number(this.$('.beats .count').value));
    if (!id) return;
    if (!(count >= 1)) { this.host.showError('count: must be a whole number of heartbeat rounds, at least 1'); return; }
    if (this.host.act(`drop-beats from=${id} count=${count}`) !== null) this.announce(`Dropping S${id}'s next ${count} heartbeat round${count > 1 ? 's' : ''}.`);
    this.tick.slow = 0;
  }

  nodeAction(kind) {
    const id = this.host.renderer.selected, run = this.run;
    if (!id) return;
    const n = run.node(id), rules = run.rules ?? [];
    const rule = (scope) => rules.find((r) => r.scope === scope && r[scope === 'from' ? 'from' : 'to'] === id);
    const act = (c) => this.host.act(c);
    if (kind === 'drop-from') { const r = rule('from'); act(r ? `allow-beats rule=${r.id}` : `drop-beats from=${id}`); }
    if (kind === 'drop-to') { const r = rule('to'); act(r ? `allow-beats rule=${r.id}` : `drop-beats to=${id}`); }
    if (kind === 'crash') act(n.alive ? `crash ${id}` : `restart ${id}`);
    if (kind === 'timeout') act(`timeout ${id}`);
    if (kind === 'isolate') act(this.isIsolated(id) ? 'heal' : `isolate ${id}`);
    this.tick.slow = 0;
  }

  fault(kind) {
    const run = this.run, host = this.host, leader = this.target;
    const val = (sel) => this.$(sel).value;
    if (kind === 'heal') { if (host.act('heal') !== null) this.announce('Partitions healed (cut links and drop rules stay).'); }
    if (kind === 'partition') host.act(`partition ${val('input.groups') || '1'}`);
    if (kind === 'cut' || kind === 'restore') host.act(`${kind} ${val('select.cut-from')}${this.$('input.cut-both').checked ? '<->' : '->'}${val('select.cut-to')}`);
    if (kind === 'minority' || kind === 'isolate-leader') {
      if (!leader) { host.showError('There is no leader right now.'); return; }
      if (kind === 'isolate-leader') host.act(`isolate ${leader}`);
      else {
        const other = (leader % run.n) + 1;
        const rest = [];
        for (let i = 1; i <= run.n; i++) if (i !== leader && i !== other) rest.push(i);
        if (host.act(`partition ${leader},${other} | ${rest.join(',')}`) !== null) this.announce(`S${leader} (the leader) and S${other} are cut off from the majority.`);
      }
    }
    if (kind === 'align' || kind === 'spread') { this.timerKey(kind); return; }
    if (kind === 'periodic') {
      if (run.config.periodicCrash) { if (host.act('periodic-crash off') !== null) this.announce('Periodic crashes stopped (a restart already due still happens).'); } else {
        const every = val('input.pc-every'), down = val('input.pc-down');
        if (!every.trim()) { host.showError('Crash the leader every: give a number of seconds.'); return; }
        if (host.act(`periodic-crash every=${every}s down=${down || 0}s`) !== null) this.announce(`The leader will crash every ${every} s and come back ${down || 0} s later.`);
      }
    }
    if (kind === 'network') {
      const min = this.$('input.lat-min').valueAsNumber, max = this.$('input.lat-max').valueAsNumber, loss = this.$('input.loss').valueAsNumber;
      const words = [];
      if (Number.isFinite(min)) words.push(`latencyMin=${min}ms`);
      if (Number.isFinite(max)) words.push(`latencyMax=${max}ms`);
      if (Number.isFinite(loss)) words.push(`loss=${loss / 100}`);
      if (words.length && host.act(`network ${words.join(' ')}`) !== null) this.announce(`Network: ${words.join(', ')}.`);
    }
    this.tick.slow = 0;
  }

  async skip(ms) {
    const host = this.host, run = this.run, clock = host.clock;
    if (this.skipping || host.seeking) return;
    this.skipping = true;
    const was = clock.playing;
    clock.pause();
    const target = run.time + ms;
    const buttons = this.$$('[data-skip]');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      run.setTraceLevel('changes');
      host.keepChanges = true;
      const there = await runInSlices(run.advanceSteps(target, SLICE_EVENTS), {
        progress: () => { run.refresh(); this.announce(`Skipping ahead… ${logTime(run.time)}`); },
        cancelled: () => this.run !== run,
      });
      if (!there) return;
      run.refresh();
      this.announce(`Skipped to ${logTime(run.time)}.`);
    } catch (e) {
      host.showError(e.message);
    } finally {
      host.keepChanges = false;
      buttons.forEach((b) => { b.disabled = false; });
      this.skipping = false;
      // A reset or a new run during the skip freed this run's Simulation:
      // touching it would throw "null pointer passed to rust".
      if (this.run === run) {
        run.setTraceLevel('protocol');
        host.renderer.dirty = true;
        if (was) clock.play();
      }
    }
  }

  switchModel(model) {
    const run = this.run;
    if (model === run.model) return;
    try {
      this.host.restart({ model, nodes: run.n, seed: run.sim.seed }, { keepSpeed: false });
      this.announce(model === 'nacos'
        ? 'Nacos 1.x RaftCore: beats every 5 s, leaderDueMs 15-20 s, quirks included (see the notes).'
        : 'Textbook Raft: heartbeats every 50 ms, election timeout 150-300 ms; turn on Pre-Vote and CheckQuorum under Settings.');
    } catch (e) { this.host.showError(e.message); }
  }

  fillSettings() {
    const c = this.run.config, f = this.$('form.form');
    const set = (name, v) => { const el = f.elements[name]; if (!el) return; if (el.type === 'checkbox') el.checked = !!v; else el.value = v ?? ''; };
    set('model', c.model); set('nodes', c.nodes); set('seed', c.seed);
    for (const k of ['tick', 'heartbeat', 'leaderTimeout', 'leaderRandom', 'electionMin', 'electionMax', 'latencyMin', 'latencyMax']) set(k, c[k]);
    set('preVote', c.preVote); set('checkQuorum', c.checkQuorum);
    set('loss', +(c.loss * 100).toPrecision(6));
    this.$('input.lat-min').value = c.latencyMin;
    this.$('input.lat-max').value = c.latencyMax;
    this.$('input.loss').value = +(c.loss * 100).toPrecision(6);
    // The schedule in force, else a period that lets each re-election finish.
    const pc = c.periodicCrash ?? (c.model === 'nacos' ? { every: 40_000, down: 10_000 } : { every: 2_000, down: 1_000 });
    this.$('input.pc-every').value = pc.every / 1000;
    this.$('input.pc-down').value = pc.down / 1000;
    this.showModelFields(c.model);
  }

  showModelFields(model) {
    this.$$('form.form .nacos').forEach((el) => { el.hidden = model !== 'nacos'; });
    this.$$('form.form .raft').forEach((el) => { el.hidden = model !== 'raft'; });
  }

  applySettings() {
    const f = this.$('form.form'), model = f.elements.model.value;
    const s = { model };
    const num = (name) => {
      const el = f.elements[name];
      if (el.value.trim() === '') return;
      const v = Number(el.value);
      s[name] = Number.isFinite(v) ? v : el.value;
    };
    num('nodes');
    if (f.elements.seed.value.trim()) s.seed = f.elements.seed.value.trim();
    const keys = model === 'nacos' ? ['tick', 'heartbeat', 'leaderTimeout', 'leaderRandom'] : ['heartbeat', 'electionMin', 'electionMax'];
    for (const k of [...keys, 'latencyMin', 'latencyMax']) num(k);
    if (f.elements.loss.value.trim()) s.loss = Number(f.elements.loss.value) / 100;
    if (model === 'raft') { s.preVote = f.elements.preVote.checked; s.checkQuorum = f.elements.checkQuorum.checked; }
    const err = this.$('.settings-error');
    try {
      const modelChanged = model !== this.run.model;
      this.host.restart(s, { keepSpeed: !modelChanged });
      err.hidden = true;
      this.announce(`Restarted: ${this.run.sim.configText()}.`);
    } catch (e) {
      err.hidden = false;
      err.textContent = e.message;
    }
  }

  async share() {
    const url = this.host.shareUrl();
    this.host.syncUrl();
    this.announce(`Link to this run: ${url}`);
    try {
      // A clipboard that never answers (no permission) must not leave the user waiting.
      await Promise.race([navigator.clipboard.writeText(url), new Promise((_, no) => setTimeout(no, 1500))]);
      this.announce('Link copied: it replays this run, to this moment, exactly.');
    } catch { /* the link is on the page already */ }
  }

  onKey(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.composedPath()[0];
    const tag = target?.tagName;
    // Text fields and lists keep their keys. A slider or a checkbox takes no
    // letters, so the shortcuts still work there (Space toggles a checkbox,
    // but pauses from the speed slider, where it would scroll the page).
    const kind = tag === 'INPUT' ? target.type : '';
    const typing = (tag === 'INPUT' && !['range', 'checkbox', 'radio'].includes(kind)) || tag === 'SELECT' || tag === 'TEXTAREA' || target?.isContentEditable;
    if (typing) return;
    if ((e.key === ' ' || e.key === 'Enter') && (tag === 'BUTTON' || tag === 'SUMMARY' || kind === 'checkbox' || kind === 'radio')) return;
    const host = this.host, sel = host.renderer.selected, key = e.key;
    const handled = () => e.preventDefault();
    if (key === ' ' || key === 'k') { host.clock.toggle(); host.syncUrl(); return handled(); }
    if (key === '.' || key === 'n') { this.step(); return handled(); }
    if (key === 'r') { host.reset(); return handled(); }
    if (key === 'd') { this.toggleLeaderBeats(); return handled(); }
    if (key === 'b') { this.dropNext(); return handled(); }
    if (/^[0-9]$/.test(key)) { const id = key === '0' ? 10 : Number(key); if (id <= this.run.n) host.select(sel === id ? null : id); return handled(); }
    if (key === 'h') { host.act('heal'); return handled(); }
    if (key === 'a') { this.timerKey('align'); return handled(); }
    if (key === 'e') { this.timerKey('spread'); return handled(); }
    if (key === '-' || key === '_') { host.setSpeed(host.clock.speed / 2); return handled(); }
    if (key === '+' || key === '=') { host.setSpeed(host.clock.speed * 2); return handled(); }
    if (key === 'm') { this.switchModel(this.run.model === 'nacos' ? 'raft' : 'nacos'); return handled(); }
    if (key === 'Escape') { host.select(null); return; }
    if (!this.full) return;
    if (key === '?') { this.$('dialog.help').showModal(); return handled(); }
    if (key === 's') { this.share(); return handled(); }
    if (key === 'l') { this.$('input.q').focus(); return handled(); }
    if (sel && key === 'c') { this.nodeAction('crash'); return handled(); }
    if (sel && key === 't') { this.nodeAction('timeout'); return handled(); }
    if (sel && key === 'i') { this.nodeAction('isolate'); return handled(); }
  }
}

