// Tokens riding the edges during playback, and short-lived marks at nodes (failure, drop, throttle ...).
// Drawn in flow coordinates inside React Flow's viewport. With prefers-reduced-motion a token does not
// move: it is shown still at the middle of its edge while its hop is current (step-wise positions).
import { useContext } from 'react';
import { useNodes, ViewportPortal } from '@xyflow/react';
import { centreLine, edgeCurve, pointAt } from './geometry.js';
import { DesignContext, PlayerContext, SideContext, usePlayerState } from './context.js';
import { flashesShown, K, KINDS, tokensShown, TRAVEL_WALL } from './playback.js';
import { reducedMotion } from './player.js';

export function Token({ kind, copy, attempt, bare }) {
  if (kind === K.dlq) {
    return (
      <g>
        <rect x={-9} y={-9} width={18} height={18} className="sps-tok sps-tok-dlq" />
        {!bare && <text y={-13} className="sps-tok-text" textAnchor="middle">DLQ</text>}
      </g>
    );
  }
  if (kind === K.answer) {
    return (
      <g>
        <polygon points="0,-7 7,0 0,7 -7,0" className="sps-tok sps-tok-answer" />
        {!bare && <text y={-11} className="sps-tok-text" textAnchor="middle">reply</text>}
      </g>
    );
  }
  return (
    <g>
      {copy ? <circle cx={5} cy={-4} r={7} className="sps-tok sps-tok-copy" /> : null}
      <circle r={7} className={`sps-tok ${attempt > 1 ? 'sps-tok-retry' : 'sps-tok-move'}`} />
      {copy && !bare ? <text y={-13} className="sps-tok-text" textAnchor="middle">2× copy</text> : null}
      {attempt > 1 && !bare ? <text y={copy ? 20 : -12} className="sps-tok-text" textAnchor="middle">{`↻${attempt}`}</text> : null}
    </g>
  );
}

const FLASH = {
  [K.ok]: ['✓', 'ok'], [K.fail]: ['✖ failed', 'fail'], [K.retry]: ['↻ again', 'retry'], [K.drop]: ['⊘ dropped', 'drop'],
  [K.throttle]: ['429 refused', 'throttle'], [K.filter]: ['▽ filtered', 'filter'], [K.dedup]: ['= repeat', 'dedup'],
};

export function TokenLayer() {
  const player = useContext(PlayerContext);
  const side = useContext(SideContext);
  const design = useContext(DesignContext);
  const state = usePlayerState();
  const nodes = useNodes();
  if (!player || !state || !player.sides[side]) return null;
  const pos = new Map(nodes.map((n) => [n.id, n.position]));
  const at = (index) => pos.get(design.nodes[index]?.id);
  const travel = TRAVEL_WALL * state.speed;
  const still = reducedMotion();
  const { hops, times } = player.sides[side];
  const tokens = tokensShown(hops, times, state, side, travel);
  const flashes = flashesShown(hops, times, state, side, travel);
  return (
    <ViewportPortal>
      <svg className="sps-token-layer" aria-hidden="true">
        {tokens.map(({ i, f }) => {
          const [, edge, src, dst, kind, attempt, copy] = hops[i];
          const a = at(src);
          const b = at(dst);
          if (!a || !b) return null;
          const e = edge >= 0 ? design.edges[edge] : null;
          const curve = e && pos.get(e.source) && pos.get(e.target)
            ? edgeCurve(pos.get(e.source), pos.get(e.target), e.lane || 0) : centreLine(a, b);
          const frac = still ? 0.5 : (kind === K.answer ? 1 - f : f);
          const [x, y] = pointAt(curve, frac);
          return (
            <g key={i} className={`sps-token sps-token-${KINDS[kind]}`} data-hop={i}
               transform={`translate(${x.toFixed(1)} ${y.toFixed(1)})`}>
              <Token kind={kind} copy={copy} attempt={attempt} />
            </g>
          );
        })}
        {flashes.map(({ i, age }) => {
          const hop = hops[i];
          const p = at(hop[3]);
          const look = FLASH[hop[4]];
          if (!p || !look) return null;
          return (
            <g key={`f${i}`} className={`sps-flash sps-flash-${look[1]}`} data-hop={i}
               transform={`translate(${p.x + 6} ${p.y - 6})`} opacity={still ? 1 : Math.max(0.35, 1 - age)}>
              <text textAnchor="start">{look[0]}</text>
            </g>
          );
        })}
      </svg>
    </ViewportPortal>
  );
}
