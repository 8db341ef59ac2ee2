// Words the page uses: times, event lines, what each model field means, and
// the notes that say where Nacos differs from textbook Raft when it happens.

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

/** Event categories, as the log filter names them. */
export const CATEGORIES = [
  ['election', 'Elections'], ['beat', 'Heartbeats'], ['role', 'Roles'], ['fault', 'Faults'],
  ['data', 'Data'], ['client', 'Client'], ['monitor', 'Safety'], ['network', 'Network'], ['boot', 'Boot'],
];

/** What each field of the inspector means, by the name the model uses. */
export const FIELD_HELP = {
  // Nacos RaftPeer / RaftPeerSet
  ip: 'The node (RaftPeer.ip).',
  state: 'RaftPeer.state: FOLLOWER, CANDIDATE or LEADER.',
  term: 'RaftPeer.term. Raised by sendVote, taken from a candidate by receivedVote. receivedBeat never takes the beat\'s term, but each datum a beat makes a follower pull sets it to the leader\'s term (or adds 100), and every write adds 100 to the leader\'s term and to each follower that stores it (onPublish).',
  datums: 'How many datums (key, version) this node stores. Beats list every key with its version; a follower pulls the keys it lacks or holds older (pullDatums, in batches of 50) and deletes the keys a beat does not list (deadKeys).',
  operateLock: 'OPERATE_LOCK: the leader takes it for each write (signalPublish) and holds it until a majority confirms or 5 s pass; later writes queue behind it.',
  pullsSent: 'GET /raft/datum requests this node sent after beats that listed keys it lacked or held older.',
  commitFailures: 'Commits this leader sent that a follower refused or never answered.',
  voteFor: 'RaftPeer.voteFor: whom this node voted for (itself when it stood).',
  leader: 'RaftPeerSet.leader: the leader this node knows. Followers learn it only from a beat (makeLeader).',
  leaderDueMs: 'Counts down 500 ms per tick in MasterElection; at 0 the node runs sendVote. resetLeaderDue sets it to 15 000 + random(5 000) on every beat, granted vote and own sendBeat.',
  heartbeatDueMs: 'Counts down 500 ms per tick in the HeartBeat task; at 0 it is reset to 5 000 and a LEADER runs sendBeat. MasterElection also resets it to 5 000 when the node stands, and receivedBeat on every beat: so a new leader\'s first beat comes 4.5-5 s after it stood, whatever the count was before.',
  persistedTerm: 'The term on disk (raftStore.updateTerm, on datum writes and pulls only, never for an election). 1.0-1.2 restart with it; from 1.3.0 a restart starts at term 0 anyway.',
  beatFailures: 'Beats this leader sent that came back refused (e.g. "out of date beat"). Nacos also logs and counts beats that fail to arrive; it never steps down on either.',
  peers: 'RaftPeerSet: the other peers as last reported to this node.',
  // Raft (paper names)
  currentTerm: 'currentTerm (Figure 2): the latest term this server has seen.',
  votedFor: 'votedFor: the candidate that received this server\'s vote in currentTerm.',
  lastLogIndex: 'Index of the last entry in its log: client commands the leader appended (clientCommand) or AppendEntries brought. A voter refuses a candidate whose log is behind its own (§5.4.1).',
  lastLogTerm: 'Term of the last log entry: the term of the leader that appended it.',
  commitIndex: 'commitIndex (Figure 2): the highest entry known to be committed. The leader moves it once a majority stores an entry of its own term (§5.3, §5.4.2); followers learn it from the next AppendEntries. Volatile: a restart starts it at 0 (or at its snapshot).',
  lastApplied: 'lastApplied: the highest entry applied to the key/value state machine (its datums). It follows commitIndex.',
  snapshot: 'The last snapshot: every entry up to its index applied and compacted away (§7). A follower that needs compacted entries gets the snapshot instead (InstallSnapshot).',
  nextIndex: 'On the leader, per follower: the next index to send it (optimistic, backs off on a mismatch: backtrack).',
  matchIndex: 'On the leader, per follower: the highest index known to match its log. A majority of these decides the commit index.',
  votesGranted: 'Votes (or pre-votes) granted in this election, and by whom; refusals in brackets.',
  electionTimeoutMs: 'The randomized election timeout drawn at the last reset.',
  preVote: 'etcd\'s Pre-Vote: poll a majority before raising the term.',
  checkQuorum: 'etcd\'s CheckQuorum: a leader that has not heard from a majority steps down; followers keep a lease.',
  'election timer': 'Time left before this server starts an election (the arc around it); in Nacos, the tick on which leaderDueMs reaches 0. A heartbeat from its leader, or a vote it grants, resets it to a fresh random timeout. The a and e keys align or spread these.',
  'quorum check': 'CheckQuorum: when this runs out, the leader steps down unless a majority answered it since the last check.',
  'heartbeat timer': 'When the leader next sends heartbeats (empty AppendEntries) to every follower.',
  inLease: 'Heard from a live leader within the minimum election timeout: higher-term vote requests are ignored.',
};

