// @ts-check
// The one clock of a page or of an element: JavaScript owns the
// requestAnimationFrame loop and steps every attached view's Run by wall time
// times speed. Long gaps are clamped, a hidden tab does not advance, and
// while messages are on the wire the clock slows down so each one takes a
// visible moment to cross: Nacos beats travel for milliseconds every five
// seconds, and neither would be watchable at one fixed speed. Slow motion may
// cost a run up to most of its speed, not all of it: when a wire that never
// goes quiet (a steady workload) has held the runs under a tenth of the
// chosen speed for about a second, slow motion rests until they are back
// above 70 % of it, or they would crawl at a few percent.

/** Longest wall-clock gap one frame may cover (a backgrounded tab, a breakpoint). */
const MAX_GAP_MS = 100;
/** Wall time a message of typical latency takes to cross in slow motion. */
const CROSSING_MS = 420;
/** Above this speed the crossing shrinks in proportion: fast means fast. */
const SLOW_MOTION_UP_TO = 10;
/** Wall time (ms) over which the achieved share of the chosen speed is averaged. */
const PACE_MS = 1000;
/** Slow motion rests below this share of the chosen speed, and returns above the second. */
const PACE_REST = 0.1;
const PACE_RESUME = 0.7;
/** Wall time per frame spent stepping when fast-forwarding. */
const STEP_BUDGET_MS = 8;

export class Clock {
  constructor({ speed = 1 } = {}) {
    this.views = new Set();
    this.speed = speed;
    this.playing = false;
    this.slowMotion = true;
    this.last = null;
    this.raf = 0;
    /** Simulated ms per wall ms over the last frames. */
    this.rate = 0;
    /** True while slow motion holds the clock back for messages in flight. */
    this.flying = false;
    /** Whether slow motion may hold the clock back now, and the share of
     *  the chosen speed the runs recently achieved (see PACE_MS). */
    this.slowArmed = true;
    this.pace = 1;
    /** True when the core could not keep up with the speed (budget hit). */
    this.saturated = false;
    this.eventsPerMs = 2000;
    /** A simulated time to pause at exactly (a comparison's end), or Infinity. */
    this.stopAt = Infinity;
    /** Timings of the last frame (ms): step, hand-over, draw. */
    this.last_frame = { step: 0, handover: 0, draw: 0, events: 0 };
    this.listeners = new Set();
    this.frame = this.frame.bind(this);
    // Listened to only while a view is attached: the document would
    // otherwise keep this clock, and through it a removed element, alive.
    this.onVisibility = () => { this.last = null; };
  }

  on(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  emit() { for (const fn of this.listeners) fn(this); }

  add(view) {
    if (!this.views.size) document.addEventListener('visibilitychange', this.onVisibility);
    this.views.add(view);
    if (!this.raf) { this.last = null; this.raf = requestAnimationFrame(this.frame); }
  }
  delete(view) {
    this.views.delete(view);
    if (this.views.size) return;
    document.removeEventListener('visibilitychange', this.onVisibility);
    if (this.raf) { cancelAnimationFrame(this.raf); this.raf = 0; }
  }
  dispose() {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.views.clear();
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  play() { if (!this.playing) { this.playing = true; this.last = null; this.pace = 1; this.slowArmed = true; this.emit(); } }
  pause() { if (this.playing) { this.playing = false; this.flying = false; this.emit(); } }
  toggle() { this.playing ? this.pause() : this.play(); }
  setSpeed(speed) {
    if (!(speed > 0 && Number.isFinite(speed))) throw new Error(`speed: must be a positive number, got ${speed}`);
    this.speed = speed;
    this.emit();
  }

  frame(ts) {
    this.raf = requestAnimationFrame(this.frame);
    // rAF timestamps can precede a performance.now() taken earlier: clamp at 0.
    const wallDt = this.last === null ? 0 : Math.min(Math.max(ts - this.last, 0), MAX_GAP_MS);
    this.last = ts;
    const t0 = performance.now();
    let events = 0;
    if (this.playing && !document.hidden && wallDt > 0) events = this.advance(wallDt);
    const t1 = performance.now();
    for (const v of this.views) if (v.active && v.run) v.run.refresh();
    const t2 = performance.now();
    for (const v of this.views) if (v.active) v.render(ts);
    const t3 = performance.now();
    this.last_frame = { step: t1 - t0, handover: t2 - t1, draw: t3 - t2, events };
  }

  /** Averages the share of the chosen speed achieved; below PACE_REST slow
   *  motion rests until the share is back above PACE_RESUME. */
  keepPace(wallDt, advanced) {
    const a = 1 - Math.exp(-wallDt / PACE_MS);
    this.pace += a * (Math.min(1, advanced / (wallDt * this.speed)) - this.pace);
    if (this.slowArmed && this.pace < PACE_REST) this.slowArmed = false;
    else if (!this.slowArmed && this.pace > PACE_RESUME) this.slowArmed = true;
  }

  /** Steps every active run together by one frame; returns the events run. */
  advance(wallDt) {
    const runs = [];
    for (const v of this.views) if (v.active && v.run) runs.push(v.run);
    if (!runs.length) return 0;
    const start = Math.min(...runs.map((r) => r.sim.timeMs));
    let dt = wallDt * this.speed;
    const crossing = CROSSING_MS * Math.min(1, SLOW_MOTION_UP_TO / this.speed);
    // Below a frame and a half a crossing is a blink: no point slowing down.
    const slow = this.slowMotion && this.slowArmed && crossing > 24;
    this.flying = false;
    if (slow) {
      for (const r of runs) {
        if (r.messages.length) {
          const flightRate = r.meanLatency / crossing;
          if (wallDt * flightRate < dt) { dt = wallDt * flightRate; this.flying = true; }
        }
        // Stop exactly when the next beat or vote goes out, so its flight
        // starts on screen instead of inside one long frame.
        const next = r.nextSendIn();
        if (next > 0.001 && next < dt) dt = next;
      }
    }
    for (const r of runs) {
      const next = r.nextActionAt() - start;
      if (next >= 0 && next < dt) dt = next;
    }
    if (this.stopAt - start < dt) dt = Math.max(0, this.stopAt - start);
    const target = start + dt;
    const budget = Math.max(1000, Math.round(this.eventsPerMs * STEP_BUDGET_MS));
    let events = 0;
    const t0 = performance.now();
    this.saturated = false;
    for (const r of runs) {
      const before = r.sim.eventCount;
      try {
        if (!r.advanceTo(target, budget, { halt: true })) this.saturated = true;
      } catch (e) {
        r.report(e);
        this.pause();
      }
      events += r.sim.eventCount - before;
    }
    const spent = performance.now() - t0;
    if (spent > 0.5 && events > 100) this.eventsPerMs = 0.8 * this.eventsPerMs + 0.2 * (events / spent);
    const reached = Math.min(...runs.map((r) => r.sim.timeMs));
    if (reached >= this.stopAt - 0.0005) this.pause();
    const advanced = reached - start;
    this.rate = 0.85 * this.rate + 0.15 * (advanced / wallDt);
    if (this.playing) this.keepPace(wallDt, advanced);
    return events;
  }
}
