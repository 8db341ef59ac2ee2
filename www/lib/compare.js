// @ts-check
// Side by side: the same fault schedule (and workload) on Nacos and on
// Raft, one shared clock, two <raft-beat> elements. Raft runs with Nacos's timings (beats
// every 5 s, election timeout 15-20 s) so the same schedule means the same
// thing on both sides; only the algorithm differs.
import { Clock } from './clock.js';
import { TimelineRenderer } from './timeline.js';
import { LIGHT, DARK, formatClock } from './render.js';
import { span, speedLabel } from './text.js';

const NACOS_LIKE = { heartbeat: '5s', election: '15s..20s' };
/** The node after the leader on the ring: a follower, in either model. */
const follower = (run) => {
  const l = run.leaders[0]?.id ?? 1;
  return (l % run.n) + 1;
};

export const COMPARISONS = {
  rejoin: {
    title: 'A partitioned follower rejoins',
    raft: { ...NACOS_LIKE, preVote: true },
    raftLabel: 'Raft with Pre-Vote',
    schedule: [
      [25_000, (run) => `isolate ${follower(run)}`, 'A follower is cut off from everyone.'],
      [85_000, () => 'heal', 'The follower comes back.'],
    ],
    end: 125_000,
    explain: 'Cut off, a Nacos node times out every 15-20 s and raises its term each time; when it returns, its vote request carries the highest term and, while no write has raised the others\' terms by 100, every node grants it, so a healthy leader is unseated. With Pre-Vote, the lone Raft node only polls (PRE_CANDIDATE) and never raises its term; back in the cluster it simply follows.',
    verdict(run) {
      const heal = run.history.find((a) => a.command === 'heal');
      if (!heal) return 'Waiting for the heal at 85 s…';
      const before = run.timeline.leadersAt(heal.t - 1)[0];
      const later = run.timeline.segments.filter((s) => s.start > heal.t);
      if (!before) return 'No leader at the heal.';
      if (later.length) return `Disrupted: S${later[0].node} took over at term ${later[0].term}, ${span(later[0].start - heal.t)} after the heal (leader S${before.node} was healthy).`;
      return run.time - heal.t > 20_000 ? `Not disrupted: S${before.node} still leads at term ${before.term}.` : 'Healed; watching…';
    },
  },
  minority: {
    title: 'The leader is cut into the minority',
    raft: { ...NACOS_LIKE, preVote: true, checkQuorum: true },
    raftLabel: 'Raft with CheckQuorum (and Pre-Vote)',
    schedule: [
      [25_000, (run) => {
        const l = run.leaders[0]?.id ?? 1, o = (l % run.n) + 1;
        const rest = [];
        for (let i = 1; i <= run.n; i++) if (i !== l && i !== o) rest.push(i);
        return `partition ${l},${o} | ${rest.join(',')}`;
      }, 'The leader and one follower are cut off from the other three.'],
      [85_000, () => 'heal', 'The partition heals.'],
    ],
    end: 125_000,
    explain: 'The majority side elects a new leader 15-20 s after the cut. The old Nacos leader stays LEADER while cut off (no lease, no CheckQuorum): two leaders for as long as the partition lasts (Nacos issue #771); it steps down on the new leader\'s first beat after the heal. A Raft leader with CheckQuorum notices it no longer hears from a majority and steps down.',
    verdict(run) {
      const cut = run.history.find((a) => a.command.startsWith('partition'));
      if (!cut) return 'Waiting for the partition at 25 s…';
      const heal = run.history.find((a) => a.command === 'heal');
      const end = heal ? heal.t : run.time;
      const both = overlap(run.timeline.segments, cut.t, end);
      if (!both) return run.time - cut.t < 25_000 ? 'Partitioned; the majority has not elected yet…' : 'Never two leaders.';
      const still = run.leaders.length > 1;
      return `Two leaders for ${span(both)}${heal ? ' of the 60 s partition' : still ? ' so far' : ''}${still ? '' : heal ? '.' : ': the old leader stepped down.'}`;
    },
  },
  writes: {
    title: 'Writes, lost messages and a leader crash',
    raft: { ...NACOS_LIKE, preVote: true },
    raftLabel: 'Raft with Pre-Vote',
    // A seed where Nacos loses writes; "New seed" draws others (some lose none).
    seed: 9,
    schedule: [
      [20_000, () => 'workload rate=5/s keys=20 via=leader', 'A client writes 5 times a second to the leader,'],
      [20_000, () => 'network loss=0.1', 'and 10% of messages are lost.'],
      [50_000, (run) => `crash ${run.leaders[0]?.id ?? 1}`, 'The leader crashes;'],
      [80_000, (run) => `restart ${crashedNode(run) ?? 1}`, 'it restarts.'],
    ],
    end: 125_000,
    explain: 'The same writes, the same losses, the same crash. Nacos acknowledges a write once a majority stored it, but a follower that missed one is repaired only by a later beat, and the election after the crash can go to a follower that lacks a write others acknowledged: its beats then delete that write everywhere. Raft acknowledges an entry once a majority holds it in its log, and the vote\'s up-to-date check elects only a node that holds every committed entry: lost messages cost time, never an acknowledged write.',
    verdict(run) {
      const c = run.sim.client(1);
      if (!c.counts.invoked) return 'Waiting for the writes at 20 s…';
      const lost = run.sim.findings().filter((f) => f.kind === 'lost-write').length;
      const who = run.model === 'nacos' ? 'Nacos 1.4' : 'Raft';
      const failed = c.counts.failed ? `, ${c.counts.failed} failed` : '';
      return `${who} lost ${lost} acknowledged write${lost === 1 ? '' : 's'} (${c.counts.ok} acknowledged${failed}).`;
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
      <canvas class="tl-${side}" aria-label="${side === 'left' ? 'Nacos' : 'Raft'} leaders over time"></canvas>
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
  const start = (id) => {
    current = COMPARISONS[id];
    section.querySelectorAll('[data-cmp]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.cmp === id)));
    const plan = current.schedule.map(([t, command, note]) => ({ tMs: t, command, note, source: 'scenario' }));
    const runSeed = seed ?? current.seed ?? 7;
    $('.seed').textContent = `seed ${runSeed}`;
    left.restart({ model: 'nacos', nodes: 5, seed: runSeed }, { plan });
    right.restart({ model: 'raft', nodes: 5, seed: runSeed, ...current.raft }, { plan });
    tls.forEach((r) => { r.fixedEnd = current.end; });
    clock.stopAt = current.end;
    $('.raft-label').textContent = current.raftLabel;
    $('.explain').textContent = current.explain;
    $('.schedule').textContent = current.schedule.map(([t, , note]) => `${t / 1000} s: ${note}`).join(' ');
    clock.play();
  };
  const currentId = () => Object.keys(COMPARISONS).find((k) => COMPARISONS[k] === current);
  // Play at the end of the schedule plays it again from the start.
  $('[data-c=play]').addEventListener('click', () => (current && left.run.time >= current.end - 0.001 ? start(currentId()) : clock.toggle()));
  $('[data-c=restart]').addEventListener('click', () => current && start(currentId()));
  $('[data-c=seed]').addEventListener('click', () => { seed = Math.floor(Math.random() * 1e6); $('.seed').textContent = `seed ${seed}`; if (current) $('[data-c=restart]').click(); });
  speed.addEventListener('input', () => clock.setSpeed(10 ** Number(speed.value)));
  const paint = () => {
    $('[data-c=play]').textContent = clock.playing ? '❚❚ Pause' : '▶ Play';
    $('output.cmp-speed').textContent = speedLabel(clock.speed);
  };
  clock.on(paint);
  paint();
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
