// Playback rules, pure (no DOM): the one copy of them (designer/playback.py only builds the hops). The shared
// cases in test/fixtures/playback.json hold both sides to values worked out by hand.
// A hop is [t, edge, src, dst, kind, attempt, copy, event]; kinds are named in payload.kinds.

export const KINDS = ['move', 'dlq', 'answer', 'ok', 'fail', 'retry', 'throttle', 'drop', 'filter', 'dedup', 'info'];
export const K = Object.fromEntries(KINDS.map((k, i) => [k, i]));
export const TRAVELS = new Set([K.move, K.dlq, K.answer]);
export const COUNTERS = ['in', 'ok', 'fail', 'retry', 'dup', 'dlq', 'drop', 'throttle', 'filter', 'dedup', 'parked',
  'flight'];
const AT_TARGET = new Set([K.ok, K.fail, K.retry, K.drop, K.throttle, K.filter, K.dedup]);

// Wall-clock seconds a token takes to travel one edge; in simulated seconds that is TRAVEL_WALL * speed.
export const TRAVEL_WALL = 0.8;
export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 100, 300];

// Number of hops with time <= t (binary search over the sorted times).
export function cursorAt(times, t) {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function emptyCounters() {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0]));
}

// Per node, the counters after the first `cursor` hops.
export function countersAt(hops, cursor, nodeCount) {
  const out = Array.from({ length: nodeCount }, emptyCounters);
  for (let i = 0; i < cursor && i < hops.length; i++) {
    const [, , src, dst, kind, , copy] = hops[i];
    if (kind === K.move && dst >= 0 && src !== dst) {
      out[dst].in += 1;
      if (copy) out[dst].dup += 1;
    } else if (kind === K.dlq && src >= 0) {
      out[src].dlq += 1;
      if (dst >= 0) out[dst].in += 1;
    } else if (AT_TARGET.has(kind) && dst >= 0) {
      out[dst][KINDS[kind]] += 1;
    }
  }
  return out;
}

// What the badges show: the playback's counts on the way; at the end of a fully played run, the run's own
// counters (payload.final, the results table's numbers).
export function badgesAt(payload, cursor, nodeCount) {
  if (payload.final && cursor >= payload.hops.length) return payload.final;
  return countersAt(payload.hops, cursor, nodeCount);
}

// Lasting marks a node shows (shape + word): failed, dropped, dead-lettered.
export function marksOf(counters) {
  const marks = [];
  if (counters.fail) marks.push('failed');
  if (counters.drop) marks.push('dropped');
  if (counters.dlq) marks.push('dead-lettered');
  return marks;
}

// Tokens travelling at simulated time t: [{i, f}] with f the fraction along the path (0 at the start).
export function tokensAt(hops, times, t, travel) {
  const out = [];
  for (let i = cursorAt(times, t) - 1; i >= 0; i--) {
    const hop = hops[i];
    if (t - hop[0] > travel) break;
    if (TRAVELS.has(hop[4]) && hop[2] !== hop[3]) {
      out.push({ i, f: travel > 0 ? Math.min(1, (t - hop[0]) / travel) : 1 });
    }
  }
  return out.reverse();
}

// Marks flashing at nodes at time t (a failure, a drop...): [{i, age}] with age in [0, 1].
export function flashesAt(hops, times, t, travel) {
  const out = [];
  for (let i = cursorAt(times, t) - 1; i >= 0; i--) {
    const hop = hops[i];
    if (t - hop[0] > travel) break;
    if (AT_TARGET.has(hop[4]) && hop[3] >= 0) out.push({ i, age: travel > 0 ? (t - hop[0]) / travel : 1 });
  }
  return out.reverse();
}

// A speed (simulated seconds per wall second) that plays the whole run in about 40 seconds.
export function initialSpeed(end) {
  const wanted = end / 40;
  for (const s of SPEEDS) if (s >= wanted) return s;
  return SPEEDS[SPEEDS.length - 1];
}

// Where play goes next from t: skip stretches where nothing moves for more than a wall second.
// Returns {t, skipped} with skipped the simulated seconds jumped over (0 when none).
export function advance(times, t, dt, speed) {
  const travel = TRAVEL_WALL * speed;
  let next = t + dt * speed;
  const c = cursorAt(times, t);
  const busy = c > 0 && t - times[c - 1] <= travel;
  if (!busy && c < times.length && (times[c] - t) / speed > 1.0) {
    const to = times[c] - 0.1 * speed;
    if (to > next) return { t: to, skipped: to - t };
  }
  return { t: next, skipped: 0 };
}

export function formatTime(t) {
  return `${t.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 3 })} s`;
}

// What one side's token layer draws in a player state (see player.js): nothing once the run has been played
// to its end (no tokens left standing on the edges) or before it starts, the stepped hop alone while stepping (only on the side
// the hop belongs to), else the tokens travelling at t (the last `cap`).
export function tokensShown(hops, times, state, side, travel, cap = 150) {
  if (state.done || (!state.playing && state.step < 0 && !state.k)) return [];   // at the end, or not started
  if (state.step >= 0) {
    const hop = state.stepSide === side ? hops[state.stepHop] : null;
    return hop && TRAVELS.has(hop[4]) && hop[2] !== hop[3] ? [{ i: state.stepHop, f: state.stepProgress }] : [];
  }
  return tokensAt(hops, times, state.t, travel).slice(-cap);
}

// The marks flashing at nodes in a player state, by the same rules as tokensShown.
export function flashesShown(hops, times, state, side, travel, cap = 60) {
  if (state.done || (!state.playing && state.step < 0 && !state.k)) return [];
  if (state.step >= 0) {
    const hop = state.stepSide === side ? hops[state.stepHop] : null;
    return hop && AT_TARGET.has(hop[4]) && hop[3] >= 0 ? [{ i: state.stepHop, age: 0 }] : [];
  }
  return flashesAt(hops, times, state.t, travel).slice(-cap);
}
