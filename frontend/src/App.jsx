// The studio: palette, canvas (React Flow), toolbar, playback. Python is the source of truth: every edit is
// sent as a trigger value and the design shown is always the one Python answered with.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  applyEdgeChanges, applyNodeChanges, Background, Controls, MarkerType, MiniMap, ReactFlow,
  ReactFlowProvider, useNodesInitialized, useReactFlow,
} from '@xyflow/react';
import { FlowEdge } from './FlowEdge.jsx';
import { ServiceNode } from './ServiceNode.jsx';
import { TokenLayer } from './TokenLayer.jsx';
import { PlaybackBar } from './PlaybackBar.jsx';
import { DRAG_TYPE, Palette } from './Palette.jsx';
import { Message, Toolbar } from './Toolbar.jsx';
import { DesignContext, PlayerContext } from './context.js';
import { NODE_H, NODE_W } from './geometry.js';
import { createPlayer, reducedMotion } from './player.js';

const nodeTypes = { service: ServiceNode };
const edgeTypes = { flow: FlowEdge };
const same = (a, b) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

// React Flow keeps a node's measurements while it gets the same object: objects that did not change between
// two answers from Python are reused, so a rerun does not make edges blink while nodes are measured again.
function reuse(cache, id, sig, make) {
  const hit = cache.get(id);
  if (hit && hit.sig === sig) return hit.obj;
  const obj = make();
  cache.set(id, { sig, obj });
  return obj;
}

function toFlow(design, selected, cache) {
  const sn = new Set(selected.nodes);
  const se = new Set(selected.edges);
  const lanes = new Map();
  const nodes = design.nodes.map((n) => reuse(cache.nodes, n.id, JSON.stringify(n) + sn.has(n.id), () => ({
    id: n.id, type: 'service', position: { x: n.x, y: n.y }, data: n, selected: sn.has(n.id),
    width: NODE_W, height: NODE_H,
  })));
  const edges = design.edges.map((e) => {
    const pair = `${e.source}\u0000${e.target}`;
    const lane = lanes.get(pair) || 0;
    lanes.set(pair, lane + 1);
    return reuse(cache.edges, e.id, JSON.stringify(e) + lane + se.has(e.id), () => ({
      id: e.id, source: e.source, target: e.target, type: 'flow', data: { ...e, lane }, selected: se.has(e.id),
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: e.style === 'failure' ? '#b71c1c' : '#455a64' },
    }));
  });
  for (const [map, list] of [[cache.nodes, nodes], [cache.edges, edges]]) {
    const live = new Set(list.map((x) => x.id));
    for (const id of [...map.keys()]) if (!live.has(id)) map.delete(id);
  }
  return { nodes, edges };
}

