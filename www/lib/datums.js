// @ts-check
// What each node stores (Nacos's datums), read from the core a few times a
// second rather than every frame: per node its keys and versions, which of
// them are stale (a version below the leader's, or a key the leader lacks),
// the most recently written, and the keys that just went (to flash them).
// The ring, the datums panel and the inspector all read one snapshot.

/** Datums read per node; a node with more shows its count and its newest. */
export const DATUM_LIMIT = 500;
/** Wall ms between two reads while the run moves. */
const EVERY_MS = 120;
/** Wall ms a deleted key stays flashing. */
export const FLASH_MS = 1200;
/** Past this many nodes only the counts are read (and the leader's datums). */
const FULL_READ_NODES = 12;

/** @typedef {import('../pkg/raftbeat.js').DatumView} DatumView */
/**
 * One node's store as the page shows it.
 * @typedef {object} NodeDatums
 * @property {number} count How many datums it holds.
 * @property {Map<string, DatumView>} map Up to DATUM_LIMIT of them, by key.
 * @property {Set<string>} stale Keys below the leader's version, or that the leader lacks.
 * @property {number} missing Keys the leader has and this node lacks (read ones only).
 * @property {DatumView[]} newest Its most recently written datums, newest first (a few).
 */

export class DatumSnapshot {
  constructor() {
    /** @type {NodeDatums[]} */
    this.nodes = [];
    /** The leader the stale keys are judged against (null: none, or several). @type {number | null} */
    this.leader = null;
    /** Keys that left a node lately: {node, key, born (wall ms)}. @type {{ node: number, key: string, born: number }[]} */
    this.flashes = [];
    this.time = -1;
    this.wall = -Infinity;
    /** @type {unknown} */
    this.sim = null;
    /** Bumped on each read that changed something (panels redraw on it). */
    this.version = 0;
    this.key = '';
  }

  /**
   * Reads the stores again if the run moved and the last read is old enough
   * (`force`: whatever the wall time). A Raft run has no data: nothing is read.
   * @param {import('./core.js').Run} run @param {number} [now] @param {boolean} [force]
   */
  read(run, now = performance.now(), force = false) {
    if (run.model !== 'nacos') { this.nodes = []; return this; }
    const sim = run.sim;
    const same = sim === this.sim;
    if (same && run.time === this.time) return this;
    if (same && !force && now - this.wall < EVERY_MS && run.time > this.time) return this;
    // A rewind (a new Simulation, or time back) is no deletion.
    const flash = same && run.time > this.time;
    this.sim = sim; this.time = run.time; this.wall = now;
    const leaders = run.leaders;
    this.leader = leaders.length === 1 ? leaders[0].id : null;
    /** @type {NodeDatums[]} */
    const nodes = [];
    let key = `${this.leader}`;
    for (let id = 1; id <= run.n; id++) {
      const count = sim.datumCount(id);
      const full = run.n <= FULL_READ_NODES || id === this.leader;
      const list = count && full ? /** @type {DatumView[]} */ (sim.datums(id, DATUM_LIMIT)) : [];
      const map = new Map(list.map((d) => [d.key, d]));
      const before = this.nodes[id - 1];
      if (flash && before) for (const k of before.map.keys()) if (!map.has(k) && (count < DATUM_LIMIT || k < lastKey(list))) this.flashes.push({ node: id, key: k, born: now });
      const newest = list.length <= 4 ? [...list].sort((a, b) => b.token - a.token) : topByToken(list, 4);
      nodes.push({ count, map, stale: new Set(), missing: 0, newest });
      key += `|${count}:${newest.map((d) => `${d.key}${d.version}`).join()}`;
    }
    const lead = this.leader ? nodes[this.leader - 1] : null;
    if (lead) {
      nodes.forEach((node, i) => {
        if (i + 1 === this.leader || !node.map.size && !lead.map.size) return;
        for (const [k, d] of node.map) {
          const l = lead.map.get(k);
          if (!l || d.version < l.version) node.stale.add(k);
        }
        if (node.map.size || run.n <= FULL_READ_NODES) for (const k of lead.map.keys()) if (!node.map.has(k)) node.missing++;
        key += `|${node.stale.size}/${node.missing}`;
      });
    }
    this.nodes = nodes;
    this.flashes = this.flashes.filter((f) => now - f.born < FLASH_MS);
    if (key !== this.key || this.flashes.length) { this.key = key; this.version++; }
    return this;
  }

  /** Keys of `node` flashing now (deleted lately). @param {number} node @param {number} now */
  flashing(node, now) {
    return this.flashes.filter((f) => f.node === node && now - f.born < FLASH_MS).map((f) => f.key);
  }

  /** The datums to show for a node: all of them when few, else its newest. @param {number} node @param {number} [max] */
  shown(node, max = 8) {
    const n = this.nodes[node - 1];
    if (!n) return [];
    return n.count <= max ? [...n.map.values()] : n.newest;
  }
}

/** @param {DatumView[]} list */
function lastKey(list) { return list.length ? list[list.length - 1].key : ''; }

/** The k datums with the highest tokens (written last), highest first. @param {DatumView[]} list @param {number} k */
function topByToken(list, k) {
  /** @type {DatumView[]} */
  const top = [];
  for (const d of list) {
    if (top.length < k) { top.push(d); top.sort((a, b) => b.token - a.token); } else if (d.token > top[k - 1].token) {
      top[k - 1] = d;
      top.sort((a, b) => b.token - a.token);
    }
  }
  return top;
}

/** A byte count in words: 180 B, 2.4 KB. @param {number} b */
export function bytesText(b) {
  return b < 1000 ? `${b} B` : b < 1e6 ? `${+(b / 1000).toPrecision(2)} KB` : `${+(b / 1e6).toPrecision(2)} MB`;
}
