// @ts-check
// The Experiments view: runs Figure 16 and the Nacos failover on a pool of
// Web Workers (experiments-worker.js, one a core, at most four), draws their
// cumulative distributions with the paper's stated numbers marked, and
// tabulates them. Statistics come from the wasm core loaded here too, so
// they are the CLI's to the digit.
//
// URL parameters: ?seed=S&trials=N&failover=M&autorun=1 (shareable runs),
// &workers=N to size the pool. The Nacos data experiments (propagation,
// beat size, lost writes) run on their own pool: &keys=N&lost=M&autorun=data;
// the Raft data experiments (commit latency, lost writes against Nacos) on
// another: &commitTrials=N&lostRuns=M&autorun=raft.
// window.experiments exposes the state and the JSON, for tests.
// The page's words are in www/i18n/<lang>/experiments.js; ?lang=zh-CN (the
// EN / 中文 switch), else the browser's language, picks them.

import init, {
  fig16Lines, fig16TrialsFor, fig16Summary, failoverSetup, failoverSummary,
  nacosDataSetup, nacosPropagationReport, nacosBeatSizeReport, nacosLostWritesReport,
  raftDataSetup, raftCommitReport, lostWritesReport,
} from './pkg-experiments/raftbeat.js';
import { pageLang, loadLang, addWords, t } from './lib/i18n.js';
import englishWords from './i18n/en/experiments.js';

// This page's words are its own part of the catalogs: the element's pages never load them.
addWords('en', englishWords);
/** Whether the Chinese part was added (after the Chinese catalog loaded). */
let chineseAdded = false;

/** The page's element with this id (any: the page's own markup says which kind). @param {string} id @returns {any} */
const $ = (id) => document.getElementById(id);
const COLORS = ['#6b7280', '#e377c2', '#d62728', '#ff7f0e', '#2ca02c', '#1f77b4', '#9467bd', '#8c564b', '#17becf', '#bcbd22'];
const NACOS_COLORS = { detection: '#ff7f0e', total: '#1f77b4' };
const MAX_SEED = 18446744073709551615n;
/** Workers in the pool: one a core, at most four (?workers=N overrides, 1 to 16). */
const POOL = (() => {
  const asked = Number(new URLSearchParams(location.search).get('workers'));
  if (Number.isInteger(asked) && asked >= 1 && asked <= 16) return asked;
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
})();

const state = {
  status: 'loading', // loading | failed | idle | running | done | cancelled | error
  lines: [],
  setup: null,
  failoverSetup: null,
  results: new Map(), // line index -> {sorted (ms), summary, slowest}
  failover: null, // {total, detection, elected (sorted ms arrays), summary}
  seed: '1',
  timings: null,
  run: null,
};

let pool = [];

/** The page's language: ?lang= (the switch), else the browser's. */
let lang = pageLang().lang;
/** The page's text for a key. @param {string} key @param {Record<string, string | number>} [vars] */
const pageText = (key, vars) => t(lang, key, vars);
/** The words each status line says now (said again when the language changes). @type {Record<string, [string, Record<string, string | number>?]>} */
const said = { status: ['exp.status.loading'] };
/** Sets a status line's words by key. @param {string} id @param {string} key @param {Record<string, string | number>} [vars] */
function say(id, key, vars) {
  said[id] = [key, vars];
  $(id).textContent = key ? pageText(key, vars) : '';
}

function startPool() {
  pool = Array.from({ length: POOL }, () => {
    const slot = { worker: new Worker(new URL('./experiments-worker.js', import.meta.url), { type: 'module' }), task: null };
    slot.worker.onmessage = ({ data }) => onWorkerMessage(slot, data);
    slot.worker.onerror = (e) => showError(pageText('exp.error.worker', { message: e.message }));
    return slot;
  });
}

function stopPool() {
  for (const slot of pool) slot.worker.terminate();
  startPool();
}

/**
 * Cuts a run into tasks, costliest first: single trials of 150-150 (a trial
 * can take minutes of simulated time), then eighths of every other line,
 * then quarters of the Nacos failovers.
 */
function planTasks(seed, perLine, failover) {
  /** @type {{ cmd: 'fig16' | 'failover', line?: number, seed: unknown, first: number, count: number, piece: number, task?: number }[]} */
  const tasks = [];
  const lines = state.lines.map((line, index) => ({ line, index, n: fig16TrialsFor(index, perLine) }));
  lines.sort((a, b) => (a.line.rangeMs[1] - a.line.rangeMs[0]) - (b.line.rangeMs[1] - b.line.rangeMs[0]));
  for (const { line, index, n } of lines) {
    const size = line.rangeMs[0] === line.rangeMs[1] ? 1 : Math.max(25, Math.ceil(n / 8));
    let piece = 0;
    for (let first = 0; first < n; first += size) {
      tasks.push({ cmd: 'fig16', line: index, seed, first, count: Math.min(size, n - first), piece: piece++ });
    }
  }
  const size = Math.max(25, Math.ceil(failover / 4));
  let piece = 0;
  for (let first = 0; first < failover; first += size) {
    tasks.push({ cmd: 'failover', seed, first, count: Math.min(size, failover - first), piece: piece++ });
  }
  tasks.forEach((t, i) => { t.task = i; });
  return tasks;
}

function dispatch() {
  const run = state.run;
  if (!run) return;
  for (const slot of pool) {
    if (slot.task == null && run.queue.length) {
      const t = run.queue.shift();
      slot.task = t.task;
      slot.worker.postMessage(t);
    }
  }
}

