// `npm test`: the pure playback rules (no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { advance, badgesAt, countersAt, cursorAt, initialSpeed, K, KINDS, marksOf, tokensAt } from '../src/playback.js';
import { curve, pointAt } from '../src/geometry.js';

// The shared cases (also checked against the Python frame builder by tests/test_playback.py).
const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures/playback.json', import.meta.url), 'utf8'));
const nonZero = (counters) => counters.map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0)));

for (const c of FIXTURES.cases) {
  test(`shared case: ${c.name}`, () => {
    const { payload, nodes, travel } = c;
    assert.deepEqual(payload.kinds, KINDS, 'the payload names the kinds in the order the browser numbers them');
    const stamps = payload.hops.map((h) => h[0]);
    for (const at of c.at_cursor) {
      const counters = countersAt(payload.hops, at.cursor, nodes);
      assert.deepEqual(nonZero(counters), at.counters, `counters after ${at.cursor} hops`);
      assert.deepEqual(counters.map(marksOf), at.marks, `marks after ${at.cursor} hops`);
      const badges = nonZero(badgesAt(payload, at.cursor, nodes));
      assert.deepEqual(badges, at.badges ?? at.counters, `badges after ${at.cursor} hops`);
    }
    for (const at of c.at_time) {
      assert.equal(cursorAt(stamps, at.t), at.cursor, `cursor at t = ${at.t}`);
      const tokens = tokensAt(payload.hops, stamps, at.t, travel);
      assert.deepEqual(tokens.map(({ i }) => i), at.tokens.map(([i]) => i), `tokens at t = ${at.t}`);
      tokens.forEach(({ f }, n) => assert.ok(Math.abs(f - at.tokens[n][1]) < 1e-9, `token ${n} at t = ${at.t}: ${f}`));
    }
  });
}

const hops = [
  [0, 0, 0, 1, K.move, 1, 0, 1], [0, -1, 0, 1, K.ok, 1, 0, 1], [2, 1, 1, 2, K.move, 1, 1, 1],
  [2.5, -1, 1, 2, K.fail, 1, 0, 1], [60, 2, 1, 3, K.dlq, 3, 0, 1],
];
const times = hops.map((h) => h[0]);

test('cursor counts hops at or before t', () => {
  assert.equal(cursorAt(times, -1), 0);
  assert.equal(cursorAt(times, 0), 2);
  assert.equal(cursorAt(times, 2.4), 3);
  assert.equal(cursorAt(times, 1000), 5);
});

test('counters: deliveries in, duplicates, failures at the target, DLQ at the source', () => {
  const c = countersAt(hops, 5, 4);
  assert.deepEqual([c[1].in, c[1].ok, c[2].in, c[2].dup, c[2].fail, c[1].dlq], [1, 1, 1, 1, 1, 1]);
});

test('tokens ride from 0 to 1 over the travel time and then leave', () => {
  assert.deepEqual(tokensAt(hops, times, 2, 1).map((x) => x.i), [2]);
  assert.equal(tokensAt(hops, times, 2.5, 1)[0].f, 0.5);
  assert.deepEqual(tokensAt(hops, times, 10, 1), []);
});

test('play skips long idle stretches but not busy ones', () => {
  const idle = advance(times, 3.5, 0.016, 1);
  assert.ok(idle.skipped > 50 && idle.t < 60);
  assert.equal(advance(times, 0.1, 0.5, 1).skipped, 0);
  assert.equal(initialSpeed(40), 1);
});

test('a Bézier starts and ends at its ends', () => {
  const c = curve(0, 0, 100, 50);
  assert.deepEqual(pointAt(c, 0), [0, 0]);
  assert.deepEqual(pointAt(c, 1), [100, 50]);
});

test('no tokens stand on the edges at the end of playback, nor before it starts', async () => {
  const { tokensShown, flashesShown } = await import('../src/playback.js');
  const base = { t: 2.5, k: 4, playing: false, step: -1, stepSide: -1, stepHop: -1, stepProgress: 1, done: false };
  assert.deepEqual(tokensShown(hops, times, base, 0, 1).map((x) => x.i), [2]);
  assert.deepEqual(tokensShown(hops, times, { ...base, done: true }, 0, 1), []);
  assert.deepEqual(flashesShown(hops, times, { ...base, done: true }, 0, 1), []);
  assert.deepEqual(tokensShown(hops, times, { ...base, t: 0, k: 0 }, 0, 1), []);
  // stepping: the stepped hop only, and only on its own side
  const step = { ...base, step: 2, stepSide: 1, stepHop: 2, stepProgress: 0.5 };
  assert.deepEqual(tokensShown(hops, times, step, 1, 1), [{ i: 2, f: 0.5 }]);
  assert.deepEqual(tokensShown(hops, times, step, 0, 1), []);
});

