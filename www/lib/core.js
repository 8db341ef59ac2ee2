// @ts-check
// The model side of the page: loads the wasm core once and wraps one
// Simulation in a Run, which owns the run's history (settings, actions taken,
// actions still to replay), the per-frame snapshot, the event log and the
// leadership timeline. Renderers and controls only read a Run; every change
// goes through it, so any run can be shared as a URL and replayed exactly.
import init, { Simulation, parseScenario, layout } from '../pkg/raftbeat.js';
import { DatumSnapshot } from './datums.js';

export { Simulation, parseScenario };

/** @typedef {import('../pkg/raftbeat.js').Layout} Layout */
/** @typedef {import('../pkg/raftbeat.js').TraceEvent} TraceEvent */
/** @typedef {import('../pkg/raftbeat.js').Rule} Rule */
/** @typedef {import('../pkg/raftbeat.js').Settings} Settings */
/** @typedef {import('../pkg/raftbeat.js').TraceLevel} TraceLevel */
/** An action applied to a run. @typedef {{ t: number, command: string, source: string, note?: string, seq?: number }} Action */

/**
 * The binary contract with the core, as the core itself states it
 * (src/wasm/layout.rs): the flat buffers' strides and field offsets, the
 * role, message-kind and timeline-mark codes. Read once by loadCore; every
 * reader of nodeData(), messageData() or timeline() goes through it.
 */
export const LAYOUT = /** @type {Layout} */ ({});
/** Offsets (and stride) of a node record in nodeData(); set by loadCore. */
export const N = /** @type {Layout['node']} */ ({});
/** Offsets (and stride) of a message record in messageData(); set by loadCore. */
export const M = /** @type {Layout['message']} */ ({});
/** Offsets (and stride) of the head of a node's record in logData(); LOG_CELLS terms follow it. Set by loadCore. */
export const LG = /** @type {Layout['log']} */ ({});
/** What a term cell of logData() holds where a node has no entry. Set by loadCore. */
export const LOG_CELL = /** @type {Layout['logCell']} */ ({});
/** Terms per node the Run reads for the log strips (the newest indices of any log). */
export const LOG_CELLS = 20;
/** Timeline mark codes (see Simulation.timeline); set by loadCore. */
export const MARK = /** @type {Layout['markCodes']} */ ({});
/** Role names by code. */
export const ROLES = /** @type {Layout['roles']} */ ([]);
/** Message kind names by code. */
export const KINDS = /** @type {string[]} */ ([]);

/** Fills the contract's constants in place (so importers can hold them) from the core. */
function readLayout() {
  const l = layout();
  Object.assign(LAYOUT, l);
  Object.assign(N, l.node);
  Object.assign(M, l.message);
  Object.assign(LG, l.log);
  Object.assign(LOG_CELL, l.logCell);
  Object.assign(MARK, l.markCodes);
  ROLES.push(...l.roles);
  KINDS.push(...l.kinds);
}

/** The largest cluster the page draws (the core runs up to 1001). */
export const MAX_DRAWN_NODES = 101;
/** A jump forward (to a tour's stop, along the timeline) logs this many
 *  longest election timeouts before its target in full (Nacos 60 s, Raft
 *  0.9 s): the stretch a reader looks at on arrival, or a caption talks about. */
const TRACE_TAIL = 3;
/** Events a long jump (a skip, a far seek) runs between two frames: about 30 ms of work. */
export const SLICE_EVENTS = 400_000;

/**
 * Runs a generator of slices (Run.seekSteps, Run.advanceSteps) with a pause
 * for the page after each: `progress(value)` first, then a stop
 * (steps.return()) if `cancelled()`. Resolves true when it ran to the end.
 * @param {Generator<number, any, any>} steps
 * @param {{ progress?: (value: number) => void, cancelled?: () => boolean }} [options]
 */
export async function runInSlices(steps, { progress = () => {}, cancelled = () => false } = {}) {
  for (let r = steps.next(); !r.done; r = steps.next()) {
    progress(r.value);
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (cancelled()) { steps.return(undefined); return false; }
  }
  return true;
}

/** The core's wasm, beside its glue. Written out here, with a literal path,
 *  so a bundler sees it, emits the file and rewrites the URL. */