function onWorkerMessage(slot, m) {
  const run = state.run;
  switch (m.type) {
    case 'ready':
      break;
    case 'progress': {
      if (!run || !(m.task in run.byTask)) break;
      run.done += m.n;
      const t = run.byTask[m.task];
      const label = t.cmd === 'fig16' ? pageText('exp.status.lineLabel', { range: state.lines[t.line].label }) : pageText('exp.status.failoverLabel');
      $('progress').value = run.done;
      say('status', 'exp.status.progress', { label, done: fmtInt(run.done), total: fmtInt(run.total), seconds: ((performance.now() - run.t0) / 1000).toFixed(1) });
      break;
    }
    case 'result': {
      slot.task = null;
      if (!run || !(m.task in run.byTask)) break;
      const t = run.byTask[m.task];
      const group = t.cmd === 'fig16' ? run.lines.get(t.line) : run.failover;
      group.parts[t.piece] = m.data;
      group.left -= 1;
      if (group.left === 0) {
        const data = concat(group.parts);
        if (t.cmd === 'fig16') addLine(t.line, data, JSON.parse(fig16Summary(t.line, data)));
        else addFailover(data, JSON.parse(failoverSummary(data)));
      }
      if (t.cmd === 'fig16' && run.fig16Ms == null && [...run.lines.values()].every((g) => g.left === 0)) {
        run.fig16Ms = performance.now() - run.t0;
      }
      run.tasksLeft -= 1;
      if (run.tasksLeft === 0) finish();
      else dispatch();
      break;
    }
    case 'replay':
      $('replay-script').textContent = m.script;
      $('replay').hidden = false;
      $('replay').open = true;
      break;
    case 'error':
      showError(m.message);
      break;
    default:
      break;
  }
}

function concat(parts) {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function finish() {
  const run = state.run;
  const wallMs = performance.now() - run.t0;
  state.timings = { wallMs, workers: POOL, fig16Ms: run.fig16Ms ?? null };
  state.run = null;
  const total = [...state.results.values()].reduce((n, r) => n + r.summary.trials, 0) + (state.failover?.summary.total.trials ?? 0);
  setStatus('done', POOL > 1 ? 'exp.status.doneMany' : 'exp.status.doneOne', { trials: fmtInt(total), seconds: (wallMs / 1000).toFixed(2), workers: POOL, seed: state.seed });
  $('progress').value = $('progress').max;
  $('json').textContent = fig16Json() + (state.failover ? `\n${failoverJson()}` : '');
}

/** @param {string} status @param {string} key the words, by key @param {Record<string, string | number>} [vars] */
function setStatus(status, key, vars) {
  state.status = status;
  say('status', key, vars);
  const running = status === 'running';
  $('run').disabled = running || status === 'loading' || status === 'failed';
  $('cancel').disabled = !running;
  for (const id of ['seed', 'trials', 'failover']) $(id).disabled = running;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
  if (state.run) {
    state.run = null;
    stopPool();
  }
  if (state.status === 'loading' || state.status === 'failed') setStatus('failed', 'exp.status.notLoaded');
  else setStatus('error', 'exp.status.stopped');
}

/** The seed as typed, checked like the CLI checks --seed. */
function readSeed() {
  const text = $('seed').value.trim();
  if (!/^\d+$/.test(text) || BigInt(text) > MAX_SEED) {
    throw new Error(pageText('exp.error.seed', { max: String(MAX_SEED), text }));
  }
  return BigInt(text).toString();
}

/**
 * The seed field's value, or null after showing why it is not one (both
 * Run buttons read it).
 * @returns {string | null}
 */
function seedOrSay() {
  try {
    const seed = readSeed();
    $('error').hidden = true;
    return seed;
  } catch (e) {
    $('error').textContent = /** @type {Error} */ (e).message;
    $('error').hidden = false;
    $('seed').focus();
    return null;
  }
}

function start() {
  const seed = seedOrSay();
  if (seed === null) return;
  state.seed = seed;
  state.results.clear();
  state.failover = null;
  state.timings = null;
  $('replay').hidden = true;
  $('json').textContent = '';
  renderTable();
  renderNacosTable();
  drawAll();
  const perLine = Number($('trials').value);
  const failover = Number($('failover').value);
  const tasks = planTasks(seed, perLine, failover);
  const lines = new Map();
  for (const t of tasks.filter((x) => x.cmd === 'fig16')) {
    const g = lines.get(t.line) ?? { parts: [], left: 0 };
    g.left += 1;
    lines.set(t.line, g);
  }
  state.run = {
    queue: tasks.slice(),
    byTask: Object.fromEntries(tasks.map((t) => [t.task, t])),
    lines,
    failover: { parts: [], left: tasks.filter((t) => t.cmd === 'failover').length },
    tasksLeft: tasks.length,
    total: tasks.reduce((n, t) => n + t.count, 0),
    done: 0,
    t0: performance.now(),
  };
  $('progress').max = state.run.total;
  $('progress').value = 0;
  setStatus('running', 'exp.status.starting');
  const params = new URLSearchParams({ seed, trials: String(perLine), failover: String(failover) });
  keepLang(params);
  history.replaceState(null, '', `?${params}`);
  dispatch();
}

function cancel() {
  const done = state.run?.done ?? 0;
  state.run = null;
  stopPool();
  setStatus('cancelled', 'exp.status.cancelled', { trials: fmtInt(done) });
}

// ---- Results ---------------------------------------------------------------

function addLine(index, samplesUs, summary) {
  let slowest = 0;
  for (let i = 1; i < samplesUs.length; i++) if (Math.abs(samplesUs[i]) > Math.abs(samplesUs[slowest])) slowest = i;
  const sorted = Float64Array.from(samplesUs, (v) => Math.abs(v) / 1000).sort();
  state.results.set(index, { sorted, summary, slowest });
  renderTable();
  drawFig16();
}

function addFailover(data, summary) {
  const total = [], detection = [], elected = [];
  for (let i = 0; i < data.length; i += 4) {
    total.push(Math.abs(data[i]) / 1000);
    if (data[i + 1] >= 0) detection.push(data[i + 1] / 1000);
    if (data[i + 2] >= 0) elected.push(data[i + 2] / 1000);
  }
  const sort = (a) => Float64Array.from(a).sort();
  state.failover = { total: sort(total), detection: sort(detection), elected: sort(elected), summary };
  renderNacosTable();
  drawNacos();
}

/** The JSON array `raftbeat experiment fig16 --format json` prints, lines in run order. */
function fig16Json() {
  const rows = [...state.results.keys()].sort((a, b) => a - b).map((i) => JSON.stringify(state.results.get(i).summary));
  return `[\n${rows.join(',\n')}\n]\n`;
}

function failoverJson() {
  return state.failover ? `${JSON.stringify(state.failover.summary, null, 1)}\n` : '';
}

// ---- Text ------------------------------------------------------------------

const fmtInt = (n) => Number(n).toLocaleString('en-US').replace(/,/g, '\u2009');
/** Milliseconds as the CLI's table prints them: whole at and above 100, one decimal below. */
const fmtMs = (ms) => (ms >= 100 ? fmtInt(Math.round(ms)) : ms.toFixed(1));

function describeSetups() {
  $('fig16-setup').textContent = setupText(state.setup);
  const f = state.failoverSetup;
  $('nacos-setup').textContent = pageText('exp.nacos.setup', {
    nodes: f.nodes, tick: f.tickMs, heartbeat: f.heartbeatMs / 1000, leaderTimeout: f.leaderTimeoutMs / 1000,
    leaderRandom: f.leaderRandomMs / 1000, latencyMin: f.latencyMs[0], latencyMax: f.latencyMs[1],
  });
}

function setupText(setup) {
  return pageText('exp.fig16.setup', {
    logs: setup.logs.split(',').map((l) => l.split(':')[0]).join(pageText('exp.listSep')),
    latencyMin: setup.latencyMs[0], latencyMax: setup.latencyMs[1], jitter: setup.timerJitterMs,
    diskMin: setup.diskWriteMs[0], diskMax: setup.diskWriteMs[1],
  });
}

function renderTable() {
  const body = $('fig16-table').tBodies[0];
  body.replaceChildren();
  state.lines.forEach((line, i) => {
    const r = state.results.get(i);
    const tr = document.createElement('tr');
    const cell = (text, cls) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
      return td;
    };
    cell(pageText(`exp.graph.${line.graph}`), 'text');
    const label = cell('', 'text');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = COLORS[i];
    label.append(sw, line.label);
    const s = r?.summary;
    cell(s ? fmtInt(s.trials) : '');
    for (const k of ['min_ms', 'median_ms', 'mean_ms', 'p90_ms', 'p99_ms', 'max_ms']) cell(s ? fmtMs(s[k]) : '');
    cell(line.claims.map((c) => c.words).join(', '), 'paper');
    const checked = s ? s.paper.filter((c) => !c.check.startsWith('not')) : [];
    const ok = checked.every((c) => c.ok);
    cell(checked.map((c) => `${pageText(c.ok ? 'exp.check.ok' : 'exp.check.fail')}: ${c.stat} ${fmtMs(c.measured_ms)} ${c.check}`).join('; '), checked.length ? (ok ? 'ok' : 'fail') : 'text');
    const last = cell('', 'text');
    if (r) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `#${r.slowest}`;
      b.title = pageText('exp.replay.button', { trial: r.slowest, range: line.label });
      b.addEventListener('click', () => {
        say('replay-title', 'exp.replay.summary', { range: line.label, trial: r.slowest, ms: fmtMs(r.sorted[r.sorted.length - 1]), seed: state.seed });
        (pool.find((w) => w.task == null) ?? pool[0]).worker.postMessage({ cmd: 'replay', line: i, seed: state.seed, trial: r.slowest });
      });
      last.append(b);
    }
    body.append(tr);
  });
}

