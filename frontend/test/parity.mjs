// Prints what frontend/src/playback.js computes for a payload (JSON file given as the argument), so
// tests/test_playback.py can hold the frames Python builds, played by these rules, to the shared cases.
import { readFileSync } from 'node:fs';
import { badgesAt, countersAt, cursorAt, tokensAt, marksOf } from '../src/playback.js';

const { payload, nodes, cursors, times, travel } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const stamps = payload.hops.map((h) => h[0]);
const out = {
  counters: cursors.map((c) => countersAt(payload.hops, c, nodes)),
  badges: cursors.map((c) => badgesAt(payload, c, nodes)),
  marks: cursors.map((c) => countersAt(payload.hops, c, nodes).map(marksOf)),
  cursor: times.map((t) => cursorAt(stamps, t)),
  tokens: times.map((t) => tokensAt(payload.hops, stamps, t, travel).map(({ i, f }) => [i, f])),
};
process.stdout.write(JSON.stringify(out));
