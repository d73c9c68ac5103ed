// Live lessons without a Streamlit rerun: the teacher's canvas reports its playback position to the site's
// position route (ui/serve.py, `/_sps/live/{code}`) and every student's canvas polls that route and moves its
// own playback there. Streamlit stays the fallback both ways, through the live bridge (ui/live_bridge.py),
// a tiny element beside the canvas that talks to it by window events on one channel:
//   'sps-live-in'  {channel, position, following, epoch, ended}  Python → canvas (the position the page last
//                  read from the store, whether this student follows, the "Rejoin" epoch);
//   'sps-live-out' {channel, report} | {channel, away}            canvas → Python (a teacher's position when
//                  the route cannot take it; a student who stepped away).
// A follower takes whichever position is newest by the store's sequence number, so the two paths never fight.
// Positions are {hop, t, playing, speed} (+ seq from the store). Pure rules first (tested in test/live.test.mjs),
// then the link that runs them against a player (src/player.js).

export const POLL_MS = 300;           // a student asks ~3 times a second (one cached read on the server)
export const HIDDEN_POLL_MS = 2000;   // a tab in the background asks less often
export const MAX_BACKOFF_MS = 5000;
export const PLAYING_EVERY_MS = 1000; // while playing, a report at most each second (students play too)
export const HEARTBEAT_MS = 3000;     // an unchanged position is sent again now and then: heals a lost write
export const FAR_HOPS = 10;           // a playing follower this far from the teacher jumps to the teacher's time
export const TIMEOUT_MS = 4000;

// What the teacher's canvas reports for a player state.
export function positionOf(state, end) {
  return { hop: state.k, t: Math.max(0, Math.min(state.t, end)), playing: !!state.playing, speed: state.speed };
}

// Whether a new teacher position is worth sending now, given the last one sent (and when).
// `heartbeat`: send an unchanged position again after HEARTBEAT_MS (the route's path; never through Streamlit).
export function shouldReport(last, cur, now, heartbeat = true) {
  if (!last) return true;
  const moved = last.pos.hop !== cur.hop || last.pos.playing !== cur.playing || last.pos.speed !== cur.speed;
  if (!moved) return heartbeat && now - last.at >= HEARTBEAT_MS;
  const onlyPlaying = cur.playing && last.pos.playing && last.pos.speed === cur.speed;
  return !onlyPlaying || now - last.at >= PLAYING_EVERY_MS;
}

// The newest of two positions by the store's sequence number (null-safe).
export function newest(a, b) {
  if (!a) return b || null;
  if (!b) return a;
  return (b.seq ?? -1) > (a.seq ?? -1) ? b : a;
}

// The moves that bring a follower's player (state `cur`, `total` hops) to the teacher's position `p`:
// a list of [method, argument] for the player. `resync` is true when a playing follower may jump once.
export function followMoves(cur, p, total, resync = true) {
  const moves = [];
  if (!p) return moves;
  if (p.speed && cur.speed !== p.speed) moves.push(['setSpeed', p.speed]);
  if (p.playing) {
    if (p.hop >= total) {
      if (cur.k !== total || cur.playing) moves.push(['toEnd']);
    } else if (!cur.playing) {
      moves.push(['seek', p.t], ['play']);     // from the teacher's time (a seek also leaves "done")
    } else if (resync && Math.abs(cur.k - p.hop) > FAR_HOPS) {
      moves.push(['seek', p.t], ['play']);
    }
    return moves;
  }
  if (cur.playing) moves.push(['pause']);
  if (p.hop >= total && total > 0) {
    if (cur.k !== total || !cur.done) moves.push(['toEnd']);
  } else if (cur.k !== p.hop) {
    moves.push(p.hop <= 0 ? ['toStart'] : ['goTo', p.hop]);
  }
  return moves;
}

// The delay before the next poll: the normal pace, longer in a hidden tab, doubling after each failure.
export function pollDelay(every, failures, hidden) {
  const base = hidden ? Math.max(every, HIDDEN_POLL_MS) : every;
  return failures > 0 ? Math.min(MAX_BACKOFF_MS, base * 2 ** Math.min(failures, 6)) : base;
}