function renderNacosTable() {
  const body = $('nacos-table').tBodies[0];
  body.replaceChildren();
  const sum = state.failover?.summary;
  for (const phase of ['total', 'detection', 'election', 'propagation']) {
    const s = sum?.[phase];
    const tr = document.createElement('tr');
    for (const v of [pageText(`exp.phase.${phase}`), s ? fmtInt(s.trials) : '', ...['min_ms', 'median_ms', 'mean_ms', 'p90_ms', 'p99_ms', 'max_ms'].map((k) => (s ? fmtMs(s[k]) : ''))]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    body.append(tr);
  }
}

// ---- Drawing ---------------------------------------------------------------

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * Sizes a canvas's backing store to its CSS size times the pixel ratio;
 * returns its context in CSS pixels. The height keeps the canvas's own
 * width:height, but never drops below 240 px (or 3/4 of a narrow width): the
 * wide Nacos chart was 94 px tall on a phone, its 12 px labels overlapping.
 */
function prepare(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const ratio = Number(canvas.dataset.ratio ||= String(canvas.height / canvas.width));
  const h = Math.max(Math.round(w * ratio), Math.min(240, Math.round(w * 0.75))) || canvas.height;
  if (canvas.width !== Math.round(w * dpr)) {
    canvas.style.height = `${h}px`;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w: canvas.width / dpr, h: canvas.height / dpr };
}

/**
 * Draws cumulative distributions. axis: {log, min, max, ticks: [[value, label]], title};
 * series: [{color, sorted}]; marks: [{x, y|null, label, color?, kind: 'paper'|'measured'|'over'}].
 */
function drawCdf(canvas, axis, series, marks) {
  const { ctx, w, h } = prepare(canvas);
  const m = { l: 48, r: 16, t: 30, b: 40 };
  const pw = w - m.l - m.r, ph = h - m.t - m.b;
  const fx = axis.log
    ? (v) => m.l + pw * (Math.log10(Math.max(v, axis.min)) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min))
    : (v) => m.l + pw * (v - axis.min) / (axis.max - axis.min);
  const fy = (p) => m.t + ph * (1 - p);
  const X = (v) => Math.min(m.l + pw, Math.max(m.l, fx(v)));
  ctx.fillStyle = css('--bg');
  ctx.fillRect(0, 0, w, h);
  ctx.font = '12px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.strokeStyle = css('--grid');
  ctx.fillStyle = css('--muted');
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    ctx.beginPath(); ctx.moveTo(m.l, fy(p)); ctx.lineTo(m.l + pw, fy(p)); ctx.stroke();
    ctx.fillText(`${p * 100}%`, m.l - 6, fy(p));
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const [v, label] of axis.ticks) {
    ctx.beginPath(); ctx.moveTo(fx(v), m.t); ctx.lineTo(fx(v), m.t + ph); ctx.stroke();
    ctx.fillText(label, fx(v), m.t + ph + 5);
  }
  ctx.fillText(axis.title, m.l + pw / 2, m.t + ph + 22);
  ctx.save();
  ctx.beginPath(); ctx.rect(m.l, m.t - 2, pw, ph + 4); ctx.clip();
  ctx.lineWidth = 2;
  for (const s of series) {
    const n = s.sorted.length;
    if (!n) continue;
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    ctx.moveTo(X(s.sorted[0]), fy(0));
    for (let i = 0; i < n; i++) {
      const x = X(s.sorted[i]);
      ctx.lineTo(x, fy(i / n));
      ctx.lineTo(x, fy((i + 1) / n));
    }
    ctx.stroke();
  }
  ctx.restore();
  ctx.textBaseline = 'middle';
  for (const mk of marks) {
    const x = X(mk.x);
    if (mk.kind === 'over') {
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = css('--fg');
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(x, m.t); ctx.lineTo(x, m.t + ph); ctx.stroke();
      ctx.setLineDash([]);
      label(ctx, mk.label, x, fy(mk.labelY ?? 0.08), 6, m.l + pw);
      continue;
    }
    const y = mk.y == null ? m.t + ph - 8 : fy(mk.y);
    if (mk.kind === 'measured') {
      ctx.fillStyle = mk.color;
      ctx.beginPath(); ctx.arc(x, y, 4.5, 0, 2 * Math.PI); ctx.fill();
      ctx.strokeStyle = css('--bg'); ctx.lineWidth = 1.5; ctx.stroke();
    } else {
      ctx.strokeStyle = css('--fg');
      ctx.fillStyle = css('--bg');
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, y - 7); ctx.lineTo(x + 7, y); ctx.lineTo(x, y + 7); ctx.lineTo(x - 7, y); ctx.closePath();
      ctx.fill(); ctx.stroke();
      label(ctx, mk.label, x, y + (mk.dy ?? 0), 11, m.l + pw);
    }
  }
}

