// @ts-check
// Side by side: the same fault schedule (and workload) on Nacos and on
// Raft, one shared clock, two <raft-beat> elements. Raft runs with Nacos's timings (beats
// every 5 s, election timeout 15-20 s) so the same schedule means the same
// thing on both sides; only the algorithm differs.
import { Clock } from './clock.js';
import { TimelineRenderer } from './timeline.js';
import { LIGHT, DARK, formatClock } from './render.js';
import { span, speedLabel } from './text.js';
import { t as translate, resolveLang, onPageLangChange } from './i18n.js';

/** The page's words (it follows <html lang>, which the lab's switch sets). */
const t = (key, vars) => translate(resolveLang(null), key, vars);

const NACOS_LIKE = { heartbeat: '5s', election: '15s..20s' };
/** The node after the leader on the ring: a follower, in either model. */
const follower = (run) => {
  const l = run.leaders[0]?.id ?? 1;
  return (l % run.n) + 1;
};

export const COMPARISONS = {
  // Its words: cmp.<id>.title, .raftLabel, .explain, and each step's note key.
  rejoin: {
    raft: { ...NACOS_LIKE, preVote: true },
    schedule: [
      [25_000, (run) => `isolate ${follower(run)}`, 'cmp.rejoin.cut'],
      [85_000, () => 'heal', 'cmp.rejoin.heal'],
    ],
    end: 125_000,
    verdict(run) {
      const heal = run.history.find((a) => a.command === 'heal');
      if (!heal) return t('cmp.rejoin.waiting');
      const before = run.timeline.leadersAt(heal.t - 1)[0];
      const later = run.timeline.segments.filter((s) => s.start > heal.t);
      if (!before) return t('cmp.rejoin.noLeader');
      if (later.length) return t('cmp.rejoin.disrupted', { node: later[0].node, term: later[0].term, span: span(later[0].start - heal.t), before: before.node });
      return run.time - heal.t > 20_000 ? t('cmp.rejoin.kept', { node: before.node, term: before.term }) : t('cmp.rejoin.watching');
    },
  },
  minority: {
    raft: { ...NACOS_LIKE, preVote: true, checkQuorum: true },
    schedule: [
      [25_000, (run) => {
        const l = run.leaders[0]?.id ?? 1, o = (l % run.n) + 1;
        const rest = [];
        for (let i = 1; i <= run.n; i++) if (i !== l && i !== o) rest.push(i);
        return `partition ${l},${o} | ${rest.join(',')}`;
      }, 'cmp.minority.cut'],
      [85_000, () => 'heal', 'cmp.minority.heal'],
    ],
    end: 125_000,
    verdict(run) {
      const cut = run.history.find((a) => a.command.startsWith('partition'));
      if (!cut) return t('cmp.minority.waiting');
      const heal = run.history.find((a) => a.command === 'heal');
      const end = heal ? heal.t : run.time;
      const both = overlap(run.timeline.segments, cut.t, end);
      if (!both) return t(run.time - cut.t < 25_000 ? 'cmp.minority.notYet' : 'cmp.minority.never');
      const still = run.leaders.length > 1;
      // Healed: of the partition; still two: so far; else the old one stepped down.
      return t(heal ? 'cmp.minority.twoHealed' : still ? 'cmp.minority.twoSoFar' : 'cmp.minority.twoStepped', { span: span(both) });
    },
  },
  writes: {
    raft: { ...NACOS_LIKE, preVote: true },
    // A seed where Nacos loses writes; "New seed" draws others (some lose none).
    seed: 9,
    schedule: [
      [20_000, () => 'workload rate=5/s keys=20 via=leader', 'cmp.writes.workload'],
      [20_000, () => 'network loss=0.1', 'cmp.writes.loss'],
      [50_000, (run) => `crash ${run.leaders[0]?.id ?? 1}`, 'cmp.writes.crash'],
      [80_000, (run) => `restart ${crashedNode(run) ?? 1}`, 'cmp.writes.restart'],
    ],
    end: 125_000,
    verdict(run) {
      const c = run.sim.client(1);
      if (!c.counts.invoked) return t('cmp.writes.waiting');
      const lost = run.sim.findings().filter((f) => f.kind === 'lost-write').length;
      const who = run.model === 'nacos' ? 'Nacos 1.4' : 'Raft';
      const failed = c.counts.failed ? t('cmp.writes.failed', { count: c.counts.failed }) : '';
      return t(lost === 1 ? 'cmp.writes.lostOne' : 'cmp.writes.lost', { who, lost, ok: c.counts.ok, failed });
    },
  },
};

/** The node the schedule crashed, from the run's own history. */
function crashedNode(run) {
  const crash = [...run.history].reverse().find((a) => a.command.startsWith('crash'));
  return crash ? Number(crash.command.split(' ')[1]) : null;
}

/** Total time within [from, to] with two or more leaders at once. */
function overlap(segments, from, to) {
  const edges = [];
  for (const s of segments) {
    const a = Math.max(s.start, from), b = Math.min(s.end ?? Infinity, to);
    if (b > a) edges.push([a, 1], [b, -1]);
  }
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let depth = 0, since = 0, total = 0;
  for (const [t, d] of edges) {
    if (depth >= 2 && depth + d < 2) total += t - since;
    if (depth < 2 && depth + d >= 2) since = t;
    depth += d;
  }
  return total;
}

