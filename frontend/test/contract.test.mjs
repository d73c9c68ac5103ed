// `npm test`: the data the canvas receives (frontend/contract.schema.json), checked on this side with the same
// schema Python's output is checked against (tests/test_canvas_contract.py keeps the sample current).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { KINDS } from '../src/playback.js';

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const schema = read('../contract.schema.json');
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const sample = read('./fixtures/canvas-data.json');

test('the sample canvas data from Python fits the contract', () => {
  assert.ok(validate(sample), JSON.stringify(validate.errors));
});

test('the contract names the kinds in the order the browser numbers them', () => {
  assert.deepEqual(schema.$defs.playback.properties.kinds.const, KINDS);
});

test('every hop points at a node and an edge of the design it is played on', () => {
  const { design, playback } = sample;
  for (const [, edge, src, dst, kind] of playback.hops) {
    assert.ok(edge < design.edges.length && src < design.nodes.length && dst < design.nodes.length);
    assert.ok(kind < playback.kinds.length);
  }
  assert.equal(playback.final.length, design.nodes.length);
});

test('the contract refuses what the canvas cannot draw', () => {
  const node = { ...sample.design.nodes[0], x: '12' };
  assert.equal(validate({ ...sample, design: { ...sample.design, nodes: [node] } }), false);
  assert.equal(validate({ ...sample, playback: { ...sample.playback, hops: [[0, 0, 0]] } }), false);
  assert.equal(validate({ playback: null }), false);
});

test('the live input: a follower or a teacher on this site\'s own route', () => {
  const live = { role: 'follow', url: '/_sps/live/K7Q-3MX', channel: 'live', every_ms: 300 };
  assert.ok(validate({ ...sample, live }), JSON.stringify(validate.errors));
  assert.ok(validate({ ...sample, live: { ...live, role: 'teach', seek: { id: 'reveal-1', hop: 4, t: 2 } } }));
  assert.equal(validate({ ...sample, live: { ...live, url: 'https://elsewhere.example/x' } }), false);
  assert.equal(validate({ ...sample, live: { ...live, every_ms: 10 } }), false);
});
