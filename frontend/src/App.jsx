// The studio: palette, canvas (React Flow), toolbar, playback. Python is the source of truth: every edit is
// sent as a trigger value and the design shown is always the one Python answered with.
//
// `data.sides` (two designs side by side) gives one canvas per design, all driven by one playback clock and
// one set of controls; without it the studio shows `data.design` (and `data.playback`).
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
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
import { DesignContext, PlayerContext, SideContext } from './context.js';
import { NODE_H, NODE_W } from './geometry.js';
import { createPlayer, reducedMotion } from './player.js';
import { fitViewport, inView, panTo, readableZoom } from './viewport.js';
import { TRAVELS, TRAVEL_WALL } from './playback.js';
import { presenterKey, typingInto, undoKey } from './keys.js';
import { createLiveLink } from './live.js';

const nodeTypes = { service: ServiceNode };
const edgeTypes = { flow: FlowEdge };
const same = (a, b) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
const NO_SELECTION = { nodes: [], edges: [] };

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

// The flow-space box around some nodes, with room for the marks above a box and the counters below it.
function boxOf(list) {
  if (!list.length) return null;
  const xs = list.map((n) => n.position.x);
  const ys = list.map((n) => n.position.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys) - 22;
  return { x, y, width: Math.max(...xs) + NODE_W - x, height: Math.max(...ys) + NODE_H + 44 - y };
}