/** Sets up the compare section: two elements, one clock, the schedule. */
export async function setupCompare(section) {
  const $ = (s) => section.querySelector(s);
  // Made on first use: two idle clusters cost nothing before then.
  $('.pair').innerHTML = ['left', 'right'].map((side) => `<figure>
      <figcaption class="${side === 'left' ? '' : 'raft-label'}">${side === 'left' ? 'Nacos 1.x RaftCore' : 'Raft'}</figcaption>
      <raft-beat class="${side}" controls="none" model="${side === 'left' ? 'nacos' : 'raft'}"></raft-beat>
      <canvas class="tl-${side}" aria-label="${t(side === 'left' ? 'cmp.nacosLeaders' : 'cmp.raftLeaders')}"></canvas>
      <p class="verdict verdict-${side}" aria-live="polite"></p></figure>`).join('');
  const left = $('raft-beat.left'), right = $('raft-beat.right');
  await Promise.all([left.ready, right.ready]);
  // The slider may have moved while this module loaded: start at its speed.
  const speed = $('input.cmp-speed');
  const clock = new Clock({ speed: 10 ** Number(speed.value) });
  left.useClock(clock);
  right.useClock(clock);
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const tls = [$('canvas.tl-left'), $('canvas.tl-right')].map((c) => {
    const r = new TimelineRenderer(c);
    r.theme = dark ? DARK : LIGHT;
    return r;
  });
  const fit = () => tls.forEach((r) => { const b = r.canvas.getBoundingClientRect(); r.resize(b.width, b.height, devicePixelRatio || 1); });
  new ResizeObserver(fit).observe($('.pair'));
  fit();
  // Out of sight, the comparison waits (and costs nothing).
  new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting) && clock.playing) clock.pause();
  }).observe(section);
  let current = null;
  /** The seed "New seed" drew; until then each comparison's own (or 7). */
  let seed = null;
  let runSeed = 7;
  /** The words that say what runs, in the page's language (again when it switches). */
  const label = () => {
    if (!current) return;
    const id = currentId();
    $('.seed').textContent = t('cmp.seed', { seed: runSeed });
    $('.raft-label').textContent = t(`cmp.${id}.raftLabel`);
    $('.explain').textContent = t(`cmp.${id}.explain`);
    $('.schedule').textContent = current.schedule.map(([ms, , note]) => t('cmp.at', { s: ms / 1000, note: t(note) })).join(' ');
  };
  const start = (id) => {
    current = COMPARISONS[id];
    section.querySelectorAll('[data-cmp]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.cmp === id)));
    const plan = current.schedule.map(([ms, command, note]) => ({ tMs: ms, command, note: t(note), source: 'scenario' }));
    runSeed = seed ?? current.seed ?? 7;
    left.restart({ model: 'nacos', nodes: 5, seed: runSeed }, { plan });
    right.restart({ model: 'raft', nodes: 5, seed: runSeed, ...current.raft }, { plan });
    tls.forEach((r) => { r.fixedEnd = current.end; });
    clock.stopAt = current.end;
    label();
    clock.play();
  };
  const currentId = () => Object.keys(COMPARISONS).find((k) => COMPARISONS[k] === current);
  // Play at the end of the schedule plays it again from the start.
  $('[data-c=play]').addEventListener('click', () => (current && left.run.time >= current.end - 0.001 ? start(currentId()) : clock.toggle()));
  $('[data-c=restart]').addEventListener('click', () => current && start(currentId()));
  $('[data-c=seed]').addEventListener('click', () => { seed = Math.floor(Math.random() * 1e6); $('.seed').textContent = t('cmp.seed', { seed }); if (current) $('[data-c=restart]').click(); });
  speed.addEventListener('input', () => clock.setSpeed(10 ** Number(speed.value)));
  const paint = () => {
    $('[data-c=play]').textContent = t(clock.playing ? 'page.pause' : 'page.play');
    $('output.cmp-speed').textContent = speedLabel(clock.speed);
  };
  clock.on(paint);
  paint();
  onPageLangChange(() => {
    paint();
    label();
    $('canvas.tl-left').setAttribute('aria-label', t('cmp.nacosLeaders'));
    $('canvas.tl-right').setAttribute('aria-label', t('cmp.raftLeaders'));
  });
  // The verdicts and the timelines, a few times a second; the schedule ends the run.
  const view = {
    active: true,
    run: null,
    render() {
      if (!current) return;
      const now = performance.now();
      if (now - (this.last ?? 0) < 150) return;
      this.last = now;
      $('.cmp-clock').textContent = `t = ${formatClock(left.run.time)}`;
      $('.verdict-left').textContent = current.verdict(left.run);
      $('.verdict-right').textContent = current.verdict(right.run);
      tls[0].draw(left.run);
      tls[1].draw(right.run);
    },
  };
  clock.views.add(view);
  return { start, clock };
}
