// The playback clock: simulated time t, the hop cursors, play/pause/step/seek/speed. An external store
// (subscribe/getSnapshot) so the token layer re-renders every frame and a node only when its counters change.
//
// One clock drives one or more runs ("sides"): two designs side by side share t, the speed, the skips over
// idle stretches and one set of controls, so they never drift apart. Stepping walks the hops of all sides
// merged in time order (ties: left side first); with one side it is exactly that run's hop order.
import { advance, badgesAt, cursorAt, initialSpeed, TRAVEL_WALL } from './playback.js';

export const STEP_MS = 900;

export function reducedMotion() {
  return typeof window !== 'undefined' && window.matchMedia
    && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

// The hops of every side in one time order: times, side and hop index per merged position, and for each
// side how many of its hops come among the first k merged ones (prefix[s][k]).
export function mergeSides(sides) {
  const entries = [];
  sides.forEach((side, s) => side.times.forEach((t, i) => entries.push([t, s, i])));
  entries.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const times = entries.map((e) => e[0]);
  const side = entries.map((e) => e[1]);
  const hop = entries.map((e) => e[2]);
  const prefix = sides.map((_x, s) => {
    const out = new Int32Array(entries.length + 1);
    for (let k = 0; k < entries.length; k++) out[k + 1] = out[k] + (side[k] === s ? 1 : 0);
    return out;
  });
  return { times, side, hop, prefix };
}

// sides: [{payload, nodeCount}] (one for a single run).
export function createPlayer(sides, presenter) {
  const runs = sides.map(({ payload, nodeCount }) => {
    const times = payload.hops.map((h) => h[0]);
    return { payload, hops: payload.hops, times, end: payload.end, nodeCount };
  });
  const merged = mergeSides(runs);
  const total = merged.times.length;
  const end = Math.max(0, ...runs.map((r) => r.end || 0));
  const listeners = new Set();
  const touchers = new Set();      // told when a person (not a program) works the controls
  const cursorsAt = (t) => runs.map((r) => cursorAt(r.times, t));
  const cursorsOf = (k) => merged.prefix.map((p) => p[k]);
  let state = {
    t: 0, k: 0, cursors: runs.map(() => 0), playing: false, speed: initialSpeed(end), step: -1, stepSide: -1,
    stepHop: -1, stepProgress: 1, skipped: 0, skippedAt: -1, done: false,
  };
  const counters = runs.map((r) => badgesAt(r.payload, 0, r.nodeCount));
  const countersCursor = runs.map(() => 0);
  let raf = 0;
  let last = 0;
  let stepStart = 0;

  const emit = (patch) => {
    state = { ...state, ...patch };
    runs.forEach((r, s) => {
      if (state.cursors[s] !== countersCursor[s]) {
        counters[s] = badgesAt(r.payload, state.cursors[s], r.nodeCount);
        countersCursor[s] = state.cursors[s];
      }
    });
    listeners.forEach((fn) => fn());
  };

  const frame = (now) => {
    raf = 0;
    const dt = last ? Math.min(0.1, (now - last) / 1000) : 0;
    last = now;
    const patch = {};
    if (state.playing) {
      const travel = TRAVEL_WALL * state.speed;
      const moved = advance(merged.times, state.t, dt, state.speed);
      patch.t = moved.t;
      if (moved.skipped > 0) Object.assign(patch, { skipped: moved.skipped, skippedAt: now });
      if (patch.t >= end + travel) Object.assign(patch, { t: end + travel, playing: false, done: true });
      patch.k = cursorAt(merged.times, patch.t);
      patch.cursors = cursorsAt(patch.t);
      Object.assign(patch, { step: -1, stepSide: -1, stepHop: -1 });
    }
    if (state.step >= 0) {
      patch.stepProgress = reducedMotion() ? 1 : Math.min(1, (now - stepStart) / STEP_MS);
    }
    emit(patch);
    if (state.playing || (state.step >= 0 && state.stepProgress < 1)) schedule();
  };

  const schedule = () => {
    if (!raf && typeof requestAnimationFrame !== 'undefined') raf = requestAnimationFrame(frame);
  };

  const stepTo = (k) => {
    const c = Math.max(0, Math.min(total, k));
    stepStart = typeof performance !== 'undefined' ? performance.now() : 0;
    emit({
      playing: false, k: c, cursors: cursorsOf(c), step: c > 0 ? c - 1 : -1,
      stepSide: c > 0 ? merged.side[c - 1] : -1, stepHop: c > 0 ? merged.hop[c - 1] : -1,
      t: c > 0 ? merged.times[c - 1] : 0, stepProgress: reducedMotion() ? 1 : 0, done: false,
    });
    schedule();
  };
  const still = { step: -1, stepSide: -1, stepHop: -1 };

  return {
    sides: runs, total, end, presenter,
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    // The controls and the presenter keys call touched() before acting; a live follower (src/live.js) hears
    // it as "this student stepped away". Programs driving the player (following) do not call it.
    onTouch(fn) { touchers.add(fn); return () => touchers.delete(fn); },
    touched() { touchers.forEach((fn) => fn()); },
    goTo(k) { stepTo(k); },
    getSnapshot() { return state; },
    counters(side, index) { return counters[side] ? counters[side][index] : null; },
    play() {
      last = 0;
      const restart = state.done || state.k >= total;
      emit({ playing: true, ...still, done: false, ...(restart ? { t: 0, k: 0, cursors: cursorsOf(0) } : {}) });
      schedule();
    },
    pause() { emit({ playing: false }); },
    toggle() { if (state.playing) this.pause(); else this.play(); },
    stepForward() { stepTo(state.k + 1); },
    stepBack() { stepTo(state.k - 1); },
    toStart() { emit({ playing: false, t: 0, k: 0, cursors: cursorsOf(0), ...still, done: false }); },
    toEnd() { emit({ playing: false, t: end, k: total, cursors: cursorsOf(total), ...still, done: true }); },
    seek(t) {
      if (t >= end) { this.toEnd(); return; }
      const tt = Math.max(0, t);
      emit({ playing: false, t: tt, k: cursorAt(merged.times, tt), cursors: cursorsAt(tt), ...still, done: false });
    },
    setSpeed(speed) { emit({ speed }); },
    dispose() { if (raf && typeof cancelAnimationFrame !== 'undefined') cancelAnimationFrame(raf); raf = 0; },
  };
}