function apply(player, moves) {
  for (const [name, arg] of moves) player[name](arg);
}

// `/_sps/live/{code}` under the site's base path, or null: no scheme, no host, no '//' (another origin), no '..'.
export function sameOriginRoute(url) {
  return typeof url === 'string' && /^(\/[A-Za-z0-9_-]+)*\/_sps\/live\/[A-Za-z0-9-]+$/.test(url) ? url : null;
}

// The link between one player and the site. `env` gives fetch, timers, the window (events) and the clock,
// so the node tests can run it without a browser. `onMode(mode)` hears 'direct' (the route answers),
// 'fallback' (Streamlit carries it), 'away' (a student exploring alone), 'ended'.
export function createLiveLink(player, config, env = {}) {
  const fetcher = env.fetch || ((...a) => fetch(...a));
  const win = env.window || (typeof window !== 'undefined' ? window : null);
  const now = env.now || (() => Date.now());
  const later = env.setTimeout || ((fn, ms) => setTimeout(fn, ms));
  const cancel = env.clearTimeout || ((id) => clearTimeout(id));
  const hidden = env.hidden || (() => typeof document !== 'undefined' && document.hidden);
  const onMode = env.onMode || (() => {});
  const channel = config.channel || 'live';
  const every = Math.max(100, Math.min(5000, Number(config.every_ms) || POLL_MS));
  // Only this site's own position route, as a path on this origin: a URL from anywhere else is never fetched.
  const url = sameOriginRoute(config.url);
  let disposed = false;
  let mode = '';
  const setMode = (m) => { if (m !== mode) { mode = m; onMode(m); } };
  const out = (detail) => win && win.dispatchEvent(new win.CustomEvent('sps-live-out', { detail: { channel, ...detail } }));
  const timed = (opts) => {
    if (typeof AbortController === 'undefined') return { opts, done: () => {} };
    const ctrl = new AbortController();
    const id = later(() => ctrl.abort(), TIMEOUT_MS);
    return { opts: { ...opts, signal: ctrl.signal }, done: () => cancel(id) };
  };
  const cleanups = [];

  // --- the teacher: report -----------------------------------------------------------------------------
  const appliedSeeks = new Set();
  const seek = (s) => {
    if (!s || s.id === undefined || appliedSeeks.has(s.id)) return;
    appliedSeeks.add(s.id);
    if (s.speed) player.setSpeed(s.speed);
    const hop = Math.max(0, Number(s.hop) || 0);
    if (hop >= player.total && player.total > 0) player.toEnd();
    else if (hop === 0) player.toStart();
    else player.goTo(hop);
  };

  if (config.role === 'teach') {
    let last = null;          // {pos, at}: the last position handed to a channel
    let inFlight = false;
    let direct = !!url;       // false once the route refuses this page (not signed in by the cookie)
    let failures = 0;
    let retryAt = 0;
    let retry = false;        // a position the route did not take (time-out, 5xx): sent again after the back-off
    let timer = 0;
    const post = (pos) => {
      inFlight = true;
      const { opts, done } = timed({
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(pos),
      });
      fetcher(url, opts).then((resp) => {
        done();
        inFlight = false;
        if (disposed) return;
        if (resp.ok) { failures = 0; setMode('direct'); tick(); return; }
        if (resp.status === 410 || resp.status === 404) { direct = false; setMode('ended'); return; }
        if (resp.status === 401 || resp.status === 403 || resp.status === 400 || resp.status === 413) direct = false;
        else { failures += 1; retry = true; retryAt = now() + pollDelay(every, failures, false); }
        out({ report: pos });
        setMode('fallback');
        schedule();
      }, () => {
        done();
        inFlight = false;
        if (disposed) return;
        failures += 1;
        retry = true;
        retryAt = now() + pollDelay(every, failures, false);
        out({ report: pos });
        setMode('fallback');
        schedule();
      });
    };
    const tick = () => {
      if (disposed || mode === 'ended') return;
      const pos = positionOf(player.getSnapshot(), player.end);
      const t = now();
      if (retry && direct && t >= retryAt && !inFlight) {
        retry = false;                         // the route again, with the position as it is now
        last = { pos, at: t };
        post(pos);
        return;
      }
      if (!shouldReport(last, pos, t, direct)) return;
      if (direct && t >= retryAt) {
        if (inFlight) return;                  // sent when the request in flight comes back
        last = { pos, at: t };
        post(pos);
      } else {
        last = { pos, at: t };
        out({ report: pos });                  // the Streamlit path
        if (!direct) setMode('fallback');
      }
    };
    const schedule = () => {
      cancel(timer);
      timer = later(function beat() { if (disposed) return; tick(); timer = later(beat, 500); }, 500);
    };
    seek(config.seek);                         // a resumed tab goes back to the stored position first
    cleanups.push(player.subscribe(tick));
    schedule();
    cleanups.push(() => cancel(timer));
    tick();
    return {
      seek, update() {},
      dispose() { disposed = true; cleanups.forEach((fn) => fn()); },
    };
  }

  // --- a student: follow ---------------------------------------------------------------------------------
  let fromRoute = null;        // the newest position the route gave
  let fromPage = null;         // the newest the page (Streamlit) gave
  let relay = { following: true, epoch: 0, ended: false };
  let away = false;
  let awayEpoch = 0;
  let stopped = !url;          // the route said the session is gone (or there is none): the page's path only
  let failures = 0;
  let timer = 0;
  let resynced = null;
  const following = () => !away && relay.following !== false && !relay.ended;
  const follow = () => {
    if (disposed || !following()) return;
    const p = newest(fromRoute, fromPage);
    if (!p) return;
    const moves = followMoves(player.getSnapshot(), p, player.total, resynced !== p.seq);
    if (moves.some(([m]) => m === 'seek') && p.playing) resynced = p.seq;
    apply(player, moves);
  };
  const poll = () => {
    timer = 0;
    if (disposed || stopped || !following()) return;
    const { opts, done } = timed({ credentials: 'same-origin', cache: 'no-store' });
    fetcher(url, opts).then(async (resp) => {
      done();
      if (disposed) return;
      if (resp.status === 410 || resp.status === 404) {
        stopped = true;
        if (resp.status === 410) setMode('ended');
        return;
      }
      if (!resp.ok) throw new Error(String(resp.status));
      const doc = await resp.json();
      failures = 0;
      fromRoute = newest(fromRoute, doc);
      if (!away) setMode('direct');
      follow();
      wait();
    }).catch(() => {
      done();
      if (disposed || stopped) return;
      failures += 1;
      if (!away) setMode('fallback');
      wait();
    });
  };
  const wait = () => {
    if (disposed || stopped || timer) return;
    timer = later(poll, pollDelay(every, failures, hidden()));
  };
  const onIn = (event) => {
    const d = event.detail || {};
    if (d.channel !== channel) return;
    const was = following();
    relay = { following: d.following !== false, epoch: Number(d.epoch) || 0, ended: !!d.ended };
    if (away && relay.epoch > awayEpoch) { away = false; resynced = null; }
    if (d.position) fromPage = newest(fromPage, d.position);
    if (relay.ended) setMode('ended');
    else if (!away && stopped) setMode('fallback');
    if (following()) {
      follow();
      if (!was && !timer) poll();              // rejoined: ask at once
    }
  };
  const touched = () => {
    if (!following()) return;
    away = true;
    awayEpoch = relay.epoch;
    setMode('away');
    out({ away: { epoch: awayEpoch, at: now() } });
  };
  if (win) {
    win.addEventListener('sps-live-in', onIn);
    cleanups.push(() => win.removeEventListener('sps-live-in', onIn));
    const pending = win.__spsLiveIn && win.__spsLiveIn[channel];
    if (pending) onIn({ detail: pending });    // the bridge spoke before this canvas listened
  }
  cleanups.push(player.onTouch(touched));
  cleanups.push(() => { cancel(timer); timer = 0; });
  if (!stopped) poll();
  return {
    seek() {},
    dispose() { disposed = true; cleanups.forEach((fn) => fn()); },
  };
}