test('two runs on one clock: merged in time order, stepping walks both, play keeps one t', async () => {
  const { createPlayer, mergeSides } = await import('../src/player.js');
  const a = { hops: [[0, 0, 0, 1, K.move, 1, 0, 1], [1, 0, 0, 1, K.move, 1, 0, 2], [5, 0, 0, 1, K.move, 1, 0, 3]], end: 5 };
  const b = { hops: [[0.5, 0, 0, 1, K.move, 1, 0, 1], [1, 0, 0, 1, K.move, 1, 0, 2]], end: 1 };
  const m = mergeSides([a, b].map((p) => ({ times: p.hops.map((h) => h[0]) })));
  assert.deepEqual(m.times, [0, 0.5, 1, 1, 5]);
  assert.deepEqual(m.side, [0, 1, 0, 1, 0]);
  const player = createPlayer([{ payload: a, nodeCount: 2 }, { payload: b, nodeCount: 2 }], false);
  assert.equal(player.total, 5);
  assert.equal(player.end, 5);
  player.stepForward(); player.stepForward(); player.stepForward();
  let s = player.getSnapshot();
  assert.deepEqual([s.t, s.cursors, s.stepSide, s.stepHop], [1, [2, 1], 0, 1]);
  player.stepBack();
  s = player.getSnapshot();
  assert.deepEqual([s.t, s.cursors], [0.5, [1, 1]]);
  player.seek(1);
  s = player.getSnapshot();
  assert.deepEqual([s.k, s.cursors, s.done], [4, [2, 2], false]);
  player.seek(99);
  s = player.getSnapshot();
  assert.deepEqual([s.k, s.cursors, s.done], [5, [3, 2], true]);
  assert.equal(player.counters(1, 1).in, 2);
  player.dispose();
});

test('fit: never below the readable zoom; a wide design starts at its beginning', async () => {
  const { fitViewport, inView, panTo, readableZoom } = await import('../src/viewport.js');
  const z = readableZoom(11);
  assert.ok(z * 14 >= 11 && z < 0.8);
  const small = fitViewport({ x: 0, y: 0, width: 400, height: 100 }, 1000, 500, { minZoom: z, maxZoom: 1.2 });
  assert.equal(small.zoom, 1.2);
  assert.ok(Math.abs(small.x - (1000 - 480) / 2) < 1e-9);          // fits: centred
  const wide = fitViewport({ x: 100, y: 0, width: 3000, height: 300 }, 1000, 500,
    { minZoom: z, maxZoom: 1.2, start: { x: 195, y: 150 } });
  assert.equal(wide.zoom, z);                                       // not shrunk below readable
  assert.ok(Math.abs(wide.x - (24 - 100 * z)) < 1e-9);              // the start of the flow at the left edge
  const tall = fitViewport({ x: 0, y: 0, width: 300, height: 3000 }, 1000, 500,
    { minZoom: 1, maxZoom: 1.2, start: { x: 0, y: 1500 } });
  assert.equal(tall.y, 250 - 1500);                                 // vertically on the first service
  const vp = { x: 0, y: 0, zoom: 1 };
  assert.ok(inView({ x: 20, y: 20, width: 100, height: 50 }, vp, 500, 300));
  assert.ok(!inView({ x: 900, y: 20, width: 100, height: 50 }, vp, 500, 300));
  const moved = panTo({ x: 900, y: 20, width: 100, height: 50 }, vp, 500, 300);
  assert.ok(inView({ x: 900, y: 20, width: 100, height: 50 }, moved, 500, 300) && moved.y === 0);
});

test('keys: a clicker steps, fields keep their keys, Ctrl+Z undoes', async () => {
  const { presenterKey, typingInto, undoKey } = await import('../src/keys.js');
  const el = (tagName, attrs = {}) => ({ tagName, type: attrs.type, isContentEditable: false,
    getAttribute: (k) => attrs[k] ?? null });
  const body = el('BODY');
  assert.equal(presenterKey({ key: 'PageDown' }, body), 'stepForward');
  assert.equal(presenterKey({ key: 'ArrowRight' }, body), 'stepForward');
  assert.equal(presenterKey({ key: ' ' }, body), 'stepForward');
  assert.equal(presenterKey({ key: 'PageUp' }, body), 'stepBack');
  assert.equal(presenterKey({ key: 'ArrowLeft' }, body), 'stepBack');
  assert.equal(presenterKey({ key: 'ArrowRight' }, el('INPUT', { type: 'text' })), null);
  assert.equal(presenterKey({ key: 'ArrowRight' }, el('INPUT', { type: 'range' })), null);
  assert.equal(presenterKey({ key: 'PageDown' }, el('INPUT', { type: 'checkbox' })), 'stepForward');
  assert.equal(presenterKey({ key: ' ' }, el('BUTTON')), null);
  assert.equal(presenterKey({ key: 'PageDown', ctrlKey: true }, body), null);
  assert.ok(typingInto(el('TEXTAREA')) && typingInto(el('DIV', { role: 'slider' })) && !typingInto(body));
  assert.equal(undoKey({ key: 'z', ctrlKey: true }), 'undo');
  assert.equal(undoKey({ key: 'Z', ctrlKey: true, shiftKey: true }), 'redo');
  assert.equal(undoKey({ key: 'y', metaKey: true }), 'redo');
  assert.equal(undoKey({ key: 'z' }), null);
});