const WASM_URL = new URL('../pkg/raftbeat_bg.wasm', import.meta.url);

/** @type {Promise<void> | undefined} */
let loading;
/** Loads and instantiates the wasm core once per page, and reads its layout. */
export function loadCore() {
  loading ??= fetchCore(WASM_URL).then((response) => init({ module_or_path: response })).then(() => readLayout());
  return loading;
}

/** The core's response, or an Error naming the URL: the browser's own
 *  ("Failed to fetch", a MIME type complaint) does not say which file. */
async function fetchCore(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`its WebAssembly core did not load from ${url}: ${e instanceof Error ? e.message : e}`);
  }
  if (!response.ok) throw new Error(`its WebAssembly core did not load from ${url}: HTTP ${response.status}`);
  return response;
}

/** `key=value key=value` (configText) as [[key, value]...]. */
export function parsePairs(text) {
  return text.trim().split(/\s+/).filter(Boolean).map((w) => {
    const at = w.indexOf('=');
    return at < 0 ? [w, ''] : [w.slice(0, at), w.slice(at + 1)];
  });
}

/** Everything that happened in a run, as the log keeps it. */
class EventLog {
  constructor(capacity) { this.capacity = capacity; this.items = []; this.dropped = 0; this.version = 0; this.cuts = 0; }
  push(events) {
    for (const e of events) this.items.push(e);
    const over = this.items.length - this.capacity;
    if (over > 0) { this.items.splice(0, over); this.dropped += over; }
    this.version++;
  }
  truncate(tMs) {
    let i = this.items.length;
    while (i > 0 && this.items[i - 1].t_ms > tMs) i--;
    this.items.length = i;
    this.version++;
    this.cuts++;
  }
}

/**
 * Leadership over time, built from the core's timeline marks: who led in
 * which term from when to when, elections, crashes, safety findings. The
 * marks are the source of truth; segments are derived and rebuilt on a fork.
 */
export class Timeline {
  constructor() { this.marks = []; this.reset(); }
  reset() {
    this.segments = []; // {node, term, start, end|null}
    this.open = new Map(); // node -> segment
    this.points = []; // {t, code, node, term}: elections, crashes, restarts, findings
  }
  add(t, code, node, term) {
    this.marks.push([t, code, node, term]);
    this.apply(t, code, node, term);
  }
  apply(t, code, node, term) {
    const close = () => {
      const s = this.open.get(node);
      if (s) { s.end = t; this.open.delete(node); }
    };
    if (code === MARK.up) {
      close();
      const s = { node, term, start: t, end: null };
      this.segments.push(s);
      this.open.set(node, s);
    } else if (code === MARK.down || code === MARK.crash) {
      close();
      if (code === MARK.crash) this.points.push({ t, code, node, term });
    } else {
      this.points.push({ t, code, node, term });
    }
  }
  /** Keeps the first `count` marks (a fork: what follows is no longer true). */
  truncate(count) {
    this.marks.length = Math.min(this.marks.length, count);
    this.reset();
    for (const m of this.marks) this.apply(...m);
  }
  /** Leaders (node, term) at time t. */
  leadersAt(t) {
    return this.segments.filter((s) => s.start <= t && (s.end === null || s.end > t));
  }
}

/**
 * One simulated run. `settings` is what new Simulation() takes (plain
 * object; values may be numbers in ms or text with units). `plan` is a list
 * of {tMs, command, note?} to apply at those simulated times (a scenario,
 * or the actions of a shared URL); `command` is a line of the scenario
 * language or an action object ({do: 'crash', node: 3}). Throws the core's
 * Error on bad settings.
 */
