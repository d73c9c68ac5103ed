"""The live bridge: a tiny Components v2 element (inline JS, no bundle) beside the canvas on the live page.

- `report` (teacher): watches the canvas's playback (hop counter, play/pause, speed, simulated time) and
  sends each change as the trigger value `pos`, which the page writes to the store. While playing, at most
  one report a second; every pause, step and speed change at once. A `seek` command ({"id", "hop"}) drives the
  teacher's canvas to a hop (revealing an answer plays it).
- `follow` (student): drives the canvas to the position it is given (steps, seeks, plays and pauses at the
  teacher's speed) and keeps it there. A trusted click, key or drag on the canvas's playback controls means
  the student stepped away: it stops following and sends the trigger `away`; following resumes when the page
  sends a higher `epoch` ("Rejoin the teacher").

The canvas (ui.canvas, frontend/) has no input for an outside position and reports none, so the bridge reads
and presses the canvas's own controls (`[data-testid=clock|play|step-forward|step-back|to-end|scrubber]`
and the speed select) inside its open shadow root. When the canvas grows a position input/output (asked of
its owners), only this file changes.
"""
from __future__ import annotations

from functools import lru_cache

import streamlit as st

NAME = "serverless_pattern_studio.live_bridge"

JS = r"""
const S = new WeakMap();
const PRESENTER_KEYS = new Set(['ArrowRight', 'ArrowLeft', 'PageDown', 'PageUp', ' ', 'Home', 'End']);

function findCanvas() {
  for (const el of document.querySelectorAll('*')) {
    const root = el.shadowRoot;
    if (root && root.querySelector('[data-testid=clock]')) return root;
  }
  return null;
}

function read(root) {
  const clock = root.querySelector('[data-testid=clock]');
  const play = root.querySelector('[data-testid=play]');
  const speed = root.querySelector('.sps-speed select');
  const scrub = root.querySelector('[data-testid=scrubber]');
  if (!clock || !play) return null;
  const m = /hop ([\d,]+) of ([\d,]+)/.exec(clock.textContent || '');
  if (!m) return null;
  return {
    k: parseInt(m[1].replace(/,/g, ''), 10), total: parseInt(m[2].replace(/,/g, ''), 10),
    playing: play.getAttribute('aria-label') === 'Pause', speed: speed ? Number(speed.value) : 1,
    t: scrub ? Number(scrub.value) : 0,
  };
}

let ACTIONS = 0;
function press(root, id, times = 1) {
  const b = root.querySelector(`[data-testid=${id}]`);
  if (!b) return;
  for (let i = 0; i < times; i++) b.click();
  ACTIONS += 1;
}

function setSpeed(root, speed) {
  const sel = root.querySelector('.sps-speed select');
  if (!sel || Number(sel.value) === Number(speed)) return;
  const opt = Array.from(sel.options).find((o) => Number(o.value) === Number(speed));
  if (!opt) return;
  sel.value = opt.value;
  sel.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  ACTIONS += 1;
}

function seek(root, t) {
  const scrub = root.querySelector('[data-testid=scrubber]');
  if (!scrub) return;
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  setter.call(scrub, String(t));
  scrub.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  scrub.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  ACTIONS += 1;
}

// One step towards a paused position; returns true when there.
function driveTo(st, root, cur, k, t) {
  if (cur.playing) { press(root, 'play'); return false; }
  if (cur.k === k) { st.seeked = false; return true; }
  if (k >= cur.total && cur.total > 0) { press(root, 'to-end'); return false; }
  const diff = k - cur.k;
  if (Math.abs(diff) > 25 && !st.seeked) { seek(root, t); st.seeked = true; return false; }
  press(root, diff > 0 ? 'step-forward' : 'step-back', Math.min(Math.abs(diff), 400));
  st.seeked = false;
  return false;
}

function watchAway(st, root) {
  if (st.watched === root) return;
  st.watched = root;
  const away = (event) => {
    if (!event.isTrusted || st.mode !== 'follow' || st.away) return;
    const path = event.composedPath ? event.composedPath() : [];
    if (!path.some((n) => n.classList && (n.classList.contains('sps-controls')
        || n.classList.contains('sps-playback-controls')))) return;
    st.away = true;
    st.awayEpoch = st.data.epoch || 0;
    st.setTrigger('away', { epoch: st.awayEpoch, at: Date.now() });
  };
  for (const type of ['pointerdown', 'keydown', 'input']) root.addEventListener(type, away, true);
  st.onKey = (event) => {
    if (!event.isTrusted || st.mode !== 'follow' || st.away || !PRESENTER_KEYS.has(event.key)) return;
    const target = (event.composedPath && event.composedPath()[0]) || event.target;
    if (target && (target.closest && target.closest('input, textarea, select, [contenteditable]'))) return;
    if (!st.data.presenter) return;
    st.away = true;
    st.awayEpoch = st.data.epoch || 0;
    st.setTrigger('away', { epoch: st.awayEpoch, at: Date.now() });
  };
  document.addEventListener('keydown', st.onKey, true);
}

function tick(st) {
  if (!st.host.isConnected) { clearInterval(st.timer); if (st.onKey) document.removeEventListener('keydown', st.onKey, true); return; }
  if (!st.root || !st.root.host || !st.root.host.isConnected || !st.root.querySelector('[data-testid=clock]')) {
    st.root = findCanvas();
    if (!st.root) return;
  }
  const root = st.root;
  const cur = read(root);
  if (!cur) return;
  // After pressing something, wait until the canvas shows its effect (React renders after the click), or
  // 400 ms: acting on a stale counter would step twice or toggle play back.
  if (st.acted) {
    const a = st.acted;
    if (cur.k === a.k && cur.playing === a.playing && cur.speed === a.speed && Date.now() - a.at < 400) return;
    st.acted = null;
  }
  const before = { k: cur.k, playing: cur.playing, speed: cur.speed, at: Date.now() };
  const n = ACTIONS;
  try { act(st, root, cur); } finally { if (ACTIONS !== n) st.acted = before; }
}

function act(st, root, cur) {
  const d = st.data;
  st.status.textContent = '';
  if (d.mode === 'report') {
    if (d.seek && d.seek.id !== st.seekDone) {
      if (st.seekId !== d.seek.id) { st.seekId = d.seek.id; st.seekFrom = Date.now(); }
      if (Date.now() - st.seekFrom > 8000) { st.seekDone = d.seek.id; return; }   // never block the reports
      if (d.seek.speed && cur.speed !== d.seek.speed && !st.speedTried) {
        st.speedTried = true; setSpeed(root, d.seek.speed); return;
      }
      if (driveTo(st, root, cur, d.seek.hop, d.seek.t || 0)) { st.seekDone = d.seek.id; st.speedTried = false; }
      return;
    }
    const last = st.sent;
    const now = Date.now();
    const changed = !last || last.k !== cur.k || last.playing !== cur.playing || last.speed !== cur.speed;
    if (!changed) return;
    const onlyMoving = last && cur.playing && last.playing && last.speed === cur.speed;
    if (onlyMoving && now - st.sentAt < 1000) return;
    st.sent = cur; st.sentAt = now; st.n += 1;
    st.setTrigger('pos', { hop: cur.k, t: cur.t, playing: cur.playing, speed: cur.speed, n: st.n, at: now });
    return;
  }
  // follow
  watchAway(st, root);
  if (st.away && (d.epoch || 0) > st.awayEpoch) st.away = false;
  if (st.away || !d.follow || !d.position) return;
  const p = d.position;
  if (cur.speed !== p.speed) setSpeed(root, p.speed);
  if (p.playing) {
    const far = Math.abs(cur.k - p.hop) > 10 && st.resynced !== p.seq;
    if (far) { st.resynced = p.seq; seek(root, p.t); return; }
    if (!cur.playing && cur.k < cur.total) press(root, 'play');
    return;
  }
  driveTo(st, root, cur, p.hop, p.t);
}

export default function render({ data, parentElement, setTriggerValue }) {
  let st = S.get(parentElement);
  if (!st) {
    const status = document.createElement('span');
    status.className = 'sps-live-bridge';
    parentElement.appendChild(status);
    st = { host: parentElement, status, root: null, sent: null, sentAt: 0, n: 0, away: false, awayEpoch: 0,
           seekDone: null, seeked: false, resynced: null };
    S.set(parentElement, st);
    st.timer = setInterval(() => tick(st), 50);
  }
  st.data = data || {};
  st.mode = st.data.mode;
  st.setTrigger = setTriggerValue;
  tick(st);
}
"""


@lru_cache(maxsize=1)
def _component():
    return st.components.v2.component(NAME, html="", css=".sps-live-bridge{display:none}", js=JS)


def report(key: str, on_pos, seek: dict | None = None):
    """The teacher's bridge: `on_pos(value)` gets {hop, t, playing, speed, n, at} on each change."""
    def _changed() -> None:
        value = (st.session_state.get(key) or {}).get("pos")
        if value is not None:
            on_pos(value)
    return _component()(key=key, data={"mode": "report", "seek": seek}, on_pos_change=_changed, height=0)


def follow(key: str, position: dict | None, *, following: bool, epoch: int, presenter: bool, on_away):
    """A student's bridge: keeps the canvas at `position` ({hop, t, playing, speed, seq}) while following."""
    def _changed() -> None:
        value = (st.session_state.get(key) or {}).get("away")
        if value is not None:
            on_away(value)
    data = {"mode": "follow", "position": position, "follow": bool(following), "epoch": int(epoch),
            "presenter": bool(presenter)}
    return _component()(key=key, data=data, on_away_change=_changed, height=0)