/** A label `gap` px right of x, or left of it when it would cross `right`, on a backdrop. */
function label(ctx, text, x, y, gap, right) {
  ctx.font = '12px system-ui, sans-serif';
  const w = ctx.measureText(text).width;
  const left = x + gap + w > right ? x - gap - w : x + gap;
  ctx.globalAlpha = 0.85;
  ctx.fillStyle = css('--bg');
  ctx.fillRect(left - 3, y - 8, w + 6, 16);
  ctx.globalAlpha = 1;
  ctx.fillStyle = css('--fg');
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, left, y);
}

const STAT_Y = { min: 0, median: 0.5, p90: 0.9, p99: 0.99, max: 1 };

/** Paper marks and the measured values beside them, for the lines drawn in one graph. */
function claimMarks(indices) {
  const marks = [];
  for (const i of indices) {
    const line = state.lines[i];
    const r = state.results.get(i);
    for (const c of line.claims) {
      const label = `${line.label}: ${c.words}`;
      if (c.check.startsWith('above')) {
        marks.push({ kind: 'over', x: c.ms, label: pageText('exp.mark.paper', { range: line.label, words: c.words }) });
      } else {
        const y = c.stat in STAT_Y ? STAT_Y[c.stat] : null;
        marks.push({ kind: 'paper', x: c.ms, y, label, dy: c.stat === 'max' ? -16 : 0 });
      }
      if (r) {
        const v = r.summary[`${c.stat}_ms`];
        const y = c.stat in STAT_Y ? STAT_Y[c.stat] : null;
        marks.push({ kind: 'measured', x: v, y: c.check.startsWith('above') ? 0.5 : y, color: COLORS[i] });
      }
    }
  }
  return marks;
}

function decadeTicks(min, max) {
  const ticks = [];
  for (let v = 10 ** Math.ceil(Math.log10(min)); v <= max; v *= 10) {
    ticks.push([v, v >= 1000 ? `${fmtInt(v / 1000)} s` : `${v} ms`]);
  }
  return ticks;
}

function legend(id, indices) {
  const ul = $(id);
  ul.replaceChildren();
  for (const i of indices) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = COLORS[i];
    const r = state.results.get(i);
    li.append(sw, r ? pageText('exp.legend.lineMedian', { range: state.lines[i].label, median: fmtMs(r.summary.median_ms) }) : pageText('exp.legend.line', { range: state.lines[i].label }));
    ul.append(li);
  }
}

function drawFig16() {
  if (!state.lines.length) return;
  const top = state.lines.map((l, i) => [l, i]).filter(([l]) => l.graph !== 'bottom').map(([, i]) => i);
  const bottom = state.lines.map((l, i) => [l, i]).filter(([l]) => l.graph !== 'top').map(([, i]) => i);
  const series = (idx) => idx.filter((i) => state.results.has(i)).map((i) => ({ color: COLORS[i], sorted: state.results.get(i).sorted }));
  const maxOf = (idx) => Math.max(0, ...idx.filter((i) => state.results.has(i)).map((i) => state.results.get(i).sorted.at(-1)));
  const topMax = Math.max(1e5, 10 ** Math.ceil(Math.log10(Math.max(maxOf(top), 1))));
  drawCdf($('top'), { log: true, min: 50, max: topMax, ticks: decadeTicks(50, topMax), title: pageText('exp.axis.noLeaderLog') },
    series(top), claimMarks(top));
  const bottomMax = Math.max(600, Math.ceil(maxOf(bottom) / 100) * 100);
  const step = bottomMax > 1200 ? 200 : 100;
  const ticks = [];
  for (let v = 0; v <= bottomMax; v += step) ticks.push([v, `${v} ms`]);
  drawCdf($('bottom'), { log: false, min: 0, max: bottomMax, ticks, title: pageText('exp.axis.noLeader') }, series(bottom), claimMarks(bottom));
  legend('top-legend', top);
  legend('bottom-legend', bottom);
}

