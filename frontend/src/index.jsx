// The Streamlit Components v2 renderer. Streamlit calls the default export on every rerun with the data
// Python sent; the React root is kept per parentElement (a WeakMap) and re-rendered, so the canvas keeps its
// viewport and selection across reruns. Edits go back as the one-shot trigger value `edit`.
import '@xyflow/react/dist/style.css';
import './canvas.css';
import { createRoot } from 'react-dom/client';
import { App } from './App.jsx';

const roots = new WeakMap();
let seq = 0;
// Marks for the load-time benchmark (benchmarks/canvas.py): the bundle evaluated, the first render asked for.
if (typeof performance !== 'undefined' && performance.mark) performance.mark('sps-canvas-module');

/** @param {{data: import('./contract.js').CanvasData, parentElement: HTMLElement, setTriggerValue: Function}} args */
export default function render({ data, parentElement, setTriggerValue }) {
  let entry = roots.get(parentElement);
  if (!entry) {
    if (typeof performance !== 'undefined' && performance.mark) performance.mark('sps-canvas-mount');
    const host = document.createElement('div');
    host.className = 'sps-host';
    parentElement.appendChild(host);
    entry = { root: createRoot(host) };
    roots.set(parentElement, entry);
  }
  entry.send = (op) => {
    seq += 1;
    setTriggerValue('edit', { ...op, seq: `${Date.now()}-${seq}` });
  };
  entry.root.render(<App data={data || {}} send={(op) => entry.send(op)} />);
}
