// `npm test`: a live lesson's rules (src/live.js) and its link run against a real player with a fake site
// (fetch, timers and window events given to the link), no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createLiveLink, followMoves, HEARTBEAT_MS, MAX_BACKOFF_MS, newest, pollDelay, positionOf, sameOriginRoute,
  shouldReport,
} from '../src/live.js';
import { createPlayer } from '../src/player.js';
import { K } from '../src/playback.js';

const HOPS = Array.from({ length: 40 }, (_x, i) => [i * 0.5, 0, 0, 1, K.move, 1, 0, i]);
const payload = { hops: HOPS, end: 20, narration: HOPS.map((_h, i) => `hop ${i + 1}`), final: null };
const newPlayer = () => createPlayer([{ payload, nodeCount: 2 }], false);
const at = (k, extra = {}) => ({ k, t: 0, playing: false, speed: 1, done: false, ...extra });

test('a paused follower steps to the teacher\'s hop, and stays put when it is there', () => {
  assert.deepEqual(followMoves(at(3), { hop: 7, t: 3, playing: false, speed: 1 }, 40), [['goTo', 7]]);
  assert.deepEqual(followMoves(at(7), { hop: 7, t: 3, playing: false, speed: 1 }, 40), []);
  assert.deepEqual(followMoves(at(7), { hop: 0, t: 0, playing: false, speed: 1 }, 40), [['toStart']]);
  assert.deepEqual(followMoves(at(7), { hop: 40, t: 20, playing: false, speed: 1 }, 40), [['toEnd']]);
  assert.deepEqual(followMoves(at(7, { playing: true }), { hop: 9, t: 4, playing: false, speed: 2 }, 40),
    [['setSpeed', 2], ['pause'], ['goTo', 9]]);
});

test('a follower plays from the teacher\'s time and jumps only when far behind, once per position', () => {
  const p = { hop: 12, t: 6, playing: true, speed: 1, seq: 4 };
  assert.deepEqual(followMoves(at(5), p, 40), [['seek', 6], ['play']]);
  assert.deepEqual(followMoves(at(10, { playing: true }), p, 40), []);                 // near enough: plays on
  assert.deepEqual(followMoves(at(30, { playing: true }), p, 40), [['seek', 6], ['play']]);
  assert.deepEqual(followMoves(at(30, { playing: true }), p, 40, false), []);
});

test('the teacher reports steps at once, playing at most each second, an unchanged position now and then', () => {
  const p = (hop, playing = false) => ({ hop, t: hop / 2, playing, speed: 1 });
  assert.equal(shouldReport(null, p(0), 0), true);
  assert.equal(shouldReport({ pos: p(1), at: 0 }, p(2), 10), true);
  assert.equal(shouldReport({ pos: p(1, true), at: 0 }, p(2, true), 500), false);
  assert.equal(shouldReport({ pos: p(1, true), at: 0 }, p(2, true), 1000), true);
  assert.equal(shouldReport({ pos: p(1, true), at: 0 }, p(2, false), 10), true);     // a pause goes at once
  assert.equal(shouldReport({ pos: p(2), at: 0 }, p(2), HEARTBEAT_MS - 1), false);
  assert.equal(shouldReport({ pos: p(2), at: 0 }, p(2), HEARTBEAT_MS), true);
  assert.equal(shouldReport({ pos: p(2), at: 0 }, p(2), HEARTBEAT_MS, false), false);
  assert.deepEqual(positionOf({ k: 3, t: 99, playing: true, speed: 5 }, 20), { hop: 3, t: 20, playing: true, speed: 5 });
});

test('the newest position wins by the store\'s sequence number; polls back off on errors', () => {
  assert.equal(newest({ hop: 1, seq: 5 }, { hop: 2, seq: 4 }).hop, 1);
  assert.equal(newest({ hop: 1, seq: 5 }, { hop: 2, seq: 6 }).hop, 2);
  assert.equal(newest(null, { hop: 2, seq: 0 }).hop, 2);
  assert.equal(pollDelay(300, 0, false), 300);
  assert.equal(pollDelay(300, 0, true), 2000);
  assert.equal(pollDelay(300, 2, false), 1200);
  assert.equal(pollDelay(300, 30, false), MAX_BACKOFF_MS);
});