function drawNacos() {
  const f = state.failover;
  const max = Math.max(25_000, Math.ceil((f?.total.at(-1) ?? 0) / 5000) * 5000);
  const ticks = [];
  for (let v = 0; v <= max; v += 5000) ticks.push([v, `${v / 1000} s`]);
  // The election itself takes about 10 ms: its line would hide the detection line.
  const series = f ? [
    { color: NACOS_COLORS.detection, sorted: f.detection },
    { color: NACOS_COLORS.total, sorted: f.total },
  ] : [];
  drawCdf($('nacos'), { log: false, min: 0, max, ticks, title: pageText('exp.axis.sinceCrash') }, series, []);
  const ul = $('nacos-legend');
  ul.replaceChildren();
  for (const [key, text] of [['detection', pageText('exp.legend.detection')], ['total', pageText('exp.legend.total')]]) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = NACOS_COLORS[key];
    li.append(sw, text);
    ul.append(li);
  }
}

function drawAll() {
  drawFig16();
  drawNacos();
}

// ---- The Nacos data experiments --------------------------------------------
//
// Propagation (a task per run of writes), beat size (a task per key count,
// costliest first) and lost writes (a task per 25 runs of a release and loss
// rate). Each experiment's numbers are put back in the CLI's order and turned
// into its JSON by the wasm core: the JSON `raftbeat experiment nacos-… --format json`
// prints for the same seed and counts.

/**
 * A section of the page that runs its experiments in its own two workers
 * (the Nacos data path, Raft's log): each task computes one part of a
 * group; when a group's last part is in, its parts are joined in order and
 * turned into that experiment's JSON by `report`.
 */
class GroupedSection {
  /**
   * @param {{ ids: { run: string, progress: string, status: string, json: string, inputs: string[] },
   *   progressKey: string, groups: string[], render: () => void,
   *   report: (this: GroupedSection, group: string, run: any, data: Float64Array) => string }} o
   */
  constructor({ ids, progressKey, groups, report, render }) {
    this.ids = ids;
    this.progressKey = progressKey;
    this.groups = groups;
    this.report = report;
    this.render = render;
    this.status = 'idle'; // idle | running | done | error
    /** @type {any} */
    this.setup = null;
    /** @type {any} */
    this.run = null;
    /** @type {Record<string, string | null>} */
    this.json = Object.fromEntries(groups.map((g) => [g, null]));
    /** @type {{ wallMs: number, workers: number } | null} */
    this.timings = null;
    /** @type {{ worker: Worker, task: number | null }[]} */
    this.pool = [];
  }

  startPool() {
    this.pool = Array.from({ length: Math.min(POOL, 2) }, () => {
      /** @type {{ worker: Worker, task: number | null }} */
      const slot = { worker: new Worker(new URL('./experiments-worker.js', import.meta.url), { type: 'module' }), task: null };
      slot.worker.onmessage = ({ data }) => this.onMessage(slot, data);
      slot.worker.onerror = (e) => this.error(pageText('exp.error.worker', { message: e.message }));
      return slot;
    });
  }

  /**
   * Runs `tasks`; `fields` go into the run (the reports read them), `url`
   * into the page's address, so a reload runs the same.
   * @param {any[]} tasks @param {Record<string, unknown>} fields @param {Record<string, string | number>} url
   */
  start(tasks, fields, url) {
    /** @type {Record<string, { parts: Float64Array[], left: number }>} */
    const groups = {};
    for (const t of tasks) {
      groups[t.group] ??= { parts: [], left: 0 };
      groups[t.group].left += 1;
    }
    this.json = Object.fromEntries(this.groups.map((g) => [g, null]));
    this.timings = null;
    this.run = {
      ...fields, groups,
      queue: tasks.slice(),
      byTask: Object.fromEntries(tasks.map((t) => [t.task, t])),
      tasksLeft: tasks.length,
      total: tasks.reduce((n, t) => n + t.count, 0),
      done: 0,
      t0: performance.now(),
    };
    $(this.ids.json).textContent = '';
    this.render();
    const progress = /** @type {HTMLProgressElement} */ ($(this.ids.progress));
    progress.max = this.run.total;
    progress.value = 0;
    this.setStatus('running', 'exp.status.starting');
    const params = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(url)) params.set(k, String(v));
    params.delete('autorun');
    keepLang(params);
    history.replaceState(null, '', `?${params}`);
    this.dispatch();
  }

  dispatch() {
    const run = this.run;
    if (!run) return;
    for (const slot of this.pool) {
      if (slot.task == null && run.queue.length) {
        const t = run.queue.shift();
        slot.task = t.task;
        const { part, group, ...msg } = t;
        slot.worker.postMessage(msg);
      }
    }
  }

  /** @param {{ worker: Worker, task: number | null }} slot @param {any} m */
  onMessage(slot, m) {
    const run = this.run;
    if (m.type === 'error') { this.error(m.message); return; }
    if (!run || !(m.task in run.byTask)) { if (m.type === 'result') slot.task = null; return; }
    if (m.type === 'progress') {
      run.done += m.n;
      /** @type {HTMLProgressElement} */ ($(this.ids.progress)).value = run.done;
      say(this.ids.status, this.progressKey, { done: fmtInt(run.done), total: fmtInt(run.total), seconds: ((performance.now() - run.t0) / 1000).toFixed(1) });
      return;
    }
    if (m.type !== 'result') return;
    slot.task = null;
    const t = run.byTask[m.task];
    const g = run.groups[t.group];
    g.parts[t.part] = m.data;
    g.left -= 1;
    try {
      if (g.left === 0) {
        this.json[t.group] = this.report(t.group, run, concat(g.parts));
        this.render();
      }
    } catch (e) {
      this.error(/** @type {Error} */ (e).message ?? String(e));
      return;
    }
    run.tasksLeft -= 1;
    if (run.tasksLeft === 0) this.finish();
    else this.dispatch();
  }

  finish() {
    const run = this.run, workers = this.pool.length;
    const wallMs = performance.now() - run.t0;
    this.timings = { wallMs, workers };
    this.run = null;
    const progress = /** @type {HTMLProgressElement} */ ($(this.ids.progress));
    progress.value = progress.max;
    $(this.ids.json).textContent = this.groups.map((g) => this.json[g]).join('');
    this.setStatus('done', workers > 1 ? 'exp.status.groupDoneMany' : 'exp.status.groupDoneOne', { seconds: (wallMs / 1000).toFixed(2), workers, seed: run.seed });
  }

  /** @param {string} status @param {string} key the words, by key ('' for none) @param {Record<string, string | number>} [vars] */
  setStatus(status, key, vars) {
    this.status = status;
    say(this.ids.status, key, vars);
    /** @type {HTMLButtonElement} */ ($(this.ids.run)).disabled = status === 'running' || state.status === 'loading' || state.status === 'failed';
    for (const id of this.ids.inputs) /** @type {HTMLInputElement} */ ($(id)).disabled = status === 'running';
  }

  /** @param {string} message */
  error(message) {
    $('error').textContent = message;
    $('error').hidden = false;
    if (this.run) {
      this.run = null;
      for (const slot of this.pool) slot.worker.terminate();
      this.startPool();
    }
    this.setStatus('error', 'exp.status.stopped');
  }
}