/**
 * Where Nacos 1.x RaftCore differs from textbook Raft, for the notes panel:
 * each names the Nacos method and the Raft rule it departs from (sections
 * of the Raft paper, "In Search of an Understandable Consensus Algorithm").
 */
export const NACOS_DIFFERENCES = [
  ['Votes are counted from voteFor, whatever the term', 'decideLeader tallies the voteFor in every reply, refusals and late replies from an earlier round included, and never reads the term in a reply: a candidate can win on stale votes, two can win one term, and one can crown another node in its own view. Raft counts only the votes granted to it in its current term, and steps down on a reply with a higher term (§5.1, §5.2).'],
  ['A leader ignores "out of date beat"', 'A follower with a higher term refuses the beat; the leader logs and counts the failure and stays LEADER. A Raft leader steps down on a higher term in any reply (§5.1).'],
  ['No log check in the vote', 'receivedVote grants any candidate with a higher term. Raft refuses a candidate whose log is behind the voter\'s (§5.4.1); Nacos leans on the 100 that each write adds to the term.'],
  ['Beats do not pass the term on', 'receivedBeat accepts a beat of equal or higher term and keeps its own term: a node can follow at term 1 a leader at term 2. Only the datum pulls a beat starts move it (to the leader\'s term, or +100). Raft adopts a higher term from any message (§5.1).'],
  ['Followers learn the leader late', 'decideLeader runs on the candidate only; the others hear of the new leader at its first beat, 4.5-5 s after it stood (its heartbeatDueMs was reset to 5 000 then). A Raft leader sends heartbeats as soon as it is elected (§5.2).'],
  ['A restart can bring the term back as 0', 'The term reaches disk only when data changes (a write, a pull, some deletes), and from 1.3.0 the stored term never reaches the restarted peer. Back at term 0 a node grants any higher term, one it voted in before included: receivedVote never reads voteFor. Raft keeps currentTerm and votedFor on stable storage (Figure 2).'],
  ['A one-node cluster never leads', 'decideLeader runs only when a vote reply arrives. A Raft candidate counts its own vote (§5.2).'],
  ['Slow clocks on a 500 ms tick', 'leaderDueMs is 15-20 s and beats go every 5 s, where the paper suggests 150-300 ms (§5.6, §9.3): from a leader crash until every follower knows the next one takes about 15-23 s, 10-20 s to time out and 4.5 s to the first beat.'],
];

/**
 * What the notes sometimes blame on Nacos but textbook Raft does too; the
 * Raft thesis's CheckQuorum and Pre-Vote (etcd options) change it.
 */
