// What the playback's shapes mean: every token and mark has its own shape and a word, not just a colour.
import { K } from './playback.js';
import { Token } from './TokenLayer.jsx';

const TOKENS = [
  [{ kind: K.move, copy: 0, attempt: 1 }, 'event', 'an event travelling (first attempt)'],
  [{ kind: K.move, copy: 1, attempt: 1 }, 'duplicate copy', 'double disc labelled “2× copy”: an extra copy of a delivery'],
  [{ kind: K.move, copy: 0, attempt: 2 }, 'retry', 'hollow disc labelled “↻2”: attempt 2 of the same message'],
  [{ kind: K.dlq, copy: 0, attempt: 1 }, 'to the DLQ', 'square labelled “DLQ”: moved to a dead-letter queue'],
  [{ kind: K.answer, copy: 0, attempt: 1 }, 'reply', 'diamond: an answer going back to the caller'],
];
const MARKS = [
  ['✖ failed', 'an attempt failed here; the service keeps a thick outline and “✖ failed”'],
  ['⊘ dropped', 'given up with nowhere to go: lost (the narration says why)'],
  ['↻ again', 'visible again in its queue for another attempt'],
  ['429 refused', 'throttled or refused'],
  ['▽ filtered', 'no rule or filter policy wanted it (not lost)'],
  ['= repeat', 'recognised as a repeat and skipped (idempotent)'],
  ['✓ processed', 'processed successfully (a side effect happened)'],
  ['P parked', 'resting in a dead-letter queue nothing consumes (not lost, not in flight)'],
  ['… in flight', 'still queued or running when the run ended'],
];

export function Legend() {
  return (
    <details className="sps-legend" open>
      <summary>Legend</summary>
      <ul>
        {TOKENS.map(([props, short, long]) => (
          <li key={short} title={long}>
            <svg width="30" height="26" viewBox="-15 -13 30 26" aria-hidden="true"><Token {...props} bare /></svg>
            <span>{short}</span>
          </li>
        ))}
        {MARKS.map(([sign, words]) => (
          <li key={sign} title={words}><b className="sps-legend-sign">{sign}</b><span className="sps-legend-words">{words}</span></li>
        ))}
      </ul>
    </details>
  );
}
