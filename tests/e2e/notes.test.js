// The in-page notes (www/lib/text.js quirkNote) fed with real traces from
// the release CLI: a note must fire where what it says happened, and only
// there. Needs no browser: quirkNote is pure, and the trace's JSON lines are
// the events the page reads (less the `cat` and `text` fields).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quirkNote } from '../../www/lib/text.js';

// Not harness.js: this file needs no browser, nor playwright.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The trace of a script, as events. */
function trace(script) {
  const out = execFileSync(join(ROOT, 'target', 'release', 'raftbeat'), ['run', join(ROOT, script), '--trace', '-'], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.toString().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

/** Every note the page would show for these events, with the event that raised it. */
function notes(events, model = 'nacos', nodes = 5) {
  const seen = new Set();
  return events.map((e) => ({ e, note: quirkNote(e, model, seen, nodes) })).filter((x) => x.note);
}

test('the term-climb note fires for a node cut off and climbing alone', () => {
  const climbs = notes(trace('tests/scenarios/06-rejoin-disrupts.txt')).filter((x) => x.note.key === 'term-climb');
  assert.equal(climbs.length, 1);
  // S2 is isolated at 6 s and stands at term 2 (21.1 s), then alone at term 3.
  assert.deepEqual([climbs[0].e.node, climbs[0].e.newTerm], [2, 3]);
  assert.match(climbs[0].note.text, /^Nacos: S2 stands again at term 3, alone/);
});

test('the term-climb note stays quiet where nobody is cut off: the split votes', () => {
  for (const tour of ['www/tours/nacos-split-vote.txt', 'www/tours/nacos-heartbeats.txt', 'www/tours/nacos-stale-votes.txt', 'www/tours/nacos-partition.txt',
    'www/tours/nacos-write.txt',
    'www/tours/nacos-partition-writes.txt',
    'www/tours/nacos-lost-write.txt',
    'www/tours/nacos-gc-pause.txt']) {
    const events = trace(tour);
    // The split-vote tour does have a stand at term 3 after one at term 2:
    // the case the note used to fire on. Its candidates heard replies.
    if (tour.includes('split')) assert.ok(events.some((e) => e.event === 'sendVote' && e.node === 2 && e.newTerm === 3 && !e.forced));
    const keys = notes(events).map((x) => x.note.key);
    assert.ok(!keys.includes('term-climb'), `${tour}: ${keys.join(', ')}`);
  }
});

test('the two-leaders note says the old leader is paused when it is, and cut off when it is', () => {
  const stalled = notes(trace('tests/scenarios/35-nacos-stalled-leader.txt')).filter((x) => x.note.key === 'two-leaders');
  assert.equal(stalled.length, 1);
  assert.equal(stalled[0].note.message, 'note.two-leaders-paused');
  assert.match(stalled[0].note.text, /^Two leaders, in different terms: S5, the old leader, is paused/);
  const cut = notes(trace('www/tours/nacos-partition.txt')).filter((x) => x.note.key === 'two-leaders');
  assert.equal(cut.length, 1);
  assert.equal(cut[0].note.message, 'note.two-leaders');
  assert.match(cut[0].note.text, /keeps LEADER while it is cut off/);
});

test('a stand after a reply, a beat, a granted vote or a restart is not a lonely climb', () => {
  const stand = (node, newTerm, t) => ({ t_ms: t, node, event: 'sendVote', term: newTerm, newTerm, forced: false });
  const cases = {
    reply: { event: 'decideLeader', node: 1, term: 4, from: 2, voterVoteFor: 3, elected: null },
    beat: { event: 'receivedBeat', node: 1, term: 4, from: 3, beatTerm: 4, accepted: true, becameFollower: true },
    // A higher candidate's request raises the term: the key of the old one goes.
    grant: { event: 'receivedVote', node: 1, term: 5, from: 3, candidateTerm: 5, localTerm: 4, granted: true },
    restart: { event: 'restart', node: 1, term: 0 },
  };
  for (const [name, between] of Object.entries(cases)) {
    const seen = new Set();
    quirkNote(stand(1, 4, 0), 'nacos', seen, 5);
    quirkNote(between, 'nacos', seen, 5);
    const next = between.event === 'receivedVote' ? 6 : 5;
    assert.equal(quirkNote(stand(1, next, 20_000), 'nacos', seen, 5), null, name);
  }
  // With nothing in between, it is one; a lost request (a drop) is not an arrival.
  const seen = new Set();
  quirkNote(stand(1, 4, 0), 'nacos', seen, 5);
  quirkNote({ event: 'drop', node: 1, term: 4, kind: 'vote-request', from: 1, to: 2, reason: 'partition' }, 'nacos', seen, 5);
  assert.equal(quirkNote(stand(1, 5, 20_000), 'nacos', seen, 5)?.key, 'term-climb');
  // Another node's lonely stand does not count for this one.
  const other = new Set();
  quirkNote(stand(2, 4, 0), 'nacos', other, 5);
  assert.equal(quirkNote(stand(1, 5, 20_000), 'nacos', other, 5), null);
});

test('the learn-late note gives the first beat as 4.5-5 s after the stand, as the trace shows', () => {
  const events = trace('www/tours/nacos-heartbeats.txt');
  const late = notes(events).find((x) => x.note.key === 'learn-late');
  assert.ok(late, 'the note fires when S5 wins');
  assert.match(late.note.text, /4\.5-5 s after it stood/);
  const stood = events.find((e) => e.event === 'sendVote' && e.node === late.e.node && e.t_ms <= late.e.t_ms);
  const beat = events.find((e) => e.event === 'sendBeat' && e.node === late.e.node);
  const gap = beat.t_ms - stood.t_ms;
  assert.ok(gap >= 4500 && gap <= 5000, `first beat ${gap} ms after the stand`);
});