// One design on one React Flow canvas. `api` receives this canvas's fit function.
function FlowCanvas({ side, design, selected, editable, send, height, minZoom, maxZoom, follow, fitSeq, api,
                      label, onSelectedCount, minimap = true }) {
  const rf = useReactFlow();
  const wrapper = useRef(null);
  const dragging = useRef(false);
  const selectTimer = useRef(0);
  const [nodes, setNodes] = useState([]);
  const [edges, setEdges] = useState([]);
  const cache = useRef({ nodes: new Map(), edges: new Map() });
  const flow = useMemo(() => toFlow(design, selected, cache.current), [design, selected]);
  const lookups = useMemo(() => ({ nodes: flow.nodes.map((n) => n.data), edges: flow.edges.map((e) => e.data) }), [flow]);
  const player = useContext(PlayerContext);

  useEffect(() => {
    if (!dragging.current) {
      setNodes(flow.nodes);
      setEdges(flow.edges);
    }
  }, [flow]);

  // Fit at a readable zoom: the whole design when it fits, else its start (see viewport.js).
  const fit = useCallback(() => {
    const el = wrapper.current;
    const list = rf.getNodes();
    const box = boxOf(list);
    if (!el || !box) return;
    const first = list.reduce((a, n) => (n.position.x < a.position.x ? n : a), list[0]);
    const vp = fitViewport(box, el.clientWidth, el.clientHeight, {
      minZoom, maxZoom, start: { x: first.position.x + NODE_W / 2, y: first.position.y + NODE_H / 2 },
    });
    rf.setViewport(vp, { duration: reducedMotion() ? 0 : 250 });
  }, [rf, minZoom, maxZoom]);
  useEffect(() => { if (api) api.current[side] = fit; }, [api, side, fit]);

  // Fit once the nodes Python sent are on the canvas: at first, and whenever Python asks (a pattern arrived,
  // a layout ran, a design was opened). A canvas that starts empty does not fit onto its first block: the
  // block stays where it was dropped, at the zoom the canvas had.
  const initialised = useNodesInitialized();
  const fittedFor = useRef(null);
  useEffect(() => {
    if (fittedFor.current === null && !design.nodes.length) fittedFor.current = fitSeq;
    if (initialised && nodes.length && fittedFor.current !== fitSeq) {
      // After React Flow has taken the new nodes into its store. Marked done only when it has run: a rerun
      // that changes the nodes again within the delay (the selection Python answers with) must not cancel
      // it for good (that was why auto-layout did not refit).
      const id = setTimeout(() => { fittedFor.current = fitSeq; fit(); }, 80);
      return () => clearTimeout(id);
    }
    return undefined;
  }, [initialised, nodes, fit, fitSeq, design.nodes.length]);

  // Refit when the canvas changes size (full screen, a panel folded away, a window resized).
  const size = useRef(null);
  useEffect(() => {
    const el = wrapper.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    let timer = 0;
    const observer = new ResizeObserver(() => {
      const now = `${el.clientWidth}x${el.clientHeight}`;
      if (size.current && size.current !== now) {
        clearTimeout(timer);
        timer = setTimeout(fit, 120);
      }
      size.current = now;
    });
    observer.observe(el);
    return () => { observer.disconnect(); clearTimeout(timer); };
  }, [fit]);

  // Follow the playback: when the current hop's services are out of view (a wide design at a readable
  // zoom), pan to them. Stepping always follows; playing pans at most every 0.8 s.
  useEffect(() => {
    if (!player || !follow) return undefined;
    const run = player.sides[side];
    let lastK = -1;
    let lastPan = 0;
    return player.subscribe(() => {
      const state = player.getSnapshot();
      if (state.k === lastK || state.done) return;
      lastK = state.k;
      let hop = null;
      if (state.step >= 0) {
        hop = state.stepSide === side ? run.hops[state.stepHop] : null;
      } else if (state.playing) {
        for (let i = state.cursors[side] - 1; i >= 0 && i >= state.cursors[side] - 20; i--) {
          if (TRAVELS.has(run.hops[i][4])) { hop = run.hops[i]; break; }
        }
      }
      const now = typeof performance !== 'undefined' ? performance.now() : 0;
      if (!hop || (state.playing && now - lastPan < 800)) return;
      const ids = [hop[2], hop[3]].filter((i) => i >= 0).map((i) => design.nodes[i] && design.nodes[i].id);
      const list = ids.map((id) => id && rf.getNode(id)).filter(Boolean);
      const box = boxOf(list);
      const el = wrapper.current;
      if (!box || !el) return;
      const vp = rf.getViewport();
      if (inView(box, vp, el.clientWidth, el.clientHeight)) return;
      lastPan = now;
      const travel = state.playing ? Math.min(400, TRAVEL_WALL * 500) : 350;
      rf.setViewport(panTo(box, vp, el.clientWidth, el.clientHeight), { duration: reducedMotion() ? 0 : travel });
    });
  }, [player, follow, side, design, rf]);

  const onSelectionChange = useCallback(({ nodes: ns, edges: es }) => {
    if (!editable) return;
    const ids = ns.map((n) => n.id);
    const keys = es.map((e) => e.id);
    clearTimeout(selectTimer.current);
    if (same(ids, selected.nodes) && same(keys, selected.edges)) return;
    selectTimer.current = setTimeout(() => send({ op: 'select', nodes: ids, edges: keys }), 150);
  }, [selected, send, editable]);

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
  useEffect(() => { if (api) api.current.add = onAdd; }, [api, onAdd]);
  const count = nodes.filter((n) => n.selected).length + edges.filter((e) => e.selected).length;
  useEffect(() => { if (onSelectedCount) onSelectedCount(count); }, [count, onSelectedCount]);
  useEffect(() => {
    if (api) api.current.selected = () => ({ nodes: nodes.filter((n) => n.selected).map((n) => n.id),
      edges: edges.filter((e) => e.selected).map((e) => e.id) });
  }, [api, nodes, edges]);

  return (
    <DesignContext.Provider value={lookups}>
      <SideContext.Provider value={side}>
        <div className="sps-canvas" ref={wrapper} style={{ height }} data-testid="canvas" data-side={side}
             role="region" aria-label={label}
             onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; }} onDrop={onDrop}>
          <ReactFlow
            nodes={nodes} edges={edges} nodeTypes={nodeTypes} edgeTypes={edgeTypes} minZoom={0.1}
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
            {/* none in the presenter view: in a corner of a canvas fitted to its nodes it covered one */}
            {minimap && height >= 320 && <MiniMap pannable zoomable ariaLabel="Minimap of the whole design" style={{ width: 150, height: 100 }}
                     nodeColor={(n) => n.data.colour} nodeStrokeColor="#37474f" nodeStrokeWidth={3} />}
            <Controls showInteractive={false} fitViewOptions={{ padding: 0.12, maxZoom: 1.2 }}
                      orientation={height < 320 ? 'horizontal' : 'vertical'}
                      aria-label="Zoom (the square button shows the whole design, at any size)" />
            <TokenLayer />
          </ReactFlow>
        </div>
      </SideContext.Provider>
    </DesignContext.Provider>
  );
}