function Studio({ data, send }) {
  const rf = useReactFlow();
  const wrapper = useRef(null);
  const dragging = useRef(false);
  const selectTimer = useRef(0);
  const [nodes, setNodes] = useState([]);
  const [edges, setEdges] = useState([]);
  const [closed, setClosed] = useState(-1);
  const editable = !!data.editable;
  const selected = data.selected || { nodes: [], edges: [] };
  const cache = useRef({ nodes: new Map(), edges: new Map() });
  const flow = useMemo(() => toFlow(data.design, selected, cache.current), [data]);
  const lookups = useMemo(() => ({ nodes: flow.nodes.map((n) => n.data), edges: flow.edges.map((e) => e.data) }), [flow]);

  useEffect(() => {
    if (!dragging.current) {
      setNodes(flow.nodes);
      setEdges(flow.edges);
    }
  }, [flow]);

  // Fit the view once the nodes Python sent are on the canvas: at first, and whenever Python asks
  // (a pattern arrived, a layout ran, a design was opened).
  const fit = useCallback(() => rf.fitView({ padding: 0.12, maxZoom: 1.2, duration: reducedMotion() ? 0 : 250 }), [rf]);
  const initialised = useNodesInitialized();
  const pendingFit = useRef(0);
  const fittedFor = useRef(-1);
  useEffect(() => { pendingFit.current = data.fit || 0; }, [data.fit]);
  useEffect(() => {
    if (initialised && nodes.length && fittedFor.current !== pendingFit.current) {
      fittedFor.current = pendingFit.current;
      const id = setTimeout(fit, 80);   // after React Flow has taken the new nodes into its store
      return () => clearTimeout(id);
    }
    return undefined;
  }, [initialised, nodes, fit]);

  const player = useMemo(
    () => (data.playback ? createPlayer(data.playback, data.design.nodes.length, !!data.presenter) : null),
    [data.playback && data.playback.id, data.presenter],
  );
  useEffect(() => () => player && player.dispose(), [player]);

  const onOp = useCallback((op) => {
    if (op.op === 'delete-selected') {
      send({ op: 'delete', nodes: nodes.filter((n) => n.selected).map((n) => n.id),
        edges: edges.filter((e) => e.selected).map((e) => e.id) });
    } else {
      send(op);
    }
  }, [nodes, edges, send]);

  const onSelectionChange = useCallback(({ nodes: ns, edges: es }) => {
    const ids = ns.map((n) => n.id);
    const keys = es.map((e) => e.id);
    clearTimeout(selectTimer.current);
    if (same(ids, selected.nodes) && same(keys, selected.edges)) return;
    selectTimer.current = setTimeout(() => send({ op: 'select', nodes: ids, edges: keys }), 150);
  }, [selected, send]);

  const addAt = useCallback((item, point) => {
    const pos = rf.screenToFlowPosition(point);
    const x = Math.round(pos.x - NODE_W / 2);
    const y = Math.round(pos.y - NODE_H / 2);
    if (item.kind === 'type') send({ op: 'add_node', type: item.value, x, y });
    else send({ op: 'add_pattern', pattern: item.value, x, y });
  }, [rf, send]);

  const onDrop = useCallback((event) => {
    event.preventDefault();
    const raw = event.dataTransfer.getData(DRAG_TYPE);
    if (!raw || !editable) return;
    addAt(JSON.parse(raw), { x: event.clientX, y: event.clientY });
  }, [addAt, editable]);

  const onAdd = useCallback((item) => {
    const box = wrapper.current.getBoundingClientRect();
    const jitter = (nodes.length % 6) * 18;
    addAt(item, { x: box.left + box.width / 2 + jitter, y: box.top + box.height / 2 + jitter });
  }, [addAt, nodes.length]);

  const onKeyDown = useCallback((event) => {
    const tag = (event.target && event.target.tagName) || '';
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(tag)) return;
    if (player && data.presenter && !event.ctrlKey && !event.metaKey && !event.altKey) {
      // A presenter's clicker sends PageDown/PageUp (or arrows): one hop at a time.
      const step = { PageDown: 'stepForward', ArrowRight: 'stepForward', PageUp: 'stepBack', ArrowLeft: 'stepBack',
        Home: 'toStart', End: 'toEnd' }[event.key];
      if (step) { event.preventDefault(); player[step](); return; }
    }
    if (!editable || !(event.ctrlKey || event.metaKey)) return;
    const key = event.key.toLowerCase();
    if (key === 'z' || key === 'y') {
      event.preventDefault();
      send({ op: key === 'y' || event.shiftKey ? 'redo' : 'undo' });
    }
  }, [editable, send, player, data.presenter]);

  const selectedCount = nodes.filter((n) => n.selected).length + edges.filter((e) => e.selected).length;
  const message = data.message && data.message.seq !== closed ? data.message : null;
  return (
    <DesignContext.Provider value={lookups}>
      <PlayerContext.Provider value={player}>
        <div className={`sps-studio${editable ? '' : ' sps-readonly'}${data.presenter ? ' sps-presenter' : ''}`}
             onKeyDown={onKeyDown}>
          {editable && data.palette && <Palette palette={data.palette} onAdd={onAdd} />}
          <div className="sps-main">
            <Toolbar editable={editable} history={data.history || {}} selectedCount={selectedCount} onOp={onOp} onFit={fit} />
            <Message message={message} onClose={() => setClosed(data.message.seq)} />
            <div className="sps-canvas" ref={wrapper} style={{ height: data.height || 560 }} data-testid="canvas"
                 onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; }} onDrop={onDrop}>
              <ReactFlow
                nodes={nodes} edges={edges} nodeTypes={nodeTypes} edgeTypes={edgeTypes} fitView minZoom={0.1}
                fitViewOptions={{ padding: 0.12, maxZoom: 1.2 }}
                onNodesChange={(changes) => setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== 'remove'), ns))}
                onEdgesChange={(changes) => setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), es))}
                onNodeDragStart={() => { dragging.current = true; }}
                onNodeDragStop={(_e, _node, dragged) => {
                  dragging.current = false;
                  const positions = Object.fromEntries(dragged.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }]));
                  send({ op: 'move', positions });
                }}
                onConnect={(c) => send({ op: 'connect', source: c.source, target: c.target })}
                onBeforeDelete={async ({ nodes: ns, edges: es }) => {
                  if (editable) send({ op: 'delete', nodes: ns.map((n) => n.id), edges: es.map((e) => e.id) });
                  return false;
                }}
                onSelectionChange={onSelectionChange}
                nodesDraggable={editable} nodesConnectable={editable} elementsSelectable
                deleteKeyCode={editable ? ['Delete', 'Backspace'] : null}
              >
                <Background gap={24} />
                <MiniMap pannable zoomable ariaLabel="Minimap of the whole design" style={{ width: 150, height: 100 }}
                         nodeColor={(n) => n.data.colour} nodeStrokeColor="#37474f" nodeStrokeWidth={3} />
                <Controls showInteractive={false} />
                <TokenLayer />
              </ReactFlow>
            </div>
            {player && <PlaybackBar />}
          </div>
        </div>
      </PlayerContext.Provider>
    </DesignContext.Provider>
  );
}

export function App({ data, send }) {
  return (
    <ReactFlowProvider>
      <Studio data={data} send={send} />
    </ReactFlowProvider>
  );
}
