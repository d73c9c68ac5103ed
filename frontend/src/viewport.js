// Where the view goes when it fits a design: pure, so the rule is tested without a browser.
//
// A fit never zooms out below the zoom at which the smallest text on a node is still `minTextPx` CSS pixels
// (readable: 11 px at a desk, 14 px on a projector). A design wider or taller than the view at that zoom is
// not shrunk further: the view starts at the beginning of the flow (its left edge, and vertically on the
// first service) and the rest is panned to (the presenter view follows the current hop).

// The smallest font on a service box, CSS px at zoom 1 (the type line, .sps-type in canvas.css).
export const NODE_TEXT_PX = 14;
export const PAD = 24;

export function readableZoom(minTextPx) {
  return Math.max(0.05, (minTextPx + 0.05) / NODE_TEXT_PX);   // a hair above: rendered boxes round
}

// bounds: {x, y, width, height} in flow units; start: the flow point to keep in view first (the first
// service's centre) or null; returns {x, y, zoom} for React Flow's setViewport.
export function fitViewport(bounds, width, height, { minZoom, maxZoom = 1.2, start = null, pad = PAD } = {}) {
  const bw = Math.max(1, bounds.width);
  const bh = Math.max(1, bounds.height);
  const fitZoom = Math.min((width - 2 * pad) / bw, (height - 2 * pad) / bh);
  const zoom = Math.max(minZoom || 0, Math.min(maxZoom, fitZoom));
  const axis = (size, origin, length, focus) => {
    if (length * zoom <= size - 2 * pad) return (size - length * zoom) / 2 - origin * zoom;   // fits: centre it
    if (focus == null) return pad - origin * zoom;                                             // start edge
    const want = size / 2 - focus * zoom;                        // the focus in the middle, but no blank margin
    return Math.min(pad - origin * zoom, Math.max(size - pad - (origin + length) * zoom, want));
  };
  return {
    x: axis(width, bounds.x, bw, null),
    y: axis(height, bounds.y, bh, start ? start.y : null),
    zoom,
  };
}

// Whether a flow-space box is fully inside the view (with a margin in screen px).
export function inView(box, viewport, width, height, margin = 12) {
  const { x, y, zoom } = viewport;
  const left = box.x * zoom + x;
  const top = box.y * zoom + y;
  return left >= margin && top >= margin && left + box.width * zoom <= width - margin
    && top + box.height * zoom <= height - margin;
}

// The viewport that brings a flow-space box into view with the least movement (same zoom): it is centred on
// the axis where it was outside.
export function panTo(box, viewport, width, height, margin = 12) {
  const { x, y, zoom } = viewport;
  const fix = (offset, start, length, size) => {
    const a = start * zoom + offset;
    const b = a + length * zoom;
    if (a >= margin && b <= size - margin) return offset;
    return size / 2 - (start + length / 2) * zoom;
  };
  return { x: fix(x, box.x, box.width, width), y: fix(y, box.y, box.height, height), zoom };
}
