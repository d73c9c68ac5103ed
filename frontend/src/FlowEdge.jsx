// A connection: the shared Bézier (tokens ride the same curve), a dash pattern per kind, and the kind in
// words on the edge (DLQ, async, rule ...), so meaning never rests on colour.
import { memo } from 'react';
import { BaseEdge, useInternalNode } from '@xyflow/react';
import { edgeCurve, pathOf, pointAt } from './geometry.js';

const DASH = { failure: '8 5', dotted: '2 5', side: '8 5' };

function FlowEdgeImpl({ id, source, target, data, markerEnd, selected }) {
  const s = useInternalNode(source);
  const t = useInternalNode(target);
  if (!s || !t) return null;
  const c = edgeCurve(s.internals.positionAbsolute, t.internals.positionAbsolute, data.lane || 0);
  const [lx, ly] = pointAt(c, 0.5);
  const findings = data.findings || [];
  const style = {
    stroke: data.style === 'failure' ? '#b71c1c' : selected ? '#0d47a1' : '#455a64',
    strokeWidth: selected ? 3.5 : data.style === 'async' ? 3 : 2,
    strokeDasharray: DASH[data.style],
  };
  const words = data.label + (findings.length ? ` ⚠ ${findings.length}` : '');
  return (
    <g className={`sps-edge sps-edge-${data.style}`} data-testid={`edge-${id}`}>
      <BaseEdge id={id} path={pathOf(c)} markerEnd={markerEnd} style={style} interactionWidth={16} />
      {words && (
        <text x={lx} y={ly - 6} className="sps-edge-label" textAnchor="middle">
          {words}
          <title>{findings.map((f) => `${f.id}: ${f.message}`).join('\n') || data.kind}</title>
        </text>
      )}
    </g>
  );
}

export const FlowEdge = memo(FlowEdgeImpl);
