// Words the page uses: times, event lines, what each model field means, and
// the notes that say where Nacos differs from textbook Raft when it happens.
// The words themselves live in the message catalogs (www/i18n/, read through
// lib/i18n.js); here are the rules that pick them and their values.
import { t } from './i18n.js';

/** A log time: 21.130 s, or 1:02:03.250 past an hour. */
export function logTime(ms) {
  if (ms < 3_600_000) return `${(ms / 1000).toFixed(3)} s`;
  const h = Math.floor(ms / 3_600_000), rest = ms - h * 3_600_000;
  const m = Math.floor(rest / 60_000), s = (rest - m * 60_000) / 1000;
  return `${h}:${String(m).padStart(2, '0')}:${s.toFixed(3).padStart(6, '0')}`;
}

/** A duration in words: 850 ms, 17.3 s, 4.2 min. */
export function span(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Speed as a label: ×0.05, ×1, ×20, ×1 000. */
export function speedLabel(x) {
  if (x >= 1000) return `×${Math.round(x).toLocaleString('en').replace(/,/g, ' ')}`;
  if (x >= 10) return `×${Math.round(x)}`;
  if (x >= 1) return `×${+x.toFixed(1)}`;
  return `×${+x.toPrecision(2)}`;
}

/** Event categories, as the log filter names them (their labels: cat.<id> in the catalogs). */
export const CATEGORIES = ['election', 'beat', 'role', 'fault', 'data', 'client', 'monitor', 'network', 'boot'];

/** Where Nacos 1.x RaftCore differs from textbook Raft, for the notes panel:
 *  differs.<n>.title and .text in the catalogs, each naming the Nacos method
 *  and the Raft rule it departs from (sections of the Raft paper). */
export const NACOS_DIFFERENCES = 8;

/** What the notes sometimes blame on Nacos but textbook Raft does too
 *  (shares.<n>.title and .text); the thesis's CheckQuorum and Pre-Vote change it. */
export const NACOS_LIKE_RAFT = 3;

/** Nacos events that mean a message reached the node. */
const ARRIVALS = new Set(['receivedVote', 'decideLeader', 'receivedBeat', 'beatResponse', 'getPeer', 'peerUpdate']);

/**
 * A note for an event that shows a Nacos quirk (or its Raft fix), once per
 * kind per run, or null: {key, message, vars, text}, where `message` is its
 * catalog key (note.<...>), `vars` its placeholders' values and `text` the
 * English; `nodes` is the cluster size.
 */
export function quirkNote(e, model, seen, nodes = 0) {
  const once = (key, vars = {}, message = `note.${key}`) => (seen.has(key) ? null : (seen.add(key), { key, message, vars, text: t('en', message, vars) }));
  if (model === 'nacos') {
    // A node climbs alone when it stands again with nothing heard since it
    // last stood: `alone:N:T` lives from N's stand at term T until a
    // message reaches N (at that term, or at localTerm when the message
    // changed it) or N goes down; only N's latest stand counts.
    if (ARRIVALS.has(e.event)) {
      seen.delete(`alone:${e.node}:${e.term}`);
      if (e.localTerm !== undefined) seen.delete(`alone:${e.node}:${e.localTerm}`);
    }
    if (e.event === 'crash' || e.event === 'restart') {
      // Rare, so a scan; a restart may not say the term it had.
      for (const k of [...seen]) if (k.startsWith(`alone:${e.node}:`)) seen.delete(k);
    }
    let climbed = false;
    if (e.event === 'sendVote') {
      climbed = seen.delete(`alone:${e.node}:${e.newTerm - 1}`);
      seen.add(`alone:${e.node}:${e.newTerm}`);
    }
    if (e.event === 'sendVote' && nodes === 1) {
      return once('alone');
    }
    if (e.event === 'receivedBeat' && e.accepted && e.beatTerm > e.term) {
      return once('beat-term', { node: e.node, from: e.from, beatTerm: e.beatTerm, term: e.term });
    }
    // Rejections remembered, to tell when decideLeader counts one as a vote.
    if (e.event === 'receivedVote') {
      if (e.granted === false) seen.add(`rej:${e.node}:${e.from}`); else seen.delete(`rej:${e.node}:${e.from}`);
    }
    if (e.event === 'decideLeader' && e.voterVoteFor === e.node && seen.has(`rej:${e.from}:${e.node}`)) {
      return once('stale-vote', { from: e.from, node: e.node, term: e.term });
    }
    if (e.event === 'decideLeader' && e.elected) {
      return once('learn-late', { node: e.node, elected: e.elected });
    }
    // Paused nodes, to tell a stalled old leader from one cut off.
    if (e.event === 'pause') seen.add(`paused:${e.node}`);
    if (e.event === 'resume' || e.event === 'crash' || e.event === 'restart') seen.delete(`paused:${e.node}`);
    if (e.event === 'violation' && e.kind === 'two-leaders') {
      const old = (e.nodes ?? []).reduce((a, b) => (a && a.term <= b.term ? a : b), null);
      const paused = old && seen.has(`paused:${old.node}`);
      return once('two-leaders', { node: old?.node }, paused ? 'note.two-leaders-paused' : 'note.two-leaders');
    }
    if (e.event === 'receivedBeat' && e.accepted === false && /out of date/.test(e.reason ?? '')) {
      return once('out-of-date', { node: e.node, localTerm: e.localTerm, beatTerm: e.beatTerm });
    }
    if (e.event === 'clock-set' && e.by === 'align-timers' && e.due_ms !== e.peer_due_ms) {
      return once('tick-phase', { node: e.node, ms: Math.round(e.due_ms - e.peer_due_ms), peer: e.peer });
    }
    if (climbed) {
      return once('term-climb', { node: e.node, newTerm: e.newTerm, oldTerm: e.newTerm - 1 });
    }
  } else {
    const raftLog = raftLogNote(e, once);
    if (raftLog) return raftLog;
    if (e.event === 'stepDown' && e.reason === 'check quorum lost') {
      return once('cq', { node: e.node, active: e.active, needed: e.needed });
    }
    if (e.event === 'stepDown' && e.was === 'LEADER' && e.reason === 'higher term' && e.message === 'vote-request') {
      return once('disrupt', { from: e.from, newTerm: e.newTerm, node: e.node });
    }
    if (e.event === 'preVote' && e.granted === false) {
      return once('pv', { node: e.node, from: e.from, reason: e.reason });
    }
  }
  return null;
}

/**
 * A note for a step of Raft's log replication, once per kind per run.
 * @param {Record<string, any>} e @param {(key: string, vars?: Record<string, unknown>, message?: string) => object | null} once
 */
function raftLogNote(e, once) {
  switch (e.event) {
    case 'clientCommand': return once('log-append', { node: e.node, opKind: e.opKind, key: e.key, index: e.index, entryTerm: e.entryTerm });
    case 'redirect': return once('log-redirect', { node: e.node, leader: e.leader }, e.leader ? 'note.log-redirect' : 'note.log-redirect-none');
    case 'dropped': return once('log-dropped', { node: e.node, uncommitted: e.uncommitted });
    case 'commit': return once('log-commit', { commitIndex: e.commitIndex, node: e.node });
    case 'commitWaits': return once('log-figure-8', { index: e.index, entryTerm: e.entryTerm, node: e.node });
    case 'backtrack': return once('log-backtrack', { from: e.from, node: e.node, nextIndex: e.nextIndex });
    case 'sendSnapshot': return once('log-snapshot', { to: e.to, node: e.node, lastIncludedIndex: e.lastIncludedIndex, keys: e.keys });
    case 'installSnapshot': return once('log-install', { node: e.node, from: e.from, lastIncludedIndex: e.lastIncludedIndex, keptEntries: e.keptEntries }, e.keptEntries ? 'note.log-install-kept' : 'note.log-install');
    case 'violation':
      if (e.kind === 'log-matching') return once('v-log-matching');
      if (e.kind === 'leader-completeness') return once('v-leader-completeness');
      if (e.kind === 'state-machine-safety') return once('v-state-machine-safety');
      return null;
    default: return null;
  }
}

/**
 * What the ring shows, in words: the canvas's accessible name. Each node
 * up to a dozen; for more, the counts by role and who leads. `tr` gives
 * the words (the element's language); English by default.
 */
export function describeCluster(run, tr = (key, vars) => t('en', key, vars)) {
  const nodes = Array.from({ length: run.n }, (_, i) => run.node(i + 1));
  const leaders = nodes.filter((n) => n.alive && n.role === 'LEADER').map((n) => tr('ring.leaderTerm', { id: n.id, term: n.term }));
  const head = tr('ring.head', { model: run.model === 'nacos' ? 'Nacos' : 'Raft', n: run.n, leaders: leaders.length ? tr('ring.leader', { list: leaders.join(tr('ring.and')) }) : tr('ring.noLeader') });
  if (run.n > 12) {
    const count = (f) => nodes.filter(f).length;
    const down = count((n) => !n.alive), cand = count((n) => n.alive && (n.role === 'CANDIDATE' || n.role === 'PRE_CANDIDATE'));
    return `${head} ${tr('ring.counts', { followers: count((n) => n.alive && n.role === 'FOLLOWER'), candidates: cand, down })}`;
  }
  const one = (n) => {
    // Raft: how far its log reaches and is committed, once it has entries.
    const log = run.model === 'raft' ? run.nodeLog(n.id) : null;
    const held = log && log.last ? tr('ring.held', { last: log.last, commit: log.commit }) : '';
    if (!n.alive) return tr('ring.crashed', { id: n.id, held });
    const who = tr('ring.who', { id: n.id, role: n.role.toLowerCase().replace('_', '-'), term: n.term });
    if (n.role === 'LEADER') return `${who}${held}`;
    return `${who}${n.leader ? tr('ring.follows', { id: n.leader }) : `${tr('ring.noneKnown')}${n.voteFor ? tr('ring.votedFor', { id: n.voteFor }) : ''}`}${held}`;
  };
  return `${head} ${nodes.map(one).join(tr('ring.sep'))}${tr('ring.end')}`;
}

/** Keyboard shortcuts, for the ? dialog and the key handler: the keys, and
 *  what they do (its catalog key). */
export const SHORTCUTS = [
  ['Space', 'keys.play'],
  ['. or N', 'keys.step'],
  ['R', 'keys.reset'],
  ['D', 'keys.drop'],
  ['B', 'keys.dropNext'],
  ['W', 'keys.write'],
  ['1 … 9 and 0', 'keys.select'],
  ['C', 'keys.crash'],
  ['T', 'keys.timeout'],
  ['I', 'keys.isolate'],
  ['H', 'keys.heal'],
  ['A', 'keys.align'],
  ['E', 'keys.spread'],
  ['- / +', 'keys.speed'],
  ['M', 'keys.model'],
  ['← / →', 'keys.arrows'],
  ['Home / End', 'keys.homeEnd'],
  ['S', 'keys.share'],
  ['L', 'keys.log'],
  ['Esc', 'keys.escape'],
  ['?', 'keys.help'],
];
