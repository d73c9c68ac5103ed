// Playback controls (play/pause, step back/forward, start/end, speed, a scrubber over simulated time) and
// the narration, kept in step with the animation. In presenter mode the current hop is shown in large text
// above the canvas, so the canvas and what is happening are on the first screen together. Two runs side by
// side share the controls and the clock; each has its own narration.
import { useContext } from 'react';
import { PlayerContext, usePlayerState } from './context.js';
import { formatTime, SPEEDS } from './playback.js';
import { Legend } from './Legend.jsx';

const count = (n) => n.toLocaleString('en-GB');

function Narration({ run, cursor, presenter, title }) {
  const lines = run.payload.narration;
  const current = cursor - 1;
  const from = Math.max(0, current - (presenter ? 2 : 6));
  const to = Math.min(lines.length, current + (presenter ? 1 : 3));
  const rows = [];
  for (let i = from; i < to; i++) rows.push(i);
  return (
    <div className="sps-narration-wrap">
      {title && <h4 className="sps-narration-title">{title}</h4>}
      <ol className="sps-narration" data-testid="narration" aria-label={`What happened, in order${title ? `: ${title}` : ''}`}
          start={from + 1}>
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

// The line the presenter reads out: the last hop stepped or played (of either side when two share a clock).
function Now({ player, state, titles }) {
  let text = 'Press “Next hop ›” (or → / Page Down) to start.';
  const many = player.sides.length > 1;
  if (state.step >= 0) {
    const line = player.sides[state.stepSide].payload.narration[state.stepHop];
    text = many && titles[state.stepSide] ? `${titles[state.stepSide]}: ${line}` : line;
  } else if (state.k > 0) {
    const parts = player.sides.map((run, s) => (state.cursors[s] > 0
      ? `${many && titles[s] ? `${titles[s]}: ` : ''}${run.payload.narration[state.cursors[s] - 1]}` : null)).filter(Boolean);
    text = parts.join(' · ');
  }
  return <p className="sps-now" data-testid="narration-now" aria-live="polite">{text}</p>;
}

function Clock({ player, state, titles }) {
  const t = formatTime(Math.min(state.t, player.end));
  if (player.sides.length === 1) {
    return (
      <span className="sps-clock" data-testid="clock">
        t = {t} · hop {count(state.cursors[0])} of {count(player.sides[0].hops.length)}
      </span>
    );
  }
  return (
    <span className="sps-clock" data-testid="clock">
      t = {t}
      {player.sides.map((run, s) => (
        <span key={s} className="sps-clock-side" data-testid={`clock-${s}`}>
          {' · '}{titles[s] || `design ${s + 1}`}: hop {count(state.cursors[s])} of {count(run.hops.length)}
        </span>
      ))}
    </span>
  );
}

export function PlaybackControls({ presenter, titles, tools }) {
  const player = useContext(PlayerContext);
  const state = usePlayerState();
  if (!player || !state) return null;
  const skipped = state.skipped > 0 && state.playing && performance.now() - state.skippedAt < 2000;
  const shared = player.sides.length > 1;
  return (
    <div className="sps-playback-controls">
      <div className="sps-controls" role="toolbar" aria-label={shared ? 'Playback controls (both designs, one clock)' : 'Playback controls'}
           id="playback">
        <button type="button" onClick={() => { player.touched(); player.toStart(); }} aria-label="Back to the start">|◀</button>
        <button type="button" onClick={() => { player.touched(); player.stepBack(); }} aria-label="Previous hop"
                data-testid="step-back">{presenter ? '‹ Previous hop' : '‹ Step'}</button>
        <button type="button" className="sps-play" onClick={() => { player.touched(); player.toggle(); }} data-testid="play"
                aria-label={state.playing ? 'Pause' : 'Play'}>{state.playing ? '❚❚ Pause' : '▶ Play'}</button>
        <button type="button" onClick={() => { player.touched(); player.stepForward(); }} aria-label="Next hop"
                data-testid="step-forward">{presenter ? 'Next hop ›' : 'Step ›'}</button>
        <button type="button" onClick={() => { player.touched(); player.toEnd(); }} aria-label="To the end" data-testid="to-end">▶|</button>
        <label className="sps-speed">Speed
          <select value={state.speed} onChange={(e) => { player.touched(); player.setSpeed(Number(e.target.value)); }}
                  aria-label="Speed (simulated seconds per second)">
            {/* presenter: the short form (the select's name says what the unit is), so the row fits at 1280 */}
            {SPEEDS.map((s) => <option key={s} value={s}>{presenter ? `${s}×` : `${s}× (${s} sim s per s)`}</option>)}
          </select>
        </label>
        <input type="range" className="sps-scrubber" min={0} max={Math.max(player.end, 0.001)}
               step={Math.max(player.end / 1000, 0.001)} value={Math.min(state.t, player.end)}
               aria-label="Simulated time" aria-valuetext={formatTime(state.t)} data-testid="scrubber"
               onChange={(e) => { player.touched(); player.seek(Number(e.target.value)); }} />
        <Clock player={player} state={state} titles={titles} />
        {tools}
      </div>
      {skipped && <p className="sps-skip" role="status">» skipped {formatTime(state.skipped)} where nothing moved</p>}
      {presenter && <Now player={player} state={state} titles={titles} />}
    </div>
  );
}

export function PlaybackStory({ presenter, titles }) {
  const player = useContext(PlayerContext);
  const state = usePlayerState();
  if (!player || !state) return null;
  const shared = player.sides.length > 1;
  const notes = player.sides.map((run, s) => (run.payload.note ? `${shared && titles[s] ? `${titles[s]}: ` : ''}${run.payload.note}` : ''))
    .filter(Boolean);
  return (
    <div className="sps-story">
      {notes.map((n) => <p key={n} className="sps-note">{n}</p>)}
      {shared && <p className="sps-note">One clock drives both designs: the same simulated time on both sides.</p>}
      {presenter && <p className="sps-note">Keys (no click needed): → , Page Down or Space = next hop; ← or Page Up = previous; Home / End.</p>}
      <Legend />
      <div className={`sps-narrations sps-narrations-${player.sides.length}`}>
        {player.sides.map((run, s) => (
          <Narration key={s} run={run} cursor={state.cursors[s]} presenter={presenter} title={shared ? titles[s] : null} />
        ))}
      </div>
    </div>
  );
}

export function PlaybackBar({ presenter, titles, part = 'all', tools = null }) {
  const player = useContext(PlayerContext);
  if (!player) return null;
  const first = player.sides[0].payload;
  return (
    <section className={`sps-playback sps-playback-${part}`} aria-label="Playback"
             data-total={first.total} data-shown={first.shown}>
      {part !== 'story' && <PlaybackControls presenter={presenter} titles={titles} tools={tools} />}
      {part !== 'controls' && <PlaybackStory presenter={presenter} titles={titles} />}
    </section>
  );
}