const dataState = new GroupedSection({
  ids: { run: 'data-run', progress: 'data-progress', status: 'data-status', json: 'data-json', inputs: ['data-keys', 'data-lost'] },
  progressKey: 'exp.status.dataProgress',
  groups: ['propagation', 'beatSize', 'lostWrites'],
  report(group, run, data) {
    const s = this.setup;
    if (group === 'propagation') return nacosPropagationReport(run.seed, s.propagation.runs, s.propagation.writes, Float64Array.from(s.propagation.losses), data);
    if (group === 'beatSize') return nacosBeatSizeReport(run.seed, data);
    return nacosLostWritesReport(run.seed, run.lostRuns, s.lostWrites.versions, Float64Array.from(s.lostWrites.losses), data);
  },
  render: () => renderDataTables(),
});

function planDataTasks(seed, maxKeys, lostRuns) {
  const s = dataState.setup;
  /** @type {any[]} */
  const tasks = [];
  const keys = s.beatSize.keys.filter((k) => k <= maxKeys);
  for (const [i, k] of [...keys.entries()].reverse()) tasks.push({ cmd: 'beatSize', seed, keys: k, part: i, group: 'beatSize', count: 1 });
  s.propagation.losses.forEach((loss, line) => {
    for (let run = 0; run < s.propagation.runs; run++) {
      tasks.push({ cmd: 'propagation', seed, line, loss, run, writes: s.propagation.writes, part: line * s.propagation.runs + run, group: 'propagation', count: 1 });
    }
  });
  const size = 25;
  let part = 0;
  for (const version of s.lostWrites.versions) {
    for (const loss of s.lostWrites.losses) {
      for (let first = 0; first < lostRuns; first += size) {
        tasks.push({ cmd: 'lostWrites', seed, version, loss, first, count: Math.min(size, lostRuns - first), part: part++, group: 'lostWrites' });
      }
    }
  }
  tasks.forEach((t, i) => { t.task = i; });
  return { tasks, keys };
}

function startData() {
  const seed = seedOrSay();
  if (seed === null) return;
  const maxKeys = Number($('data-keys').value);
  const lostRuns = Number($('data-lost').value);
  const { tasks, keys } = planDataTasks(seed, maxKeys, lostRuns);
  dataState.start(tasks, { seed, keys, lostRuns }, { seed, keys: maxKeys, lost: lostRuns });
}

const fmtBytes = (b) => (b < 10_000 ? `${fmtInt(b)} B` : b < 10_000_000 ? `${(b / 1e3).toFixed(1)} kB` : `${(b / 1e6).toFixed(1)} MB`);

/** Fills a table's body; the cells in columns `textColumns` are text (left-aligned). */
function tableRows(id, rows, textColumns = []) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  for (const cells of rows) {
    const tr = document.createElement('tr');
    for (const [i, v] of cells.entries()) {
      const td = document.createElement('td');
      td.textContent = v;
      if (textColumns.includes(i)) td.className = 'text';
      tr.append(td);
    }
    body.append(tr);
  }
}

/** The propagation series: the report's key, and its words' key. */
const SERIES = { ok: 'exp.series.ok', all_followers: 'exp.series.allFollowers', after_ok: 'exp.series.afterOk', repaired_all_followers: 'exp.series.repaired' };

function renderDataTables() {
  const p = dataState.json.propagation && JSON.parse(dataState.json.propagation);
  const rows = [];
  for (const line of p?.lines ?? []) {
    for (const [key, name] of Object.entries(SERIES)) {
      const s = line[key];
      if (!s?.trials) continue;
      rows.push([String(line.loss), pageText(name), fmtInt(s.trials), ...['min_ms', 'median_ms', 'mean_ms', 'p90_ms', 'p99_ms', 'max_ms'].map((k) => fmtMs(s[k]))]);
    }
    rows.push([String(line.loss), pageText('exp.prop.summary', { acked: line.acked, failed: line.failed, repaired: line.repaired, unresolved: line.unresolved }), '', '', '', '', '', '', '']);
  }
  tableRows('prop-table', rows, [1]);
  const b = dataState.json.beatSize && JSON.parse(dataState.json.beatSize);
  tableRows('beat-table', (b?.rows ?? []).map((r) => [
    fmtInt(r.keys), fmtBytes(r.beat_bytes), fmtBytes(r.beat_gzip_bytes), `${fmtBytes(r.beat_gzip_bytes_per_s)}/s`,
    fmtBytes(r.beat_only_bytes), pageText('exp.beat.pulled', { keys: r.dropped_commit.pulled_keys, bytes: fmtBytes(r.dropped_commit.bytes) }),
    pageText('exp.ms', { ms: fmtMs(r.dropped_commit.caught_up_ms) }), pageText('exp.beat.changed', { keys: fmtInt(r.restart.changed_keys) }), fmtInt(r.restart.pulls),
    fmtBytes(r.restart.bytes), pageText('exp.ms', { ms: fmtMs(r.restart.caught_up_ms) }),
  ]));
  const l = dataState.json.lostWrites && JSON.parse(dataState.json.lostWrites);
  tableRows('lost-table', (l?.lines ?? []).map((r) => [
    r.version, String(r.loss), fmtInt(r.runs), fmtInt(r.runs_with_loss), r.fraction_with_loss.toFixed(3),
    r.mean_lost_per_run.toFixed(3), String(r.max_lost_in_a_run), fmtInt(r.acked),
    pageText('exp.lost.causes', { elected: r.causes.elected, deadKey: r.causes.dead_key, pull: r.causes.pull, commit: r.causes.commit }),
  ]), [8]);
}

