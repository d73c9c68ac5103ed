// A service on the canvas: outline shape + glyph + colour from the registry (never colour alone), the label
// as text, counters during playback, and lasting marks (failed, dropped, dead-lettered) with words.
import { memo } from 'react';
import { Handle, Position } from '@xyflow/react';
import { NODE_H, NODE_W } from './geometry.js';
import { useNodeCounters } from './context.js';
import { marksOf } from './playback.js';

const W = NODE_W;
const H = NODE_H;
// The cylinder's ellipses are CYL px deep: its top's front edge runs at y = 2 × CYL, so the text of a queue
// starts below it (.sps-shape-cylinder .sps-node-body in canvas.css) and no label line is struck through.
const CYL = 6;
const POLY = {
  house: `0,14 ${W / 2},0 ${W},14 ${W},${H} 0,${H}`,
  invhouse: `0,0 ${W},0 ${W},${H - 14} ${W / 2},${H} 0,${H - 14}`,
  hexagon: `16,0 ${W - 16},0 ${W},${H / 2} ${W - 16},${H} 16,${H} 0,${H / 2}`,
  octagon: `14,0 ${W - 14},0 ${W},14 ${W},${H - 14} ${W - 14},${H} 14,${H} 0,${H - 14} 0,14`,
  cds: `0,0 ${W - 18},0 ${W},${H / 2} ${W - 18},${H} 0,${H}`,
  diamond: `0,${H / 2} 22,0 ${W - 22},0 ${W},${H / 2} ${W - 22},${H} 22,${H}`,
  folder: `0,8 0,0 60,0 68,8 ${W},8 ${W},${H} 0,${H}`,
};

function Outline({ shape, colour, marked }) {
  const common = { fill: colour, stroke: marked ? '#b71c1c' : '#37474f', strokeWidth: marked ? 4 : 2 };
  if (POLY[shape]) {
    const dash = shape === 'diamond' ? { strokeDasharray: '7 4' } : {};
    return <polygon points={POLY[shape]} {...common} {...dash} />;
  }
  if (shape === 'cylinder') {
    return (
      <g>
        <path d={`M0,${CYL} A${W / 2},${CYL} 0 0 1 ${W},${CYL} L${W},${H - CYL} A${W / 2},${CYL} 0 0 1 0,${H - CYL} Z`} {...common} />
        <path d={`M0,${CYL} A${W / 2},${CYL} 0 0 0 ${W},${CYL}`} fill="none" stroke={common.stroke} strokeWidth={1.5} />
      </g>
    );
  }
  if (shape === 'circle') return <rect x={0} y={0} width={W} height={H} rx={H / 2} {...common} />;
  if (shape === 'box3d') {
    return (
      <g>
        <rect x={6} y={0} width={W - 6} height={H - 6} fill="none" stroke={common.stroke} strokeWidth={1.5} />
        <rect x={0} y={6} width={W - 6} height={H - 6} {...common} />
      </g>
    );
  }
  if (shape === 'component') {
    return (
      <g>
        <rect x={8} y={0} width={W - 8} height={H} rx={3} {...common} />
        <rect x={0} y={14} width={16} height={10} fill={colour} stroke={common.stroke} strokeWidth={1.5} />
        <rect x={0} y={H - 24} width={16} height={10} fill={colour} stroke={common.stroke} strokeWidth={1.5} />
      </g>
    );
  }
  return <rect x={0} y={0} width={W} height={H} rx={6} {...common} />;
}

// The words are the results table's (ui/run_view.py METRIC_COLUMNS), so canvas and table speak alike.
const CHIPS = [
  ['in', 'in', 'received'], ['ok', '✓', 'processed'], ['fail', '✖', 'failed'], ['retry', '↻', 'retried'],
  ['dup', '2×', 'duplicate copies in'], ['dlq', 'DLQ', 'dead-lettered'], ['drop', '⊘', 'dropped (lost)'],
  ['throttle', '429', 'throttled or refused'], ['filter', '▽', 'filtered'], ['dedup', '=', 'repeats recognised'],
  ['parked', 'P', 'parked in a DLQ'], ['flight', '…', 'still in flight'],
];

function Counters({ counters }) {
  const shown = CHIPS.filter(([key]) => counters[key]);
  if (!shown.length) return null;
  return (
    <div className="sps-counters" aria-label="counters">
      {shown.map(([key, sign, words]) => (
        <span key={key} className={`sps-chip sps-chip-${key}`} title={`${words}: ${counters[key]}`}>
          {sign} {counters[key]}
        </span>
      ))}
    </div>
  );
}

function ServiceNodeImpl({ data, selected }) {
  const counters = useNodeCounters(data.index);
  const marks = counters ? marksOf(counters) : [];
  const findings = data.findings || [];
  const worst = findings.some((f) => f.severity === 'error') ? 'error' : findings.length ? 'warning' : '';
  return (
    <div className={`sps-node sps-shape-${data.shape || 'box'}${selected ? ' sps-selected' : ''}`} data-testid={`node-${data.id}`}
         data-marks={marks.join(' ')} title={`${data.label} (${data.typeTitle})`}>
      <svg className="sps-outline" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
        <Outline shape={data.shape} colour={data.colour} marked={marks.includes('failed')} />
      </svg>
      <Handle type="target" position={Position.Left} />
      <div className="sps-node-body">
        <span className="sps-glyph" aria-hidden="true">{data.glyph}</span>
        <span className="sps-node-text">
          <span className="sps-label">{data.label}</span>
          <span className="sps-type">{data.typeTitle}</span>
        </span>
      </div>
      {marks.length > 0 && (
        <div className="sps-marks">
          {marks.map((m) => (
            <span key={m} className={`sps-mark sps-mark-${m}`}>
              {m === 'failed' ? '✖ failed' : m === 'dropped' ? '⊘ dropped' : '■ to DLQ'}
            </span>
          ))}
        </div>
      )}
      {worst && (
        <span className={`sps-lint sps-lint-${worst}`} title={findings.map((f) => `${f.id}: ${f.message}`).join('\n')}>
          {worst === 'error' ? '✖' : '⚠'} {findings.length}
        </span>
      )}
      {counters && <Counters counters={counters} />}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export const ServiceNode = memo(ServiceNodeImpl);
