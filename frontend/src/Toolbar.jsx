// The canvas toolbar (palette, undo, redo, auto-layout, fit view, full screen, delete) and the message line:
// what Python answered to the last edit (a refused connection says why).

// `inline`: the tools sit in the presenter's playback row (one row less above the canvas).
export function Toolbar({ editable, history, selectedCount, onOp, onFit, palette, fullscreen, inline = false }) {
  return (
    <div className={`sps-toolbar${inline ? ' sps-toolbar-inline' : ''}`} role="toolbar" aria-label="Canvas tools"
         id="canvas-tools">
      {palette && (
        <button type="button" onClick={palette.toggle} aria-expanded={palette.open} aria-controls="sps-palette"
                data-testid="palette-toggle" title={palette.open ? 'Fold the palette away: more room for the canvas'
                  : 'Show the palette of services and patterns'}>
          {palette.open ? '◀ Hide palette' : '▶ Palette'}
        </button>
      )}
      {editable && (
        <>
          <button type="button" onClick={() => onOp({ op: 'undo' })} disabled={!history.undo}
                  data-testid="undo" title="Undo (Ctrl+Z)" aria-keyshortcuts="Control+Z">↶ Undo</button>
          <button type="button" onClick={() => onOp({ op: 'redo' })} disabled={!history.redo}
                  data-testid="redo" title="Redo (Ctrl+Shift+Z or Ctrl+Y)"
                  aria-keyshortcuts="Control+Shift+Z Control+Y">↷ Redo</button>
          <button type="button" onClick={() => onOp({ op: 'layout' })} data-testid="layout"
                  title="Lay the design out left to right along the flow">⇶ Auto-layout</button>
        </>
      )}
      <button type="button" onClick={onFit} data-testid="fit"
              title="Show the design at a readable size (a wide one starts at its beginning: drag to pan; the minimap's square button shows it all)">
        ⤢ Fit view
      </button>
      {fullscreen && (
        <button type="button" onClick={fullscreen.toggle} data-testid="fullscreen" aria-pressed={fullscreen.on}
                title={fullscreen.on ? 'Leave full screen (Esc)' : 'Show the canvas and the playback on the whole screen'}>
          {fullscreen.on ? 'Leave full screen' : 'Full screen'}
        </button>
      )}
      {editable && (
        <button type="button" onClick={() => onOp({ op: 'delete-selected' })} disabled={!selectedCount}
                data-testid="delete" title="Delete the selection (Delete key)">
          ✕ Delete{selectedCount ? ` (${selectedCount})` : ''}
        </button>
      )}
      {editable && <span className="sps-toolbar-hint">Shift-drag selects several · drag from a right handle to a left one to connect · Ctrl+Z undoes</span>}
    </div>
  );
}

export function Message({ message, onClose }) {
  if (!message || !message.text) return null;
  const error = message.tone === 'error';
  return (
    <div className={`sps-message sps-message-${error ? 'error' : 'info'}`} role={error ? 'alert' : 'status'}
         data-testid="canvas-message">
      <span aria-hidden="true">{error ? '✖ ' : 'ℹ '}</span>
      <span>{message.text}</span>
      <button type="button" onClick={onClose} aria-label="Dismiss the message">✕</button>
    </div>
  );
}