function describeData() {
  const s = dataState.setup;
  $('data-setup').textContent = pageText('exp.data.setup', {
    nodes: s.nodes, heartbeat: s.heartbeatMs / 1000, latencyMin: s.latencyMs[0], latencyMax: s.latencyMs[1],
    runs: s.propagation.runs, writes: s.propagation.writes, losses: s.propagation.losses.join(pageText('exp.listSep')),
    down: s.beatSize.downMs / 1000, rate: s.beatSize.rate, lostRate: s.lostWrites.rate, lostKeys: s.lostWrites.keys,
    versions: s.lostWrites.versions.join(pageText('exp.and')), lostLosses: s.lostWrites.losses.join(pageText('exp.and')),
  });
}

// ---- The Raft data experiments ---------------------------------------------
//
// Commit latency (a task per 5 trials of a line: no faults, each loss rate,
// a leader crash) and lost writes (a task per 10 runs of a model at a loss
// rate). As for the Nacos data experiments, the numbers are put back in the
// CLI's order and turned into its JSON by the wasm core.

const raftState = new GroupedSection({
  ids: { run: 'raft-data-run', progress: 'raft-data-progress', status: 'raft-data-status', json: 'raft-data-json', inputs: ['raft-commit-trials', 'raft-lost-runs'] },
  progressKey: 'exp.status.raftProgress',
  groups: ['commit', 'lostWrites'],
  report(group, run, data) {
    const s = this.setup;
    if (group === 'commit') return raftCommitReport(run.seed, run.commitTrials, Float64Array.from(s.commit.losses), data);
    return lostWritesReport(run.seed, run.lostRuns, s.lostWrites.models, Float64Array.from(s.lostWrites.losses), data);
  },
  render: () => renderRaftTables(),
});

/** The commit-latency lines in the CLI's order: [line, loss]. */
function commitLines() {
  return [['none', 0], ...raftState.setup.commit.losses.map((l) => ['loss', l]), ['crash', 0]];
}

function planRaftTasks(seed, commitTrials, lostRuns) {
  const s = raftState.setup;
  /** @type {any[]} */
  const tasks = [];
  let part = 0;
  for (const [line, loss] of commitLines()) {
    for (let first = 0; first < commitTrials; first += 5) {
      tasks.push({ cmd: 'raftCommit', seed, line, loss, first, count: Math.min(5, commitTrials - first), part: part++, group: 'commit' });
    }
  }
  part = 0;
  for (const loss of s.lostWrites.losses) {
    for (const model of s.lostWrites.models) {
      for (let first = 0; first < lostRuns; first += 10) {
        tasks.push({ cmd: 'lostWritesCompared', seed, model, loss, first, count: Math.min(10, lostRuns - first), part: part++, group: 'lostWrites' });
      }
    }
  }
  tasks.forEach((t, i) => { t.task = i; });
  return tasks;
}

function startRaft() {
  const seed = seedOrSay();
  if (seed === null) return;
  const commitTrials = Number($('raft-commit-trials').value);
  const lostRuns = Number($('raft-lost-runs').value);
  const tasks = planRaftTasks(seed, commitTrials, lostRuns);
  raftState.start(tasks, { seed, commitTrials, lostRuns }, { seed, commitTrials, lostRuns });
}

const OUTCOMES = ['ok', 'failed', 'unknown', 'pending'];

function renderRaftTables() {
  const c = raftState.json.commit && JSON.parse(raftState.json.commit);
  const rows = [];
  const row = (label, g) => [label, fmtInt(g.writes), ...OUTCOMES.map((o) => fmtInt(g[o])),
    ...['median_ms', 'p90_ms', 'p99_ms', 'max_ms'].map((k) => (g.latency?.trials ? fmtMs(g.latency[k]) : '-'))];
  for (const line of c?.lines ?? []) {
    rows.push(row(line.crash ? pageText('exp.commit.crash') : line.loss ? pageText('exp.commit.loss', { loss: line.loss }) : pageText('exp.commit.none'), line.all));
    if (line.crash) {
      rows.push(row(`\u2003${pageText('exp.commit.inFlight')}`, line.in_flight));
      rows.push(row(`\u2003${pageText('exp.commit.rightAfter', { seconds: c.right_after_ms / 1000 })}`, line.right_after));
    }
  }
  tableRows('raft-commit-table', rows, [0]);
  const crash = c?.lines.find((l) => l.crash);
  $('raft-recovery').textContent = crash?.recovery?.trials
    ? pageText('exp.raft.recovery', { median: fmtMs(crash.recovery.median_ms), p90: fmtMs(crash.recovery.p90_ms), max: fmtMs(crash.recovery.max_ms), trials: crash.recovery.trials })
    : '';
  const l = raftState.json.lostWrites && JSON.parse(raftState.json.lostWrites);
  tableRows('raft-lost-table', (l?.lines ?? []).map((r) => [
    r.model, String(r.loss), fmtInt(r.runs), fmtInt(r.acked), fmtInt(r.lost), fmtInt(r.runs_with_loss),
  ]), [0]);
  $('raft-verdict').textContent = l ? pageText('exp.verdict', { verdict: verdictWords(l.lines) }) : '';
}

/**
 * The report's verdict in the page's language, from its lines: each model's
 * lost and acknowledged writes over every loss rate, in the report's order.
 * In English it is the core's own sentence (the tests hold it to that).
 * @param {{ model: string, lost: number, acked: number }[]} lines
 */