export const NACOS_LIKE_RAFT = [
  ['A losing candidate stays CANDIDATE', 'until a leader\'s beat, a higher term or its own next timeout, as in Raft (§5.2).'],
  ['Two leaders in different terms', 'a leader cut into a minority stays LEADER until it hears a newer leader (Nacos issue #771). Raft allows one leader per term, not one at a time (§5.2); with CheckQuorum (thesis §6.2) the old leader steps down.'],
  ['Disruptive rejoin', 'a node cut off raises its term every 15-20 s, and its return makes the leader step down, as in Raft without Pre-Vote (thesis §9.6). In Nacos it also wins, having no log check, but only if no write happened meanwhile: each adds 100 to the others\' terms.'],
];

/** Nacos events that mean a message reached the node. */
const ARRIVALS = new Set(['receivedVote', 'decideLeader', 'receivedBeat', 'beatResponse', 'getPeer', 'peerUpdate']);

/**
 * A note for an event that shows a Nacos quirk (or its Raft fix), once per
 * kind per run: {key, text} or null; `nodes` is the cluster size.
 */
export function quirkNote(e, model, seen, nodes = 0) {
  const once = (key, text) => (seen.has(key) ? null : (seen.add(key), { key, text }));
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
      return once('alone', 'Nacos: a one-node cluster never elects itself. decideLeader runs only when a vote reply arrives, and nobody is there to reply, so S1 stands again every 15-20 s, forever. Raft counts its own vote and leads at once.');
    }
    if (e.event === 'receivedBeat' && e.accepted && e.beatTerm > e.term) {
      return once('beat-term', `Nacos: S${e.node} follows S${e.from} (term ${e.beatTerm}) but stays at term ${e.term}: receivedBeat never adopts the leader's term. Only the datum pulls a beat starts move it (to the leader's term, or +100), and only when the beat lists keys it lacks. Textbook Raft adopts the higher term from any message.`);
    }
    // Rejections remembered, to tell when decideLeader counts one as a vote.
    if (e.event === 'receivedVote') {
      if (e.granted === false) seen.add(`rej:${e.node}:${e.from}`); else seen.delete(`rej:${e.node}:${e.from}`);
    }
    if (e.event === 'decideLeader' && e.voterVoteFor === e.node && seen.has(`rej:${e.from}:${e.node}`)) {
      return once('stale-vote', `Nacos: S${e.from} rejected S${e.node}'s vote request (term ${e.term} is not above its own), yet S${e.node} counts the reply as a vote: it still says voteFor S${e.node}, from an earlier election, and decideLeader counts voteFor, not grants. Textbook Raft counts only votes granted in this term.`);
    }
    if (e.event === 'decideLeader' && e.elected) {
      return once('learn-late', `Nacos: only S${e.node} knows S${e.elected} won. The others learn it from S${e.elected}'s first beat, 4.5-5 s after it stood: standing reset its heartbeatDueMs to 5 000, and the HeartBeat task takes 500 off it each tick, the tick it stood on included (watch "leader:" under each node). A Raft leader beats at once.`);
    }
    if (e.event === 'violation' && e.kind === 'two-leaders') {
      return once('two-leaders', 'Two leaders, in different terms: the old leader keeps LEADER while it is cut off (Nacos issue #771). Textbook Raft allows that too, one leader per term; with CheckQuorum the old leader steps down on its own.');
    }
    if (e.event === 'receivedBeat' && e.accepted === false && /out of date/.test(e.reason ?? '')) {
      return once('out-of-date', `Nacos: S${e.node} rejects the beat as "out of date" (its term ${e.localTerm} > ${e.beatTerm}); the leader only counts a failure and stays LEADER. A Raft leader steps down on a higher term in any reply.`);
    }
    if (e.event === 'clock-set' && e.by === 'align-timers' && e.due_ms !== e.peer_due_ms) {
      return once('tick-phase', `Nacos: S${e.node} can time out only on its own MasterElection tick, ${Math.round(e.due_ms - e.peer_due_ms)} ms after S${e.peer}. Two Nacos servers stand together only when their tick phases are a few ms apart, so split votes are rare; Raft's timers run out anywhere.`);
    }
    if (climbed) {
      return once('term-climb', `Nacos: S${e.node} stands again at term ${e.newTerm}, alone: nothing reached it since it stood at term ${e.newTerm - 1}. Cut off, a node raises its term every 15-20 s, and when it returns its vote request makes the leader step down, as in Raft without Pre-Vote. In Nacos it also wins, if no write raised the others' terms by 100 meanwhile.`);
    }
  } else {
    const raftLog = raftLogNote(e, once);
    if (raftLog) return raftLog;
    if (e.event === 'stepDown' && e.reason === 'check quorum lost') {
      return once('cq', `Raft CheckQuorum: S${e.node} heard from only ${e.active} of the ${e.needed} nodes it needs, so it steps down. A Nacos leader never does.`);
    }
    if (e.event === 'stepDown' && e.was === 'LEADER' && e.reason === 'higher term' && e.message === 'vote-request') {
      return once('disrupt', `Raft without Pre-Vote: S${e.from}'s higher term (${e.newTerm}) makes leader S${e.node} step down, as in Nacos. Pre-Vote avoids this.`);
    }
    if (e.event === 'preVote' && e.granted === false) {
      return once('pv', `Raft Pre-Vote: S${e.node} refuses S${e.from}'s poll (${e.reason}), so no term rises and nobody is disrupted.`);
    }
  }
  return null;
}