// The canvas height: `height` px, or, when `fill` (presenter view, full screen), what is left of the first
// screen below the canvas's top (never less than `floor`, never more than `height` outside full screen).
function useCanvasHeight(ref, height, fill, fullscreen, floor = 220) {
  const [h, setH] = useState(height);
  useEffect(() => {
    if (!fill && !fullscreen) { setH(height); return undefined; }
    const measure = () => {
      const el = ref.current;
      if (!el) return;
      let top = el.getBoundingClientRect().top;
      if (!fullscreen) {
        // the canvas's place on the page, wherever the page is scrolled to
        let p = el.parentElement || el.getRootNode().host;
        while (p && p !== document.body) {
          if (p.scrollTop) top += p.scrollTop;
          p = p.parentElement || (p.getRootNode && p.getRootNode().host) || null;
        }
      }
      const room = Math.floor(window.innerHeight - top - (fullscreen ? 10 : 16));
      setH(fullscreen ? Math.max(floor, room) : Math.max(floor, Math.min(height, room)));
    };
    measure();
    const late = setTimeout(measure, 400);   // once Streamlit has laid out what sits above the component
    window.addEventListener('resize', measure);
    return () => { clearTimeout(late); window.removeEventListener('resize', measure); };
  }, [ref, height, fill, fullscreen, floor]);
  return h;
}

