// `npm test`: the pure playback rules (no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, countersAt, cursorAt, initialSpeed, K, tokensAt } from '../src/playback.js';
import { curve, pointAt } from '../src/geometry.js';

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
