// Edge geometry shared by the drawn edges and the tokens, so a token rides exactly on its edge.
// Nodes are fixed-size boxes; an edge leaves the right middle of its source and enters the left middle of
// its target along a cubic Bézier. `lane` separates parallel edges between the same two nodes.

export const NODE_W = 190;
export const NODE_H = 70;

export function curve(sx, sy, tx, ty, lane = 0) {
  const dx = tx - sx;
  const bend = dx >= 20 ? Math.max(40, dx * 0.5) : Math.max(90, -dx * 0.5 + 70);
  const shift = lane * 26;
  return [sx, sy, sx + bend, sy + shift, tx - bend, ty + shift, tx, ty];
}

export function edgeCurve(source, target, lane = 0) {
  return curve(source.x + NODE_W, source.y + NODE_H / 2, target.x, target.y + NODE_H / 2, lane);
}

// A straight segment between node centres, for hops that follow no drawn edge.
export function centreLine(source, target) {
  const sx = source.x + NODE_W / 2;
  const sy = source.y + NODE_H / 2;
  const tx = target.x + NODE_W / 2;
  const ty = target.y + NODE_H / 2;
  return [sx, sy, (2 * sx + tx) / 3, (2 * sy + ty) / 3, (sx + 2 * tx) / 3, (sy + 2 * ty) / 3, tx, ty];
}

export function pathOf(c) {
  return `M ${c[0]},${c[1]} C ${c[2]},${c[3]} ${c[4]},${c[5]} ${c[6]},${c[7]}`;
}

export function pointAt(c, f) {
  const u = 1 - f;
  const a = u * u * u;
  const b = 3 * u * u * f;
  const d = 3 * u * f * f;
  const e = f * f * f;
  return [a * c[0] + b * c[2] + d * c[4] + e * c[6], a * c[1] + b * c[3] + d * c[5] + e * c[7]];
}