function Studio({ data, send }) {
  const studio = useRef(null);
  const top = useRef(null);
  const api = useRef({});
  const [closed, setClosed] = useState(-1);
  const [paletteOpen, setPaletteOpen] = useState(data.palette_open !== false);
  const [fullscreen, setFullscreen] = useState(false);
  const [selectedCount, setSelectedCount] = useState(0);
  const editable = !!data.editable && !data.sides;
  const presenter = !!data.presenter;
  const selected = data.selected || NO_SELECTION;
  const sides = useMemo(() => (data.sides && data.sides.length
    ? data.sides : [{ design: data.design, playback: data.playback, title: null }]), [data]);
  const playable = sides.every((s) => s.playback);
  const playerKey = playable ? `${sides.map((s) => s.playback.id || s.playback.end).join('|')}|${presenter}` : '';
  const player = useMemo(
    () => (playable ? createPlayer(sides.map((s) => ({ payload: s.playback, nodeCount: s.design.nodes.length })),
      presenter) : null),
    // One player per playback (its key names the runs and the presenter flag): a new design object from
    // Python with the same runs keeps the clock where it is.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [playerKey],
  );
  useEffect(() => () => player && player.dispose(), [player]);

  // A live lesson (data.live, see src/live.js): the teacher's canvas reports its position, a student's follows
  // the teacher's, both by fetch and without a rerun. One link per player and route; a new seek (a resumed
  // tab, a revealed answer) goes to the link that is there.
  const live = playable && data.live ? data.live : null;
  const [liveMode, setLiveMode] = useState('');
  const liveKey = live ? [live.role, live.url || '', live.channel || '', live.every_ms || ''].join('|') : '';
  const liveConfig = useRef(live);
  const link = useRef(null);
  useEffect(() => { liveConfig.current = live; });
  useEffect(() => {
    if (!player || !liveKey || !liveConfig.current) return undefined;
    const made = createLiveLink(player, liveConfig.current, { onMode: setLiveMode });
    link.current = made;
    return () => { made.dispose(); if (link.current === made) link.current = null; };
  }, [player, liveKey]);
  const seekJson = live && live.seek ? JSON.stringify(live.seek) : '';
  useEffect(() => { if (link.current && seekJson) link.current.seek(JSON.parse(seekJson)); }, [seekJson]);

  const minText = Number(data.min_text_px) || (presenter ? 14 : 11);
  const minZoom = readableZoom(minText);
  const maxZoom = Math.max(minZoom, presenter ? 1.5 : 1.2);
  const follow = data.follow !== undefined ? !!data.follow : presenter || sides.length > 1;
  const fill = data.fill_height !== undefined ? !!data.fill_height : presenter;
  const height = useCanvasHeight(top, data.height || 560, fill, fullscreen);
  const fitAll = useCallback(() => sides.forEach((_s, i) => api.current[i] && api.current[i]()), [sides]);

  // Keys a presenter's clicker sends work from the moment the page loads (no click first): a document-level
  // listener while the presenter view is on. Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y) undo and redo the design unless
  // the focus is in a field (which keeps its own undo). Keys typed into a field are left alone.
  useEffect(() => {
    const onKey = (event) => {
      if (event.defaultPrevented) return;
      const target = (event.composedPath && event.composedPath()[0]) || event.target;
      if (player && presenter) {
        const step = presenterKey(event, target);
        if (step) { event.preventDefault(); player.touched(); player[step](); return; }
      }
      // Anywhere on the page but a field (the page's own scroll area has the focus after a click on the pane).
      if (editable && !typingInto(target)) {
        const op = undoKey(event);
        if (op) { event.preventDefault(); send({ op }); }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [player, presenter, editable, send]);

  useEffect(() => {
    const onChange = () => {
      const el = studio.current;
      const root = el && el.getRootNode();
      const current = (root && root.fullscreenElement) || document.fullscreenElement;
      setFullscreen(!!el && current === el);
    };
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  const canFullscreen = typeof document !== 'undefined' && !!document.fullscreenEnabled;
  const toggleFullscreen = useCallback(() => {
    const el = studio.current;
    if (!el) return;
    const root = el.getRootNode();
    if ((root && root.fullscreenElement) || document.fullscreenElement) document.exitFullscreen();
    else if (el.requestFullscreen) el.requestFullscreen().catch(() => {});
  }, []);
  // Refit when the room for the canvas changes (full screen, palette folded), not whenever fitAll is remade.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { const id = setTimeout(fitAll, 200); return () => clearTimeout(id); }, [fullscreen, paletteOpen]);

  const onOp = useCallback((op) => {
    if (op.op === 'delete-selected') send({ op: 'delete', ...(api.current.selected ? api.current.selected() : NO_SELECTION) });
    else send(op);
  }, [send]);

  const focusIn = (selector) => (event) => {
    event.preventDefault();
    const el = studio.current && studio.current.querySelector(selector);
    if (el) el.focus();
  };

  const message = data.message && data.message.seq !== closed ? data.message : null;
  const showPalette = editable && data.palette && paletteOpen;
  const titles = sides.map((s) => s.title);
  const tools = (
    <Toolbar editable={editable} history={data.history || {}} onOp={onOp} onFit={fitAll}
             palette={editable && data.palette ? { open: paletteOpen, toggle: () => setPaletteOpen((o) => !o) } : null}
             fullscreen={canFullscreen ? { on: fullscreen, toggle: toggleFullscreen } : null}
             selectedCount={selectedCount} inline={!!(player && presenter)} />
  );
  return (
    <PlayerContext.Provider value={player}>
      <div ref={studio} data-live={liveMode || undefined}
           className={`sps-studio${editable ? '' : ' sps-readonly'}${presenter ? ' sps-presenter' : ''}${fullscreen ? ' sps-is-fullscreen' : ''}`}>
        <div className="sps-skips">
          {showPalette && <a href="#canvas-tools" className="sps-skip-link" data-testid="skip-palette"
                             onClick={focusIn('.sps-toolbar button:not(:disabled)')}>Skip the palette</a>}
          {player && <a href="#playback" className="sps-skip-link" data-testid="skip-to-play"
                        onClick={focusIn('[data-testid=play]')}>Skip to the playback controls</a>}
        </div>
        <div className="sps-row">
          {showPalette && <Palette palette={data.palette} onAdd={(item) => api.current.add && api.current.add(item)} />}
          <div className="sps-main">
            {!(player && presenter) && tools}
            <Message message={message} onClose={() => setClosed(data.message.seq)} />
            {player && presenter && <PlaybackBar presenter titles={titles} part="controls" tools={tools} />}
            <div className={`sps-canvases sps-canvases-${sides.length}`} ref={top}>
              {sides.map((s, i) => (
                <div className="sps-side" key={i}>
                  {s.title && <h3 className="sps-side-title">{s.title}</h3>}
                  <ReactFlowProvider>
                    <FlowCanvas side={i} design={s.design} selected={editable ? selected : NO_SELECTION}
                                editable={editable} send={send} height={height} minZoom={minZoom} maxZoom={maxZoom}
                                follow={follow} fitSeq={s.fit !== undefined ? s.fit : (data.fit || 0)} api={api}
                                label={s.title ? `Canvas: ${s.title}` : 'Canvas'}
                                onSelectedCount={editable ? setSelectedCount : null} minimap={!presenter} />
                  </ReactFlowProvider>
                </div>
              ))}
            </div>
            {player && <PlaybackBar presenter={presenter} titles={titles} part={presenter ? 'story' : 'all'} />}
          </div>
        </div>
      </div>
    </PlayerContext.Provider>
  );
}

export function App({ data, send }) {
  return <Studio data={data} send={send} />;
}
