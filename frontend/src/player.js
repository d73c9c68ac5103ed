// The playback clock: simulated time t, the hop cursor, play/pause/step/seek/speed. An external store
// (subscribe/getSnapshot) so the token layer re-renders every frame and a node only when its counters change.
import { advance, badgesAt, cursorAt, initialSpeed, TRAVEL_WALL } from './playback.js';

export const STEP_MS = 900;

export function reducedMotion() {
  return typeof window !== 'undefined' && window.matchMedia
    && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export function createPlayer(payload, nodeCount, presenter) {
  const hops = payload.hops;
  const times = hops.map((h) => h[0]);
  const end = payload.end;
  const listeners = new Set();
  let state = {
    t: 0, cursor: 0, playing: false, speed: initialSpeed(end), step: -1, stepProgress: 1, skipped: 0,
    skippedAt: -1, done: false,
  };
  let counters = badgesAt(payload, 0, nodeCount);
  let countersCursor = 0;
  let raf = 0;
  let last = 0;
  let stepStart = 0;

  const emit = (patch) => {
    state = { ...state, ...patch };
    if (state.cursor !== countersCursor) {
      counters = badgesAt(payload, state.cursor, nodeCount);
      countersCursor = state.cursor;
    }
    listeners.forEach((fn) => fn());
  };

  const frame = (now) => {
    raf = 0;
    const dt = last ? Math.min(0.1, (now - last) / 1000) : 0;
    last = now;
    const patch = {};
    if (state.playing) {
      const travel = TRAVEL_WALL * state.speed;
      const moved = advance(times, state.t, dt, state.speed);
      patch.t = moved.t;
      if (moved.skipped > 0) Object.assign(patch, { skipped: moved.skipped, skippedAt: now });
      if (patch.t >= end + travel) Object.assign(patch, { t: end + travel, playing: false, done: true });
      patch.cursor = cursorAt(times, patch.t);
      patch.step = -1;
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

  const stepTo = (cursor) => {
    const c = Math.max(0, Math.min(hops.length, cursor));
    stepStart = typeof performance !== 'undefined' ? performance.now() : 0;
    emit({
      playing: false, cursor: c, step: c > 0 ? c - 1 : -1, t: c > 0 ? times[c - 1] : 0,
      stepProgress: reducedMotion() ? 1 : 0, done: false,
    });
    schedule();
  };

  return {
    hops, times, end, payload, presenter,
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    getSnapshot() { return state; },
    counters(index) { return counters[index]; },
    play() {
      last = 0;
      const restart = state.done || state.cursor >= hops.length;
      emit({ playing: true, step: -1, done: false, ...(restart ? { t: 0, cursor: 0 } : {}) });
      schedule();
    },
    pause() { emit({ playing: false }); },
    toggle() { if (state.playing) this.pause(); else this.play(); },
    stepForward() { stepTo(state.cursor + 1); },
    stepBack() { stepTo(state.cursor - 1); },
    toStart() { emit({ playing: false, t: 0, cursor: 0, step: -1, done: false }); },
    toEnd() { const t = end; emit({ playing: false, t, cursor: hops.length, step: -1, done: true }); },
    seek(t) {
      const tt = Math.max(0, Math.min(end, t));
      emit({ playing: false, t: tt, cursor: cursorAt(times, tt), step: -1, done: false });
    },
    setSpeed(speed) { emit({ speed }); },
    dispose() { if (raf && typeof cancelAnimationFrame !== 'undefined') cancelAnimationFrame(raf); raf = 0; },
  };
}
