/**
 * The workspace's file tree: folders fold and unfold (▾ open, ▸ folded, no marker and "empty" when
 * a folder has nothing in it), notebooks open on click, `.ipynb` files import on click, data files
 * and bundles show their size on hover. Folders start unfolded; the folded ones are remembered by
 * path while the window is open, so a refreshed listing keeps them folded.
 */
import { useCallback, useState } from 'react';
import type { FileEntry } from '../../../core/api/contract.ts';

const ICONS: Record<Exclude<FileEntry['kind'], 'directory'>, string> = { notebook: '▤', data: '▦', bundle: '▧', other: '·' };

/** Props of {@link FileTree}. */
export interface FileTreeProps {
  entries: FileEntry[];
  /** Path of the open notebook (shown in bold). */
  open: string | undefined;
  onOpen(path: string): void;
  /** Imports a Jupyter notebook (`.ipynb`). */
  onImport(path: string): void;
}

interface LevelProps extends FileTreeProps {
  folded: ReadonlySet<string>;
  onToggle(path: string): void;
}

function Level({ entries, open, onOpen, onImport, folded, onToggle }: LevelProps) {
  return (
    <ul className="tree">
      {entries.map((e) => {
        const isOpen = e.path === open;
        if (e.kind === 'directory') {
          const empty = !e.children || e.children.length === 0;
          const expanded = !empty && !folded.has(e.path);
          return (
            <li key={e.path} className={`file file-directory${empty ? ' empty' : ''}`} data-testid="file-directory" data-path={e.path}>
              {empty ? (
                <span className="folder" title="empty folder"><span className="twisty" aria-hidden="true" />{e.name} <span className="muted">empty</span></span>
              ) : (
                <button type="button" className="file-link folder" aria-expanded={expanded} onClick={() => onToggle(e.path)} title={expanded ? 'Fold' : 'Unfold'}>
                  <span className="twisty" aria-hidden="true">{expanded ? '▾' : '▸'}</span>{e.name}
                </button>
              )}
              {expanded && e.children ? <Level entries={e.children} open={open} onOpen={onOpen} onImport={onImport} folded={folded} onToggle={onToggle} /> : null}
            </li>
          );
        }
        return (
          <li key={e.path} className={`file file-${e.kind}${isOpen ? ' open' : ''}`}>
            {e.kind === 'notebook' ? (
              <button type="button" className="file-link" onClick={() => onOpen(e.path)} data-testid="file-notebook" title={e.path}>{ICONS[e.kind]} {e.name}</button>
            ) : e.kind === 'other' && e.name.endsWith('.ipynb') ? (
              <button type="button" className="file-link" onClick={() => onImport(e.path)} data-testid="file-ipynb" title="Import this Jupyter notebook as a Stratum notebook">{ICONS.notebook} {e.name}</button>
            ) : (
              <span title={e.size !== undefined ? `${e.size.toLocaleString()} bytes` : e.kind}>{ICONS[e.kind]} {e.name}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The file tree of the workspace sidebar. */
export function FileTree(props: FileTreeProps) {
  const [folded, setFolded] = useState<ReadonlySet<string>>(() => new Set());
  const onToggle = useCallback((path: string) => setFolded((f) => {
    const next = new Set(f);
    if (!next.delete(path)) next.add(path);
    return next;
  }), []);
  return <Level {...props} folded={folded} onToggle={onToggle} />;
}