export class Run {
  /** @param {Record<string, any>} [settings] @param {{ plan?: any[], source?: string, logCapacity?: number, traceLevel?: TraceLevel }} [options] */
  constructor(settings = {}, { plan = [], source = 'replay', logCapacity = 4000, traceLevel = 'protocol' } = {}) {
    this.sim = new Simulation(settings);
    this.init = { ...settings, seed: this.sim.seed };
    this.pairs = parsePairs(this.sim.configText());
    this.model = this.sim.model;
    this.n = this.sim.nodeCount;
    this.config = this.sim.settings();
    this.traceLevel = traceLevel;
    this.sim.traceLevel = traceLevel;
    /** Actions applied, as the core logged them: {t, action (the typed object,
     *  what a replay applies), command (its script line, exact: for share
     *  links and display), source: 'user'|'scenario'|'replay'|'api', note?, seq?}. */
    this.history = [];
    // `seq` is a step's place in the plan: it orders steps of one time when a
    // rewind puts them back (a stop after the action it talks about).
    const steps = plan.map((p, seq) => (p.pause
      ? { t: +p.tMs, pause: true, note: p.note ?? '', seq, source: 'scenario' }
      : { t: +p.tMs, command: p.command, note: p.note, seq, source: p.source ?? source }));
    /** The plan's stops (a scenario's `pause` lines): a guided tour halts at each. */
    this.stops = steps.filter((p) => p.pause).sort(byTimeThenSeq);
    /** How many stops are behind the run (the last one is the current caption). */
    this.stopsPassed = 0;
    /** Actions (and stops) still to apply, by time, then plan order. */
    this.pending = steps.sort(byTimeThenSeq);
    this.log = new EventLog(logCapacity);
    /** What each node stores (Nacos), read a few times a second: `datums.read(run)`. */
    this.datums = new DatumSnapshot();
    this.timeline = new Timeline();
    /** The furthest simulated time this run's history reaches (a rewind goes back from it). */
    this.until = 0;
    this.marksRead = 0;
    this.listeners = new Set();
    this.errors = [];
    this.topologyDirty = true;
    this.refresh();
  }

  get now() { return this.sim.timeMs; }

