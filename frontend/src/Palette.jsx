// The palette: service blocks grouped like the registry, and every catalog pattern. Drag one onto the
// canvas, or press it (keyboard: Tab to it, Enter) to add it in the middle of the view.
import { useState } from 'react';

export const DRAG_TYPE = 'application/x-sps-palette';

function startDrag(event, item) {
  event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(item));
  event.dataTransfer.setData('text/plain', item.value);
  event.dataTransfer.effectAllowed = 'copy';
}

export function Palette({ palette, onAdd }) {
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const patterns = palette.patterns.filter((p) => !q || p.title.toLowerCase().includes(q) || p.id.includes(q));
  return (
    <nav className="sps-palette" id="sps-palette" aria-label="Palette: drag a service or a pattern onto the canvas">
      <p className="sps-palette-hint">Drag onto the canvas, or press to add.</p>
      {palette.groups.map((group) => (
        <section key={group.name} className="sps-palette-group">
          <h3>{group.name}</h3>
          {group.types.map((t) => (
            <button key={t.type} type="button" className="sps-block" draggable
                    data-testid={`palette-${t.type}`} title={t.description}
                    onDragStart={(e) => startDrag(e, { kind: 'type', value: t.type })}
                    onClick={() => onAdd({ kind: 'type', value: t.type })}>
              <span className="sps-block-glyph" style={{ background: t.colour }} aria-hidden="true">{t.glyph}</span>
              <span>{t.title}</span>
            </button>
          ))}
        </section>
      ))}
      <section className="sps-palette-group">
        <h3>Catalog patterns</h3>
        <input type="search" className="sps-palette-search" placeholder="Filter patterns" value={query}
               aria-label="Filter patterns" onChange={(e) => setQuery(e.target.value)} />
        {patterns.map((p) => (
          <button key={p.id} type="button" className={`sps-block sps-pattern sps-pattern-${p.kind}`} draggable
                  data-testid={`palette-pattern-${p.id}`} title={`Add the whole “${p.title}” design`}
                  onDragStart={(e) => startDrag(e, { kind: 'pattern', value: p.id })}
                  onClick={() => onAdd({ kind: 'pattern', value: p.id })}>
            <span className="sps-block-glyph" aria-hidden="true">{p.kind === 'anti-pattern' ? '✗' : '▦'}</span>
            <span>{p.title}{p.kind === 'anti-pattern' ? ' (anti-pattern)' : ''}</span>
          </button>
        ))}
      </section>
    </nav>
  );
}
