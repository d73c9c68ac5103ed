"""The live bridge: a tiny Components v2 element (inline JS, no bundle) beside the canvas on the live page, the
Streamlit path of a live lesson. The canvas itself (frontend/src/live.js, `data.live`) reports the teacher's
position to the site's position route and follows it on a student's screen by fetch, without a rerun; this
element carries what only Python knows, and what the route could not take, by window events on one channel:

- `report` (teacher): a position the canvas could not POST (the route refused this page, e.g. a sign-in by an
  identity provider rather than the site's cookie, or the database is away) arrives as `sps-live-out`
  {report}; it goes to Python as the trigger value `pos`, which the page writes to the store.
- `follow` (student): the position the page last read from the store, whether this student follows and the
  "Rejoin the teacher" epoch go to the canvas as `sps-live-in`; a student who works the canvas's playback
  controls is "away" (the canvas says so as `sps-live-out` {away}), sent to Python as the trigger `away`.
  The canvas takes whichever position is newest by the store's sequence number, the route's or this one.
"""
from __future__ import annotations

from functools import lru_cache

import streamlit as st

NAME = "serverless_pattern_studio.live_bridge"
CHANNEL = "live"

JS = r"""
const S = new WeakMap();

export default function render({ data, parentElement, setTriggerValue }) {
  const d = data || {};
  const channel = d.channel || 'live';
  let st = S.get(parentElement);
  if (!st) {
    st = { n: 0 };
    st.onOut = (event) => {
      const x = event.detail || {};
      if (x.channel !== channel || !parentElement.isConnected) return;   // a bridge no longer on the page
      if (st.mode === 'report' && x.report) {
        st.n += 1;
        st.setTrigger('pos', { ...x.report, n: st.n, at: Date.now() });
      } else if (st.mode === 'follow' && x.away) {
        st.setTrigger('away', x.away);
      }
    };
    window.addEventListener('sps-live-out', st.onOut);
    S.set(parentElement, st);
  }
  st.mode = d.mode;
  st.setTrigger = setTriggerValue;
  if (d.mode === 'follow') {
    const detail = { channel, position: d.position || null, following: !!d.follow, epoch: d.epoch || 0,
                     ended: !!d.ended };
    window.__spsLiveIn = window.__spsLiveIn || {};
    window.__spsLiveIn[channel] = detail;          // for a canvas that starts listening later
    window.dispatchEvent(new CustomEvent('sps-live-in', { detail }));
  }
}
"""


@lru_cache(maxsize=1)
def _component():
    return st.components.v2.component(NAME, html="", css=".sps-live-bridge{display:none}", js=JS)


def report(key: str, on_pos):
    """The teacher's bridge: `on_pos(value)` gets {hop, t, playing, speed, n, at} for each position the canvas
    could not send to the route itself."""
    def _changed() -> None:
        value = (st.session_state.get(key) or {}).get("pos")
        if value is not None:
            on_pos(value)
    return _component()(key=key, data={"mode": "report", "channel": CHANNEL}, on_pos_change=_changed, height=0)


def follow(key: str, position: dict | None, *, following: bool, epoch: int, ended: bool, on_away):
    """A student's bridge: tells the canvas the store's `position` ({hop, t, playing, speed, seq}), whether this
    student follows, the rejoin `epoch` and whether the lesson has ended; `on_away(value)` hears a student who
    stepped away."""
    def _changed() -> None:
        value = (st.session_state.get(key) or {}).get("away")
        if value is not None:
            on_away(value)
    data = {"mode": "follow", "channel": CHANNEL, "position": position, "follow": bool(following),
            "epoch": int(epoch), "ended": bool(ended)}
    return _component()(key=key, data=data, on_away_change=_changed, height=0)