  /** Calls fn(kind, detail) for 'events', 'action', 'stop', 'rewind', 'fork', 'error'. */
  on(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  emit(kind, detail) { for (const fn of this.listeners) fn(kind, detail); }

  /** The longest a node's election countdown can be, to scale the arcs. */
  get maxLeaderDue() {
    const c = this.config;
    return this.model === 'nacos' ? c.leaderTimeout + c.leaderRandom : c.electionMax;
  }
  get heartbeatInterval() { return this.config.heartbeat; }
  /** Typical one-way latency now (ms). */
  get meanLatency() { return Math.max(0.001, (this.config.latencyMin + this.config.latencyMax) / 2); }

  /** Reads the snapshot the page draws from: nodes, messages, new events and marks. */
  refresh() {
    const sim = this.sim;
    this.nodes = sim.nodeData();
    this.messages = sim.messageData();
    /** Every node's log window (Raft; empty for Nacos): LG's head, then LOG_CELLS terms. */
    this.logs = this.model === 'raft' ? sim.logData(LOG_CELLS) : NO_LOGS;
    this.time = sim.timeMs;
    const events = sim.events();
    if (events.length) this.ingest(events);
    const marks = sim.timelineLength;
    if (marks > this.marksRead) {
      const data = sim.timeline(this.marksRead);
      const have = this.timeline.marks.length;
      const K = LAYOUT.mark;
      for (let i = 0; i < data.length; i += K.stride) {
        // After a rewind the replay re-creates marks the timeline already has.
        if (this.marksRead + i / K.stride >= have) this.timeline.add(data[i + K.t], data[i + K.code], data[i + K.node], data[i + K.term]);
      }
      this.marksRead = marks;
    }
    if (sim.actionCount > this.history.length) this.adoptApiActions();
    if (this.topologyDirty) {
      this.cuts = sim.cuts();
      this.rules = sim.rules();
      this.config = sim.settings();
      this.topologyDirty = false;
    }
    this.until = Math.max(this.until, this.time);
    this.leaders = this.liveLeaders();
  }

  ingest(events) {
    this.log.push(events);
    for (const e of events) if (e.cat === 'fault') this.topologyDirty = true;
    this.emit('events', events);
  }

  /** Actions applied straight on `simulation` (the element's public object), not through the Run. */
  adoptApiActions() {
    const all = this.sim.actions();
    for (let i = this.history.length; i < all.length; i++) {
      this.history.push({ t: all[i].tMs, action: all[i].action, command: all[i].command, source: 'api' });
      this.forkIfReplaying(all[i].tMs);
      this.emit('action', this.history[i]);
    }
  }

  /** Live LEADERs: [{id, term}]. */
  liveLeaders() {
    const out = [];
    const d = this.nodes;
    for (let i = 0; i < d.length; i += N.stride) {
      if (ROLES[d[i + N.role]] === 'LEADER' && d[i + N.alive] === 1) out.push({ id: d[i + N.id], term: d[i + N.term] });
    }
    return out;
  }

  node(id) {
    const o = (id - 1) * N.stride, d = this.nodes;
    if (id < 1 || o >= d.length) return null;
    return {
      id, role: ROLES[d[o + N.role]], roleCode: d[o + N.role], term: d[o + N.term],
      voteFor: d[o + N.voteFor] || null, leader: d[o + N.leader] || null, alive: d[o + N.alive] === 1,
      leaderDueMs: d[o + N.leaderDue] < 0 ? null : d[o + N.leaderDue],
      heartbeatDueMs: d[o + N.heartbeatDue] < 0 ? null : d[o + N.heartbeatDue],
      group: d[o + N.group], rules: d[o + N.rules],
      pausedMs: d[o + N.paused] < 0 ? null : d[o + N.paused],
      writingMs: d[o + N.writing] < 0 ? null : d[o + N.writing],
    };
  }

  /** Node `id`'s log as the strips draw it (null: Nacos, or no such node):
   *  {first, base, last, lastTerm, commit, applied, snapshot, terms} where
   *  terms[k] is the term at index first + k, or a LOG_CELL code. */
  nodeLog(id) {
    const stride = LG.stride + LOG_CELLS, o = (id - 1) * stride, d = this.logs;
    if (id < 1 || o >= d.length) return null;
    return {
      first: d[o + LG.first], base: d[o + LG.base], last: d[o + LG.last], lastTerm: d[o + LG.lastTerm],
      commit: d[o + LG.commit], applied: d[o + LG.applied], snapshot: d[o + LG.snapshot],
      terms: Array.from(d.subarray(o + LG.stride, o + stride)),
    };
  }

  /** How long until something is next sent on its own: the earliest
   *  election or heartbeat countdown of a live node (ms), or Infinity. */
  nextSendIn() {
    let min = Infinity;
    const d = this.nodes;
    for (let i = 0; i < d.length; i += N.stride) {
      if (d[i + N.alive] !== 1) continue;
      const a = d[i + N.leaderDue], b = d[i + N.heartbeatDue];
      if (a >= 0 && a < min) min = a;
      if (b >= 0 && b < min) min = b;
    }
    return min;
  }

  /** The time of the next action to replay, or Infinity. */
  nextActionAt() { return this.pending.length ? this.pending[0].t : Infinity; }

  /**
   * Runs the simulation to time `target` (ms), applying pending actions at
   * their exact times. With `maxEvents`, stops after about that many events
   * so a fast-forward never freezes the page. With `halt`, a stop of the
   * plan ends it there (the clock's frames; a skip or a seek goes past
   * stops). Returns true when it got there or halted.
   */
  advanceTo(target, maxEvents = Infinity, { halt = false } = {}) {
    const sim = this.sim;
    let budget = maxEvents;
    // Times are whole microseconds in the core: half a microsecond is "there".
    const EPS = 0.0005;
    for (;;) {
      const now = sim.timeMs;
      const next = this.pending.length ? this.pending[0].t : Infinity;
      const stop = Math.min(target, next);
      if (stop - now > EPS) {
        const span = Math.min(stop - now, 3_600_000);
        if (budget === Infinity) sim.step(span);
        else {
          const before = sim.eventCount;
          const done = sim.stepBudget(span, Math.max(1, budget));
          budget -= sim.eventCount - before;
          if (!done || budget <= 0) return false;
        }
        if (stop - sim.timeMs > EPS) continue;
      }
      if (this.pending.length && this.pending[0].t <= sim.timeMs + EPS) {
        const p = this.pending.shift();
        if (!p.pause) { this.applyPending(p); continue; }
        this.stopsPassed = this.stops.indexOf(p) + 1;
        this.emit('stop', { stop: p, index: this.stopsPassed - 1, halted: halt });
        if (halt) return true;
        continue;
      }
      return sim.timeMs >= target - EPS;
    }
  }

  applyPending(p) {
    try {
      // A planned step may name its node only when it runs ("a follower").
      const wanted = typeof p.command === 'function' ? p.command(this) : p.command;
      const logged = this.sim.applyAt(Math.max(p.t, this.sim.timeMs), p.action ?? wanted);
      const done = { t: logged.tMs, action: logged.action, command: logged.command, source: p.source, note: p.note, seq: p.seq };
      this.history.push(done);
      this.topologyDirty = true;
      this.emit('action', done);
    } catch (e) {
      // A replayed action can fail when the run differs from the one that made
      // it (a scenario's `crash leader` with no leader): say so, go on.
      this.report(e, typeof p.command === 'function' ? 'a planned step' : p.command);
    }
  }

  report(error, command) {
    const detail = { message: error.message ?? String(error), command, t: this.sim.timeMs };
    this.errors.push(detail);
    this.emit('error', detail);
  }

  /** Goes to stop i of the plan as if just reached: forward by playing to
   *  it, back by rebuilding it from the seed. */
  goToStop(i) {
    const stop = this.stops[i];
    if (!stop) throw new Error(`stop: must be a whole number from 1 to ${this.stops.length}, got ${i + 1}`);
    const here = i === this.stopsPassed - 1 && this.sim.timeMs <= stop.t + 0.0005;
    if (i < this.stopsPassed && !here) { this.seek(stop.t, stop); return; }
    this.skipTowards(stop.t);
    // Each call halts at the next stop on the way.
    for (let guard = this.stops.length; this.stopsPassed <= i && guard >= 0; guard--) this.advanceTo(stop.t, Infinity, { halt: true });
    this.refresh();
  }

  /** Single step: runs events one at a time until one shows in the trace. */
  stepEvent() {
    const next = this.sim.nextEventMs;
    const act = this.nextActionAt();
    if (act !== Infinity && (next === undefined || next === null || act <= next)) this.advanceTo(act, Infinity, { halt: true });
    else {
      // The core's step runs on until something shows in the trace, which
      // could be past the action (it would then come late, or a stop be
      // passed unseen): no event after it, and the action once they are done.
      this.sim.stepEvent(act === Infinity ? undefined : act);
      if (!((this.sim.nextEventMs ?? Infinity) <= act)) this.advanceTo(act, Infinity, { halt: true });
    }
    this.refresh();
  }

  /** A user action now: an action object ({do: 'dropBeats', from: 3}) or a
   *  line of the scenario language. Returns its script line as logged
   *  (`leader` pinned). Throws the core's Error. */
  act(action, source = 'user') {
    this.forkIfReplaying(this.sim.timeMs);
    // A line is read by the core (apply: parse, then act), right now: no
    // event due at this same moment runs first.
    let logged;
    if (typeof action === 'string') {
      this.sim.apply(action);
      logged = this.sim.actions()[this.sim.actionCount - 1];
    } else logged = this.sim.act(action);
    const done = { t: logged.tMs, action: logged.action, command: logged.command, source };
    this.history.push(done);
    this.topologyDirty = true;
    this.emit('action', done);
    this.refresh();
    return logged.command;
  }

  /** Acting in the past forks the run: what was recorded later is dropped. */
  forkIfReplaying(t) {
    if (this.until <= t) return;
    const dropped = this.pending.filter((p) => p.source === 'replay-ahead').length;
    this.pending = this.pending.filter((p) => p.source !== 'replay-ahead');
    this.timeline.truncate(this.marksRead);
    this.log.truncate(t);
    this.until = t;
    this.emit('fork', { t, dropped });
  }

  /**
   * Goes to simulated time t: forward by running (replaying what is
   * pending), back by rebuilding the run from its seed and actions, which the
   * determinism of the core makes exact. Actions after t stay, to replay.
   */
  seek(t, stop = null) {
    for (const _ of this.seekSteps(t, stop)) { /* all at once */ }
  }

  /**
   * The work of seek as a generator: with `slice` events it yields (the
   * simulated time reached) after each slice of at most that many, so a far
   * jump can run between frames (a shared link's t, hours of replay) instead
   * of freezing the page. Nothing of the run changes until the last slice,
   * except the forward run itself; abandoned (return()), a rebuild is freed.
   */
  *seekSteps(t, stop = null, slice = Infinity) {
    // The core counts whole microseconds: a finer target could never be reached.
    t = Math.max(0, Math.round(t * 1000) / 1000);
    if (!stop && t >= this.sim.timeMs) {
      yield* this.skipSteps(t, slice);
      yield* this.advanceSteps(t, slice);
      this.refresh();
      return;
    }
    // Back to a stop: what came before it in the plan, not what followed at
    // the same time (nor what the reader did there, after reaching it).
    const before = stop
      ? (a) => a.t < t - 0.0005 || (a.t <= t + 0.0005 && (a.seq ?? Infinity) < stop.seq)
      : (a) => a.t <= t;
    const later = this.history.filter((a) => !before(a));
    const earlier = this.history.filter(before);
    const sim = new Simulation(this.init);
    sim.traceLevel = 'none';
    let built = false;
    try {
      let since = 0;
      const runTo = function* (to) {
        while (to - sim.timeMs > 0.0005) {
          const span = Math.min(to - sim.timeMs, 3_600_000);
          if (slice === Infinity) { sim.step(span); continue; }
          const before = sim.eventCount;
          sim.stepBudget(span, slice - since);
          since += sim.eventCount - before;
          if (since >= slice) { since = 0; yield sim.timeMs; }
        }
      };
      for (const a of earlier) {
        yield* runTo(a.t);
        sim.applyAt(a.t, a.action ?? a.command);
      }
      yield* runTo(t);
      built = true;
    } finally {
      if (!built) sim.free();
    }
    sim.events();
    sim.traceLevel = this.traceLevel;
    const old = this.sim;
    this.sim = sim;
    old.free();
    this.history = earlier;
    // The scenario's own steps stay whatever you do; yours replay unless you act.
    const ahead = later.map((a) => (a.source === 'scenario' ? a : { ...a, source: 'replay-ahead' }));
    this.stopsPassed = stop ? this.stops.indexOf(stop) + 1 : this.stops.filter((s) => s.t <= t).length;
    const waiting = this.pending.filter((p) => !p.pause);
    this.pending = [...ahead, ...waiting, ...this.stops.slice(this.stopsPassed)].sort(byTimeThenSeq);
    this.marksRead = sim.timelineLength;
    this.log.truncate(t);
    this.topologyDirty = true;
    this.refresh();
    this.emit('rewind', { t });
  }

  /** A jump forward to t: runs fast, logging only state changes, to a
   *  little before t, so that what is left to run is logged in full (the
   *  stretch a reader looks at on arrival). */
  skipTowards(t) {
    for (const _ of this.skipSteps(t)) { /* all at once */ }
  }

  /** skipTowards in slices of at most `slice` events (see seekSteps). */
  *skipSteps(t, slice = Infinity) {
    const fullFrom = t - TRACE_TAIL * this.maxLeaderDue;
    if (fullFrom <= this.sim.timeMs) return;
    const was = this.sim.traceLevel;
    this.sim.traceLevel = 'changes';
    try {
      yield* this.advanceSteps(fullFrom, slice);
    } finally { this.sim.traceLevel = was; }
  }

  /** advanceTo(t) in slices of at most `slice` events, yielding the time reached after each. */
  *advanceSteps(t, slice) {
    while (!this.advanceTo(t, slice)) yield this.sim.timeMs;
  }

  /** @param {TraceLevel} level */
  setTraceLevel(level) { this.traceLevel = level; this.sim.traceLevel = level; }

  /** Every action, done and to do, for a share URL or a script. */
  allActions() { return [...this.history, ...this.pending.filter((p) => p.source === 'replay-ahead')]; }

  dispose() { this.sim.free(); this.listeners.clear(); }
}

const NO_LOGS = new Float64Array(0);

/** Plan order: by time, then by place in the plan (what was not planned last). */
function byTimeThenSeq(a, b) {
  return a.t - b.t || (a.seq ?? Infinity) - (b.seq ?? Infinity) || 0;
}

/** The scenario language's schedule, or an Error naming the line. */
export function planScenario(text) {
  return parseScenario(text);
}
