// @ts-check
// The user's gestures that both a button and a shortcut make: each is one
// action in the script language through the element (act), said aloud
// (announce). Shared by the controls and the keyboard (input.js).

/** @typedef {import('../raft-beat.js').RaftBeatElement} Host */
/** @typedef {import('./core.js').Run} Run */

/** The leader whose heartbeats the drop control acts on: the one of the highest term. @param {Run} run */
export function leaderTarget(run) {
  return run.leaders.reduce((/** @type {{ id: number, term: number } | null} */ a, l) => (!a || l.term > a.term ? l : a), null);
}

/** Drops every heartbeat of the leader, or lets them flow again. @param {Host} host */
export function toggleLeaderBeats(host) {
  const run = host.run, id = leaderTarget(run)?.id;
  if (!id) { host.showError(host.t('act.noLeaderForBeats')); return; }
  const rule = (run.rules ?? []).find((r) => r.scope === 'from' && r.from === id && r.remaining === null);
  if (rule) {
    if (host.act(`allow-beats rule=${rule.id}`) !== null) host.announce(host.t('act.beatsFlow', { id }));
  } else if (host.act(`drop-beats from=${id}`) !== null) {
    host.announce(host.t(run.model === 'nacos' ? 'act.droppingNacos' : 'act.droppingRaft', { id }));
  }
}

/** Drops the leader's next `count` heartbeat rounds. @param {Host} host @param {number} count */
export function dropNext(host, count) {
  const id = leaderTarget(host.run)?.id;
  if (!id) return;
  if (!(count >= 1)) { host.showError(host.t('act.countRule')); return; }
  if (host.act(`drop-beats from=${id} count=${count}`) !== null) host.announce(host.t(count > 1 ? 'act.droppingNext' : 'act.droppingNextOne', { id, count }));
}

/** RaftScope's timer keys: `align-timers` or `spread-timers`, said aloud. @param {Host} host @param {'align' | 'spread'} kind */
export function timerKey(host, kind) {
  if (host.act(`${kind}-timers`) === null) return;
  const leader = host.run.leaders[0];
  host.announce(host.t(kind === 'align' ? 'act.aligned' : 'act.spread') + (leader ? host.t('act.whileLeads', { id: leader.id }) : ''));
}

/** The same cluster (size, seed) on the other model. @param {Host} host @param {string} model */
export function switchModel(host, model) {
  const run = host.run;
  if (model === run.model) return;
  try {
    host.restart({ model, nodes: run.n, seed: run.sim.seed }, { keepSpeed: false });
    host.announce(host.t(model === 'nacos' ? 'act.nacosModel' : 'act.raftModel'));
  } catch (e) { host.showError(/** @type {Error} */ (e).message); }
}

/** @typedef {'drop-from' | 'drop-to' | 'crash' | 'timeout' | 'isolate'} NodeAction */

/** One of the inspector's actions on node `id`. @param {Host} host @param {number | null} id @param {string} kind */
export function nodeAction(host, id, kind) {
  const run = host.run;
  if (!id) return;
  const n = run.node(id), rules = run.rules ?? [];
  if (!n) return;
  /** @param {'from' | 'to'} scope */
  const rule = (scope) => rules.find((r) => r.scope === scope && r[scope] === id);
  /** @param {string} c */
  const act = (c) => host.act(c);
  if (kind === 'drop-from') { const r = rule('from'); act(r ? `allow-beats rule=${r.id}` : `drop-beats from=${id}`); }
  if (kind === 'drop-to') { const r = rule('to'); act(r ? `allow-beats rule=${r.id}` : `drop-beats to=${id}`); }
  if (kind === 'crash') act(n.alive ? `crash ${id}` : `restart ${id}`);
  if (kind === 'timeout') act(`timeout ${id}`);
  if (kind === 'isolate') act(isIsolated(run, id) ? 'heal' : `isolate ${id}`);
  if (kind === 'pause' && n.alive) act(`pause ${id} for=${pauseSpan(run)}ms`);
}

/** How long the Pause button stalls a node: longer than the longest
 *  election timeout, so the others notice (Nacos 25 s, Raft twice its
 *  electionMax). @param {Run} run */
export function pauseSpan(run) {
  return run.model === 'nacos' ? 25_000 : Math.max(1000, Math.ceil(2 * run.config.electionMax / 100) * 100);
}

/** Whether node `id` is alone in its partition group. @param {Run} run @param {number} id */
export function isIsolated(run, id) {
  const g = run.node(id)?.group;
  for (let j = 1; j <= run.n; j++) if (j !== id && run.node(j)?.group === g) return false;
  return true;
}
