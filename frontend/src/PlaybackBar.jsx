// Playback controls (play/pause, step back/forward, start/end, speed, a scrubber over simulated time) and
// the narration, kept in step with the animation. In presenter mode the current hop is shown in large text.
import { useContext } from 'react';
import { PlayerContext, usePlayerState } from './context.js';
import { formatTime, SPEEDS } from './playback.js';
import { Legend } from './Legend.jsx';

function Narration({ player, state }) {
  const lines = player.payload.narration;
  const current = state.cursor - 1;
  const from = Math.max(0, current - (player.presenter ? 2 : 6));
  const to = Math.min(lines.length, current + (player.presenter ? 1 : 3));
  const rows = [];
  for (let i = from; i < to; i++) rows.push(i);
  return (
    <div className="sps-narration-wrap">
      {player.presenter && (
        <p className="sps-now" data-testid="narration-now" aria-live="polite">
          {current >= 0 ? lines[current] : 'Press “Next hop” to start.'}
        </p>
      )}
      <ol className="sps-narration" data-testid="narration" aria-label="What happened, in order" start={from + 1}>
        {rows.map((i) => (
          <li key={i} className={i === current ? 'sps-current' : i > current ? 'sps-future' : ''}
              aria-current={i === current ? 'step' : undefined}>
            <span className="sps-marker" aria-hidden="true">{i === current ? '▶' : ''}</span>{lines[i]}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function PlaybackBar() {
  const player = useContext(PlayerContext);
  const state = usePlayerState();
  if (!player || !state) return null;
  const { payload } = player;
  const total = player.hops.length;
  const skipped = state.skipped > 0 && state.playing && performance.now() - state.skippedAt < 2000;
  return (
    <section className="sps-playback" aria-label="Playback" data-total={payload.total} data-shown={payload.shown}>
      <div className="sps-controls" role="toolbar" aria-label="Playback controls">
        <button type="button" onClick={() => player.toStart()} aria-label="Back to the start">|◀</button>
        <button type="button" onClick={() => player.stepBack()} aria-label="Previous hop"
                data-testid="step-back">{player.presenter ? '‹ Previous hop' : '‹ Step'}</button>
        <button type="button" className="sps-play" onClick={() => player.toggle()} data-testid="play"
                aria-label={state.playing ? 'Pause' : 'Play'}>{state.playing ? '❚❚ Pause' : '▶ Play'}</button>
        <button type="button" onClick={() => player.stepForward()} aria-label="Next hop"
                data-testid="step-forward">{player.presenter ? 'Next hop ›' : 'Step ›'}</button>
        <button type="button" onClick={() => player.toEnd()} aria-label="To the end" data-testid="to-end">▶|</button>
        <label className="sps-speed">Speed
          <select value={state.speed} onChange={(e) => player.setSpeed(Number(e.target.value))}
                  aria-label="Speed (simulated seconds per second)">
            {SPEEDS.map((s) => <option key={s} value={s}>{`${s}× (${s} sim s per s)`}</option>)}
          </select>
        </label>
        <input type="range" className="sps-scrubber" min={0} max={Math.max(payload.end, 0.001)}
               step={Math.max(payload.end / 1000, 0.001)} value={Math.min(state.t, payload.end)}
               aria-label="Simulated time" aria-valuetext={formatTime(state.t)} data-testid="scrubber"
               onChange={(e) => player.seek(Number(e.target.value))} />
        <span className="sps-clock" data-testid="clock">
          t = {formatTime(Math.min(state.t, payload.end))} · hop {state.cursor.toLocaleString('en-GB')} of {total.toLocaleString('en-GB')}
        </span>
      </div>
      {skipped && <p className="sps-skip" role="status">» skipped {formatTime(state.skipped)} where nothing moved</p>}
      {payload.note && <p className="sps-note">{payload.note}</p>}
      {player.presenter && <p className="sps-note">Keys: → or Page Down = next hop, ← or Page Up = previous, Home / End.</p>}
      <Legend />
      <Narration player={player} state={state} />
    </section>
  );
}
