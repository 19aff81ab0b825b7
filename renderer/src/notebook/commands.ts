/**
 * Notebook commands as data (JupyterLab's command ids, Excalidraw's `{ name, perform, keyTest }`):
 * the keyboard handler and the help panel both read this table, so what is documented is what works.
 */

/** What a command can do; implemented by the notebook view. */
export interface CommandContext {
  runActive(advance: 'stay' | 'next' | 'insert'): void;
  runAll(): void;
  runAbove(): void;
  interrupt(): void;
  restart(): void;
  save(): void;
  edit(): void;
  select(delta: -1 | 1): void;
  insert(where: 'above' | 'below'): void;
  deleteActive(): void;
  undoDelete(): void;
  changeType(to: 'code' | 'markdown'): void;
  move(by: -1 | 1): void;
  toggleHelp(): void;
}

/** A key chord: `key` as in `KeyboardEvent.key`; `twice` = pressed twice within 800 ms (DD, II, 00). */
export interface KeyChord {
  key: string;
  shift?: boolean;
  ctrl?: boolean;
  alt?: boolean;
  twice?: boolean;
}

/** A notebook command. */
export interface Command {
  id: string;
  label: string;
  /** Modes where the keys work (edit-mode keys are bound in the editor). */
  modes: Array<'command' | 'edit'>;
  keys: KeyChord[];
  /** Human form of the keys for the help panel. */
  keysLabel: string;
  perform(ctx: CommandContext): void;
}

/** Every command with a key binding. */
export const COMMANDS: Command[] = [
  { id: 'notebook:run-cell-and-select-next', label: 'Run cell, select below', modes: ['command', 'edit'], keys: [{ key: 'Enter', shift: true }], keysLabel: 'Shift+Enter', perform: (c) => c.runActive('next') },
  { id: 'notebook:run-cell', label: 'Run cell', modes: ['command', 'edit'], keys: [{ key: 'Enter', ctrl: true }], keysLabel: 'Ctrl+Enter', perform: (c) => c.runActive('stay') },
  { id: 'notebook:run-cell-and-insert-below', label: 'Run cell, insert below', modes: ['command', 'edit'], keys: [{ key: 'Enter', alt: true }], keysLabel: 'Alt+Enter', perform: (c) => c.runActive('insert') },
  { id: 'notebook:enter-edit-mode', label: 'Edit the cell (edit mode)', modes: ['command'], keys: [{ key: 'Enter' }], keysLabel: 'Enter', perform: (c) => c.edit() },
  { id: 'notebook:enter-command-mode', label: 'Leave the editor (command mode)', modes: ['edit'], keys: [], keysLabel: 'Esc', perform: () => {} },
  { id: 'notebook:select-above', label: 'Select cell above', modes: ['command'], keys: [{ key: 'ArrowUp' }, { key: 'k' }], keysLabel: '↑ / K', perform: (c) => c.select(-1) },
  { id: 'notebook:select-below', label: 'Select cell below', modes: ['command'], keys: [{ key: 'ArrowDown' }, { key: 'j' }], keysLabel: '↓ / J', perform: (c) => c.select(1) },
  { id: 'notebook:insert-cell-above', label: 'Insert cell above', modes: ['command'], keys: [{ key: 'a' }], keysLabel: 'A', perform: (c) => c.insert('above') },
  { id: 'notebook:insert-cell-below', label: 'Insert cell below', modes: ['command'], keys: [{ key: 'b' }], keysLabel: 'B', perform: (c) => c.insert('below') },
  { id: 'notebook:delete-cell', label: 'Delete cell', modes: ['command'], keys: [{ key: 'd', twice: true }], keysLabel: 'D, D', perform: (c) => c.deleteActive() },
  { id: 'notebook:undo-cell-action', label: 'Undo cell deletion', modes: ['command'], keys: [{ key: 'z' }], keysLabel: 'Z', perform: (c) => c.undoDelete() },
  { id: 'notebook:change-cell-to-markdown', label: 'Change to markdown', modes: ['command'], keys: [{ key: 'm' }], keysLabel: 'M', perform: (c) => c.changeType('markdown') },
  { id: 'notebook:change-cell-to-code', label: 'Change to code', modes: ['command'], keys: [{ key: 'y' }], keysLabel: 'Y', perform: (c) => c.changeType('code') },
  { id: 'notebook:move-cell-up', label: 'Move cell up', modes: ['command'], keys: [{ key: 'ArrowUp', ctrl: true, shift: true }], keysLabel: 'Ctrl+Shift+↑', perform: (c) => c.move(-1) },
  { id: 'notebook:move-cell-down', label: 'Move cell down', modes: ['command'], keys: [{ key: 'ArrowDown', ctrl: true, shift: true }], keysLabel: 'Ctrl+Shift+↓', perform: (c) => c.move(1) },
  { id: 'notebook:interrupt-kernel', label: 'Interrupt the kernel', modes: ['command'], keys: [{ key: 'i', twice: true }], keysLabel: 'I, I', perform: (c) => c.interrupt() },
  { id: 'notebook:restart-kernel', label: 'Restart the kernel', modes: ['command'], keys: [{ key: '0', twice: true }], keysLabel: '0, 0', perform: (c) => c.restart() },
  { id: 'docmanager:save', label: 'Save', modes: ['command', 'edit'], keys: [{ key: 's', ctrl: true }], keysLabel: 'Ctrl+S', perform: (c) => c.save() },
  { id: 'help:toggle', label: 'Show / hide this help', modes: ['command'], keys: [{ key: 'h' }], keysLabel: 'H', perform: (c) => c.toggleHelp() },
];

/** Whether a key event matches a chord (ignoring `twice`, which the caller tracks). */
export function matches(chord: KeyChord, event: { key: string; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): boolean {
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  return key === chord.key && event.shiftKey === (chord.shift ?? false) && (event.ctrlKey || event.metaKey) === (chord.ctrl ?? false) && event.altKey === (chord.alt ?? false);
}

/**
 * Finds the command-mode command for a key event. `last` is the previous key press (key and time,
 * ms), for two-press chords; returns the command or `pending` when the first of two presses matched.
 */
export function findCommand(event: { key: string; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }, last: { key: string; at: number } | undefined, now: number): Command | 'pending' | undefined {
  let pending = false;
  for (const command of COMMANDS) {
    if (!command.modes.includes('command')) continue;
    for (const chord of command.keys) {
      if (!matches(chord, event)) continue;
      if (!chord.twice) return command;
      if (last && last.key === chord.key && now - last.at < 800) return command;
      pending = true;
    }
  }
  return pending ? 'pending' : undefined;
}