/**
 * A note for a step of Raft's log replication, once per kind per run.
 * @param {Record<string, any>} e @param {(key: string, text: string) => { key: string, text: string } | null} once
 */
function raftLogNote(e, once) {
  switch (e.event) {
    case 'clientCommand': return once('log-append', `Raft: leader S${e.node} appends ${e.opKind} ${e.key} to its log at index ${e.index}, term ${e.entryTerm}, and sends it to the followers in AppendEntries. It answers the client only once the entry commits: when a majority stores it.`);
    case 'redirect': return once('log-redirect', `Raft: S${e.node} is not the leader, so it does not append the command: it tells the client ${e.leader ? `to ask S${e.leader}, the leader it knows` : 'it knows no leader'} (clientRedirect: the client resends there).`);
    case 'dropped': return once('log-dropped', `Raft: leader S${e.node} refuses the command: ${e.uncommitted} entries wait to commit already (etcd drops proposals past such a limit instead of growing the log without bound).`);
    case 'commit': return once('log-commit', `Raft: a majority stores index ${e.commitIndex}, of S${e.node}'s own term: it commits everything up to it and applies it to its state machine. The followers learn the new commit index with the next AppendEntries (a heartbeat will do) and apply it then.`);
    case 'commitWaits': return once('log-figure-8', `Raft, Figure 8: a majority stores index ${e.index}, but of term ${e.entryTerm}, not S${e.node}'s current one, so S${e.node} does not count it committed: a later leader could still overwrite it. It commits once an entry of its own term reaches a majority, and everything before it with that entry.`);
    case 'backtrack': return once('log-backtrack', `Raft: S${e.from}'s log does not hold the entry before the ones S${e.node} sent (Log Matching, §5.3), so S${e.node} sets its nextIndex for S${e.from} back to ${e.nextIndex} and sends again from there; the follower drops whatever conflicts.`);
    case 'sendSnapshot': return once('log-snapshot', `Raft: S${e.to} needs entries S${e.node} has compacted away, so S${e.node} sends its snapshot instead (InstallSnapshot, §7): the state machine up to index ${e.lastIncludedIndex}, ${e.keys} keys.`);
    case 'installSnapshot': return once('log-install', `Raft: S${e.node} replaces its state machine with S${e.from}'s snapshot up to index ${e.lastIncludedIndex}${e.keptEntries ? ` and keeps the ${e.keptEntries} entries after it that match` : ''}.`);
    case 'violation':
      if (e.kind === 'log-matching') return once('v-log-matching', 'Log Matching broken: two logs hold an entry with the same index and term but differ before it. Raft\'s consistency check in AppendEntries (the previous index and term) is meant to rule this out.');
      if (e.kind === 'leader-completeness') return once('v-leader-completeness', 'Leader Completeness broken: a leader was elected without an entry already committed. The voting rule of §5.4.1 (refuse a candidate whose log is behind) is meant to rule this out.');
      if (e.kind === 'state-machine-safety') return once('v-state-machine-safety', 'State Machine Safety broken: two nodes applied different commands at the same index. Raft guarantees every node applies the same command at each index.');
      return null;
    default: return null;
  }
}