function verdictWords(lines) {
  /** @type {Map<string, { lost: number, acked: number }>} */
  const totals = new Map();
  for (const r of lines) {
    const sum = totals.get(r.model) ?? { lost: 0, acked: 0 };
    sum.lost += r.lost;
    sum.acked += r.acked;
    totals.set(r.model, sum);
  }
  const parts = [], nacos = [];
  for (const [model, { lost, acked }] of totals) {
    if (model === 'raft') parts.push(pageText('exp.verdict.raft', { lost, acked }));
    else nacos.push(pageText('exp.verdict.nacosRelease', { version: model.replace(/^nacos /, ''), lost, acked }));
  }
  if (nacos.length) parts.push(pageText('exp.verdict.nacos', { releases: nacos.join(pageText('exp.verdict.listSep')) }));
  return parts.join(pageText('exp.verdict.sep'));
}

function describeRaft() {
  const s = raftState.setup;
  const c = s.commit;
  const w = s.lostWrites;
  $('raft-data-setup').textContent = pageText('exp.raft.setup', {
    nodes: s.nodes, electionMin: s.electionMs[0], electionMax: s.electionMs[1], heartbeat: s.heartbeatMs,
    latencyMin: s.latencyMs[0], latencyMax: s.latencyMs[1], rate: c.rate, duration: c.durationMs / 1000,
    losses: c.losses.join(pageText('exp.and')), versions: w.models.filter((m) => m !== 'raft').join(pageText('exp.listSep')), faults: w.faults,
    faultMin: w.faultLengthMs[0] / 1000, faultMax: w.faultLengthMs[1] / 1000, lostRate: w.rate,
    raftHeartbeat: w.raftHeartbeatMs / 1000, raftElectionMin: w.raftElectionMs[0] / 1000, raftElectionMax: w.raftElectionMs[1] / 1000,
  });
}

// ---- Language --------------------------------------------------------------
//
// The markup names its words by key (data-i18n: the text; data-i18n-html: the
// text with its markup; data-i18n-aria-label); what the script writes is
// written again, from the same numbers, when the language changes.

/** Keeps an explicitly chosen language in a URL the page writes. @param {URLSearchParams} params */
function keepLang(params) {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked) params.set('lang', lang);
}

/** Loads the language's words and puts them on the page. */
async function showLang() {
  if ((await loadLang(lang)) === 'zh-CN' && !chineseAdded) {
    addWords('zh-CN', (await import('./i18n/zh-CN/experiments.js')).default);
    chineseAdded = true;
  }
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = pageText(el.getAttribute('data-i18n'));
  for (const el of document.querySelectorAll('[data-i18n-html]')) el.innerHTML = pageText(el.getAttribute('data-i18n-html'));
  for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', pageText(el.getAttribute('data-i18n-aria-label')));
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang));
  for (const [id, [key, vars]] of Object.entries(said)) $(id).textContent = key ? pageText(key, vars) : '';
}

/** The switch: the page in that language, the runs and their numbers as they are. @param {string} to */
async function switchLang(to) {
  lang = to === 'zh-CN' ? 'zh-CN' : 'en';
  const params = new URLSearchParams(location.search);
  params.set('lang', lang);
  history.replaceState(null, '', `?${params}`);
  await showLang();
  if (!state.setup) return;
  describeSetups();
  describeData();
  describeRaft();
  renderTable();
  renderNacosTable();
  renderDataTables();
  renderRaftTables();
  drawAll();
}

// ---- Start -----------------------------------------------------------------

async function main() {
  const params = new URLSearchParams(location.search);
  const pick = (id, key) => {
    const v = params.get(key);
    if (v == null) return;
    const sel = $(id);
    if (sel.tagName === 'SELECT' && ![...sel.options].some((o) => o.value === v)) {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = v;
      sel.append(o);
    }
    sel.value = v;
  };
  pick('seed', 'seed');
  pick('trials', 'trials');
  pick('failover', 'failover');
  pick('data-keys', 'keys');
  pick('data-lost', 'lost');
  pick('raft-commit-trials', 'commitTrials');
  pick('raft-lost-runs', 'lostRuns');
  $('controls').addEventListener('submit', (e) => { e.preventDefault(); start(); });
  $('data-controls').addEventListener('submit', (e) => { e.preventDefault(); startData(); });
  $('raft-data-controls').addEventListener('submit', (e) => { e.preventDefault(); startRaft(); });
  $('cancel').addEventListener('click', cancel);
  /** @type {any} */ (window).experiments = {
    get status() { return state.status; },
    get timings() { return state.timings; },
    get seed() { return state.seed; },
    get workers() { return POOL; },
    fig16Json,
    failoverJson,
    get failoverSummary() { return state.failover?.summary ?? null; },
    get lines() { return state.lines; },
    data: {
      get status() { return dataState.status; },
      get timings() { return dataState.timings; },
      get json() { return dataState.json; },
    },
    raft: {
      get status() { return raftState.status; },
      get timings() { return raftState.timings; },
      get json() { return raftState.json; },
    },
  };
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => switchLang(b.getAttribute('data-lang')));
  try {
    await Promise.all([init(), showLang()]);
  } catch (e) {
    showError(pageText('exp.error.wasm', { message: e.message ?? e }));
    return;
  }
  const meta = fig16Lines();
  state.lines = meta.lines;
  state.setup = meta.setup;
  state.failoverSetup = failoverSetup();
  dataState.setup = nacosDataSetup();
  raftState.setup = raftDataSetup();
  startPool();
  dataState.startPool();
  raftState.startPool();
  describeData();
  renderDataTables();
  describeRaft();
  renderRaftTables();
  describeSetups();
  renderTable();
  renderNacosTable();
  drawAll();
  new ResizeObserver(() => drawAll()).observe($('top'));
  setStatus('idle', 'exp.status.ready');
  dataState.setStatus('idle', '');
  raftState.setStatus('idle', '');
  if (params.get('autorun') === '1') start();
  else if (params.get('autorun') === 'data') startData();
  else if (params.get('autorun') === 'raft') startRaft();
}

main();
