// Which keys the studio answers at document level, pure (tested without a browser).

const FIELDS = new Set(['INPUT', 'SELECT', 'TEXTAREA']);
const PRESSABLE = new Set(['checkbox', 'radio', 'button', 'submit', 'reset']);   // keys other than Space are free
const WIDGET_ROLES = new Set(['textbox', 'combobox', 'listbox', 'option', 'slider', 'spinbutton', 'tab', 'menu',
  'menuitem', 'radiogroup', 'tree', 'grid', 'searchbox']);

// True when a key pressed on `el` belongs to a field or a widget that uses keys itself.
export function typingInto(el) {
  if (!el || !el.tagName) return false;
  if (el.tagName === 'INPUT' && PRESSABLE.has((el.type || '').toLowerCase())) return false;
  if (FIELDS.has(el.tagName) || el.isContentEditable) return true;
  const role = el.getAttribute && el.getAttribute('role');
  return !!role && WIDGET_ROLES.has(role);
}

// The player method a presenter key asks for (a clicker sends PageDown/PageUp or arrows; Space steps too),
// or null. Space on a button or a link presses it instead.
export function presenterKey(event, target) {
  if (event.ctrlKey || event.metaKey || event.altKey || typingInto(target)) return null;
  if (event.key === ' ' || event.key === 'Spacebar') {
    const tag = target && target.tagName;
    const role = target && target.getAttribute && target.getAttribute('role');
    return tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY' || tag === 'INPUT' || role === 'button'
      || role === 'switch' || role === 'checkbox' ? null : 'stepForward';
  }
  return { PageDown: 'stepForward', ArrowRight: 'stepForward', PageUp: 'stepBack', ArrowLeft: 'stepBack',
    Home: 'toStart', End: 'toEnd' }[event.key] || null;
}

// 'undo' for Ctrl+Z (⌘Z), 'redo' for Ctrl+Shift+Z or Ctrl+Y, else null.
export function undoKey(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = (event.key || '').toLowerCase();
  if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && !event.shiftKey) return 'redo';
  return null;
}