/**
 * What the ring shows, in words: the canvas's accessible name. Each node
 * up to a dozen; for more, the counts by role and who leads.
 */
export function describeCluster(run) {
  const nodes = Array.from({ length: run.n }, (_, i) => run.node(i + 1));
  const leaders = nodes.filter((n) => n.alive && n.role === 'LEADER').map((n) => `S${n.id} (term ${n.term})`);
  const head = `${run.model === 'nacos' ? 'Nacos' : 'Raft'} cluster of ${run.n}: ${leaders.length ? `leader ${leaders.join(' and ')}` : 'no leader'}.`;
  if (run.n > 12) {
    const count = (f) => nodes.filter(f).length;
    const down = count((n) => !n.alive), cand = count((n) => n.alive && (n.role === 'CANDIDATE' || n.role === 'PRE_CANDIDATE'));
    return `${head} ${count((n) => n.alive && n.role === 'FOLLOWER')} followers, ${cand} candidates, ${down} crashed.`;
  }
  const one = (n) => {
    // Raft: how far its log reaches and is committed, once it has entries.
    const log = run.model === 'raft' ? run.nodeLog(n.id) : null;
    const held = log && log.last ? `, log to ${log.last}, committed to ${log.commit}` : '';
    if (!n.alive) return `S${n.id} crashed${held}`;
    const who = `S${n.id} ${n.role.toLowerCase().replace('_', '-')}, term ${n.term}`;
    if (n.role === 'LEADER') return `${who}${held}`;
    return `${who}, ${n.leader ? `follows S${n.leader}` : `knows no leader${n.voteFor ? `, voted for S${n.voteFor}` : ''}`}${held}`;
  };
  return `${head} ${nodes.map(one).join('; ')}.`;
}

/** Keyboard shortcuts, for the ? dialog and the key handler. */
export const SHORTCUTS = [
  ['Space', 'Play / pause'],
  ['. or N', 'Single step: the next event'],
  ['R', 'Reset: the same settings from time 0'],
  ['D', 'Drop the leader\'s heartbeats (again: allow them)'],
  ['B', 'Drop the leader\'s next N heartbeats'],
  ['W', 'Write the next key (k1, k2, … or the one typed in the client bar) through the leader'],
  ['1 … 9 and 0', 'Select S1 … S10 (or focus the ring and use the arrow keys)'],
  ['C', 'Crash the selected node (again: restart it)'],
  ['T', 'Force an election timeout on the selected node (paused, on two nodes: they stand at the same instant and may split the vote)'],
  ['I', 'Isolate the selected node'],
  ['H', 'Heal: remove every partition'],
  ['A', 'Align timers: the election clock that runs out second runs out with the first (a split vote in the making). In Nacos it rarely splits: leaderDueMs runs out only on a server\'s own 500 ms tick, so the second stands up to a tick later, mostly after the first\'s vote request has reached it'],
  ['E', 'Spread timers: no election clock runs out within a vote\'s delivery of another (no split vote)'],
  ['- / +', 'Slower / faster'],
  ['M', 'Switch model: Nacos / Raft'],
  ['← / →', 'On the timeline: back / forward in time. In a guided tour: back / continue (so do PageUp / PageDown)'],
  ['Home / End', 'On the timeline: the start / the latest moment'],
  ['S', 'Copy a link to this run'],
  ['L', 'Search the event log'],
  ['Esc', 'Close a dialog, deselect'],
  ['?', 'This help'],
];