// A fake site: fetch answers from `answer(url, opts)`; timers run when the test says so.
function fakeEnv(answer) {
  const win = new EventTarget();
  win.CustomEvent = CustomEvent;
  const outs = [];
  win.addEventListener('sps-live-out', (e) => outs.push(e.detail));
  const timers = new Map();
  let id = 0;
  let clock = 1_000_000;
  const calls = [];
  const env = {
    window: win, now: () => clock, hidden: () => false, modes: [],
    setTimeout: (fn, ms) => { id += 1; timers.set(id, { fn, ms }); return id; },
    clearTimeout: (n) => timers.delete(n),
    fetch: (url, opts) => {
      calls.push({ url, opts });
      const [status, body] = answer(url, opts);
      return Promise.resolve({ ok: status < 300, status, json: async () => body });
    },
  };
  env.onMode = (m) => env.modes.push(m);
  const settle = () => new Promise((r) => setImmediate(r));
  // Run every timer that is due within `ms` (polls, heartbeats; not the fetch time-outs).
  const advance = async (ms) => {
    clock += ms;
    for (const [n, t] of [...timers]) {
      if (t.ms <= ms && t.ms < 4000) { timers.delete(n); t.fn(); }
    }
    await settle();
  };
  return { env, win, outs, calls, advance, settle, relay: (d) => win.dispatchEvent(new CustomEvent('sps-live-in', { detail: { channel: 'live', ...d } })) };
}

test('a student follows the route, steps away when touching the controls, and rejoins', async () => {
  let position = { hop: 4, t: 1.5, playing: false, speed: 1, seq: 3 };
  const site = fakeEnv(() => [200, position]);
  const player = newPlayer();
  const link = createLiveLink(player, { role: 'follow', url: '/_sps/live/ABC-DEF', channel: 'live' }, site.env);
  await site.settle();
  assert.equal(player.getSnapshot().k, 4);
  assert.equal(site.calls[0].url, '/_sps/live/ABC-DEF');
  assert.ok(!site.calls[0].opts.method, 'a student only reads');
  position = { hop: 5, t: 2, playing: false, speed: 1, seq: 4 };
  await site.advance(300);
  assert.equal(player.getSnapshot().k, 5);
  assert.deepEqual(site.env.modes, ['direct']);

  player.touched();                                  // the student presses a control
  player.stepBack();
  assert.deepEqual(site.outs.at(-1).away.epoch, 0);
  position = { hop: 9, t: 4, playing: false, speed: 1, seq: 5 };
  const asked = site.calls.length;
  await site.advance(300);
  await site.advance(300);
  assert.equal(site.calls.length, asked, 'away: no polling');
  assert.equal(player.getSnapshot().k, 4, 'away: not dragged back');
  site.relay({ following: false, epoch: 0 });
  assert.equal(player.getSnapshot().k, 4);
  site.relay({ following: true, epoch: 1 });        // "Rejoin the teacher"
  await site.settle();
  assert.equal(player.getSnapshot().k, 9);
  link.dispose();
});

test('a student whose route fails backs off and follows the page\'s position; an ended lesson stops the polls', async () => {
  let answer = [503, { error: 'down' }];
  const site = fakeEnv(() => answer);
  const player = newPlayer();
  const link = createLiveLink(player, { role: 'follow', url: '/_sps/live/ABC-DEF', channel: 'live', every_ms: 300 }, site.env);
  await site.settle();
  assert.equal(site.env.modes.at(-1), 'fallback');
  site.relay({ following: true, epoch: 0, position: { hop: 6, t: 2.5, playing: false, speed: 1, seq: 8 } });
  assert.equal(player.getSnapshot().k, 6, 'the Streamlit path moves it');
  const n = site.calls.length;
  await site.advance(300);
  assert.equal(site.calls.length, n, 'backing off: not at the normal pace');
  await site.advance(600);
  assert.equal(site.calls.length, n + 1);
  answer = [200, { hop: 2, t: 0.5, playing: false, speed: 1, seq: 7 }];         // older than the page's
  await site.advance(1200);
  assert.equal(player.getSnapshot().k, 6, 'an older position never wins');
  answer = [410, { ended: true }];
  await site.advance(300);
  const m = site.calls.length;
  await site.advance(300);
  await site.advance(5000);
  assert.equal(site.calls.length, m, 'ended: no more polls');
  assert.equal(site.env.modes.at(-1), 'ended');
  link.dispose();
});

