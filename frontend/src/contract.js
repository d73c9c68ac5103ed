// The data the canvas receives from Python, as JSDoc types. The same contract as JSON Schema is
// frontend/contract.schema.json, which both sides check (tests/test_canvas_contract.py, test/contract.test.mjs);
// change the two together.

/** @typedef {{id: string, severity: 'error'|'warning'|'info', message: string}} Finding */

/**
 * @typedef {object} NodeView
 * @property {string} id
 * @property {string} type        registry type name, e.g. "sqs_queue"
 * @property {string} label       text, never HTML
 * @property {string} typeTitle
 * @property {string} glyph
 * @property {string} colour
 * @property {string} shape
 * @property {number} x
 * @property {number} y
 * @property {number} index       position in design.nodes (hops refer to it)
 * @property {Finding[]} findings
 */

/**
 * @typedef {object} EdgeView
 * @property {string} id          "source->target" (or the edge's own id)
 * @property {string} source
 * @property {string} target
 * @property {string} kind
 * @property {'flow'|'failure'|'side'|'dotted'|'async'|'sync'} style
 * @property {string} label
 * @property {number} index       position in design.edges (hops refer to it)
 * @property {Finding[]} findings
 */

/** @typedef {{name: string, nodes: NodeView[], edges: EdgeView[]}} DesignView */

/**
 * [t, edge, src, dst, kind, attempt, copy, event]: edge/src/dst index the design (-1: none), kind indexes kinds.
 * @typedef {[number, number, number, number, number, number, 0|1, number]} Hop
 */

/**
 * @typedef {object} Playback
 * @property {string[]} kinds     the playback kinds, in KINDS order (src/playback.js)
 * @property {Hop[]} hops
 * @property {string[]} narration one line per hop
 * @property {number} end
 * @property {number} until
 * @property {number} total
 * @property {number} shown
 * @property {string} note
 * @property {number|null} seed
 * @property {Array<Record<string, number>>|null} final  the run's own counters per node, when fully played
 */

/**
 * @typedef {object} CanvasData
 * @property {DesignView} design
 * @property {Playback|null} [playback]
 * @property {boolean} [editable]
 * @property {boolean} [presenter]
 * @property {number} [height]
 * @property {{title: string|null, design: DesignView, playback: Playback|null, fit?: number}[]} [sides]
 * @property {{nodes: string[], edges: string[]}} [selected]
 * @property {{text: string, tone: 'info'|'success'|'warning'|'error', seq: number}|null} [message]
 * @property {number} [fit]
 * @property {{undo?: boolean, redo?: boolean}} [history]
 * @property {{groups: object[], patterns: {id: string, title: string, kind: string}[]}} [palette]
 * @property {LiveConfig} [live]  a live lesson: report (teacher) or follow (student) the position by fetch
 */

/**
 * A live lesson (src/live.js; ui/serve.py's position route; ui/live_bridge.py carries the Streamlit path).
 * @typedef {object} LiveConfig
 * @property {'teach'|'follow'} role
 * @property {string|null} url    the position route, e.g. "/_sps/live/K7Q-3MX" (null: the Streamlit path only)
 * @property {string} channel     the window events' channel shared with the live bridge
 * @property {number} [every_ms]  a follower's poll interval (100–5000)
 * @property {{id: string, hop: number, t?: number, speed?: number}|null} [seek]  teach: go there first, once per id
 */

export {};
