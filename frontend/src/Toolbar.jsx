// The canvas toolbar (undo, redo, auto-layout, fit view, delete) and the message line: what Python answered
// to the last edit (a refused connection says why).

export function Toolbar({ editable, history, selectedCount, onOp, onFit }) {
  return (
    <div className="sps-toolbar" role="toolbar" aria-label="Canvas tools">
      {editable && (
        <>
          <button type="button" onClick={() => onOp({ op: 'undo' })} disabled={!history.undo}
                  data-testid="undo" title="Undo (Ctrl+Z)">↶ Undo</button>
          <button type="button" onClick={() => onOp({ op: 'redo' })} disabled={!history.redo}
                  data-testid="redo" title="Redo (Ctrl+Shift+Z or Ctrl+Y)">↷ Redo</button>
          <button type="button" onClick={() => onOp({ op: 'layout' })} data-testid="layout"
                  title="Lay the design out left to right along the flow">⇶ Auto-layout</button>
        </>
      )}
      <button type="button" onClick={onFit} data-testid="fit" title="Show the whole design">⤢ Fit view</button>
      {editable && (
        <button type="button" onClick={() => onOp({ op: 'delete-selected' })} disabled={!selectedCount}
                data-testid="delete" title="Delete the selection (Delete key)">
          ✕ Delete{selectedCount ? ` (${selectedCount})` : ''}
        </button>
      )}
      {editable && <span className="sps-toolbar-hint">Shift-drag selects several · drag from a right handle to a left one to connect</span>}
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