test('the teacher goes to a resumed position first, then posts each step; a refused post uses Streamlit', async () => {
  let status = 200;
  const site = fakeEnv(() => [status, { ok: status === 200, seq: 1 }]);
  const player = newPlayer();
  const link = createLiveLink(player, { role: 'teach', url: '/_sps/live/ABC-DEF', channel: 'live',
    seek: { id: 'resume-1', hop: 12, t: 5.5 } }, site.env);
  await site.settle();
  const first = JSON.parse(site.calls[0].opts.body);
  assert.equal(first.hop, 12, 'never reports hop 0 before the stored position');
  assert.equal(site.calls[0].opts.method, 'POST');
  assert.equal(site.calls[0].opts.headers['Content-Type'], 'application/json');
  player.stepForward();
  await site.settle();
  assert.equal(JSON.parse(site.calls.at(-1).opts.body).hop, 13);
  link.seek({ id: 'resume-1', hop: 2 });                // the same seek again: already done
  assert.equal(player.getSnapshot().k, 13);
  link.seek({ id: 'reveal-1', hop: 20 });
  await site.settle();
  assert.equal(player.getSnapshot().k, 20);
  assert.equal(JSON.parse(site.calls.at(-1).opts.body).hop, 20);

  status = 403;                                         // e.g. signed in another way than the cookie
  player.stepForward();
  await site.settle();
  assert.equal(site.outs.at(-1).report.hop, 21);
  const posts = site.calls.length;
  player.stepForward();
  await site.settle();
  assert.equal(site.calls.length, posts, 'refused once: the route is not asked again');
  assert.equal(site.outs.at(-1).report.hop, 22);
  assert.equal(site.env.modes.at(-1), 'fallback');
  link.dispose();
});

test('a teacher whose post times out or fails hands it to Streamlit and tries the route again soon', async () => {
  let status = 503;
  const site = fakeEnv(() => [status, {}]);
  const player = newPlayer();
  const link = createLiveLink(player, { role: 'teach', url: '/_sps/live/ABC-DEF', channel: 'live' }, site.env);
  await site.settle();
  assert.equal(site.outs.at(-1).report.hop, 0, 'the Streamlit path carries it meanwhile');
  assert.equal(site.env.modes.at(-1), 'fallback');
  status = 200;
  const posts = site.calls.length;
  await site.advance(500);
  await site.advance(500);
  assert.equal(site.calls.length, posts + 1, 'retried after the back-off, not only at the next heartbeat');
  assert.equal(site.env.modes.at(-1), 'direct');
  link.dispose();
});

test('the link fetches only the site\'s own position route, as a path on this origin', () => {
  assert.equal(sameOriginRoute('/_sps/live/ABC-DEF'), '/_sps/live/ABC-DEF');
  assert.equal(sameOriginRoute('/school/_sps/live/ABC-DEF'), '/school/_sps/live/ABC-DEF');     // a base path
  for (const bad of ['https://evil.example/_sps/live/ABC-DEF', '//evil.example/_sps/live/ABC-DEF',
    '/_sps/live/../session', '/_sps/session', 'javascript:alert(1)', '/_sps/live/ABC-DEF?x=1', null, 42]) {
    assert.equal(sameOriginRoute(bad), null, String(bad));
  }
  let fetched = 0;
  const link = createLiveLink(newPlayer(), { role: 'follow', url: 'https://evil.example/_sps/live/ABC-DEF' }, {
    fetch: () => { fetched += 1; return new Promise(() => {}); }, setTimeout: () => 0, clearTimeout: () => {},
    window: null, now: () => 0, hidden: () => false,
  });
  assert.equal(fetched, 0);
  if (link && link.dispose) link.dispose();
});
