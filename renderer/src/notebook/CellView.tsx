/**
 * One cell: its gutter (execution count, run state with elapsed time or duration), its body
 * (markdown rendered or edited, code in Monaco when selected or as static text otherwise, template
 * as a form with "show code" and "convert to code") and its outputs.
 */
import { lazy, memo, Suspense, useEffect, useRef, useState } from 'react';
import type { TemplateInfo } from '../../../core/api/contract.ts';
import { errorCellLine, Outputs } from '../outputs/Outputs.tsx';
import { Markdown } from '../outputs/Markdown.tsx';
import type { EditorKeys } from './CodeEditor.tsx';
import type { CellView as CellViewState, Mode } from './model.ts';
import { TemplateForm } from './TemplateForm.tsx';

const CodeEditor = lazy(() => import('./CodeEditor.tsx').then((m) => ({ default: m.CodeEditor })));

/** Callbacks of a cell (stable identities: the view reads the latest state through refs). */
export interface CellHandlers {
  select(index: number, mode: Mode): void;
  setSource(id: string, source: string): void;
  setParams(id: string, params: Record<string, unknown>): void;
  setEditing(id: string, editing: boolean): void;
  toggleCode(id: string): void;
  convertToCode(id: string): void;
  renderCode(id: string): Promise<string>;
  run(index: number): void;
  remove(index: number): void;
  move(index: number, by: -1 | 1): void;
  keys: EditorKeys;
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, []);
  return <span>{((now - since) / 1000).toFixed(1)}s</span>;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function StaticCode({ source, errorLine, onClick }: { source: string; errorLine: number | undefined; onClick(): void }) {
  const lines = source.split('\n');
  return (
    <pre className="code-static" onClick={onClick} data-testid="code-static">
      {lines.map((line, i) => (
        <div key={i} className={errorLine === i + 1 ? 'code-line error' : 'code-line'}>
          <span className="ln">{i + 1}</span>
          {line || ' '}
        </div>
      ))}
    </pre>
  );
}

function TemplateCode({ id, params, render }: { id: string; params: unknown; render(id: string): Promise<string> }) {
  const [code, setCode] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    render(id).then((c) => live && (setCode(c), setError(undefined)), (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [id, params, render]);
  if (error) return <pre className="output-error" data-testid="template-code-error">{error}</pre>;
  return <pre className="code-static template-code" data-testid="template-code">{code ?? '…'}</pre>;
}

/** Props of {@link CellView}. */
export interface CellViewProps {
  view: CellViewState;
  index: number;
  active: boolean;
  mode: Mode;
  template: TemplateInfo | undefined;
  handlers: CellHandlers;
}

function CellViewImpl({ view, index, active, mode, template, handlers }: CellViewProps) {
  const { cell, run } = view;
  const textarea = useRef<HTMLTextAreaElement>(null);
  const editing = active && mode === 'edit';
  const error = cell.outputs.find((o) => o.type === 'error');
  const errorLine = error?.type === 'error' ? errorCellLine(error, cell.id) : undefined;
  const state = run.state;

  useEffect(() => {
    if (editing && cell.type === 'markdown' && view.editing) textarea.current?.focus();
  }, [editing, cell.type, view.editing]);

  const classes = ['cell', `cell-${cell.type}`, active ? 'active' : '', editing ? 'editing' : '', view.stale ? 'stale' : '', `state-${state}`].filter(Boolean).join(' ');
  const count = state === 'queued' ? '*' : state === 'running' ? '*' : cell.executionCount ?? ' ';

  let body;
  if (cell.type === 'markdown') {
    body = view.editing ? (
      <textarea
        ref={textarea}
        className="markdown-source"
        value={cell.source}
        rows={Math.max(2, cell.source.split('\n').length)}
        placeholder="Markdown text"
        onChange={(e) => handlers.setSource(cell.id, e.target.value)}
        onFocus={() => handlers.select(index, 'edit')}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            handlers.keys.commandMode();
          } else if (e.key === 'Enter' && (e.shiftKey || e.ctrlKey || e.altKey || e.metaKey)) {
            e.preventDefault();
            e.stopPropagation();
            if (e.shiftKey) handlers.keys.runAndAdvance();
            else if (e.altKey) handlers.keys.runAndInsert();
            else handlers.keys.run();
          } else if (e.key === 's' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            handlers.keys.save();
          } else e.stopPropagation();
        }}
      />
    ) : (
      <div className="markdown-view" data-testid="markdown-view">
        <Markdown text={cell.source || '*empty markdown cell — double-click to edit*'} onDoubleClick={() => {
          handlers.setEditing(cell.id, true);
          handlers.select(index, 'edit');
        }} />
      </div>
    );
  } else if (cell.type === 'code') {
    body = active ? (
      <Suspense fallback={<StaticCode source={cell.source} errorLine={errorLine} onClick={() => {}} />}>
        <CodeEditor
          id={cell.id}
          source={cell.source}
          {...(cell.language ? { language: cell.language } : {})}
          {...(errorLine !== undefined ? { errorLine } : {})}
          focus={editing}
          onChange={(source) => handlers.setSource(cell.id, source)}
          onFocus={() => handlers.select(index, 'edit')}
          keys={handlers.keys}
        />
      </Suspense>
    ) : (
      <StaticCode source={cell.source} errorLine={errorLine} onClick={() => handlers.select(index, 'edit')} />
    );
  } else {
    const ref = cell.template;
    body = (
      <div className="template-cell">
        <div className="template-head">
          <strong>{template?.title ?? ref?.id ?? 'template'}</strong>
          <span className="template-id">{ref?.id}</span>
          <span className="spacer" />
          <button type="button" onClick={() => handlers.toggleCode(cell.id)}>{view.showCode ? 'Hide code' : 'Show code'}</button>
          <button type="button" onClick={() => handlers.convertToCode(cell.id)}>Convert to code</button>
        </div>
        {template && ref ? (
          <TemplateForm schema={template.paramsSchema} params={ref.params} onChange={(params) => handlers.setParams(cell.id, params)} />
        ) : (
          <div className="output-error">unknown template {ref?.id}</div>
        )}
        {view.showCode ? <TemplateCode id={cell.id} params={ref?.params} render={handlers.renderCode} /> : null}
      </div>
    );
  }

  return (
    <div
      className={classes}
      data-testid="cell"
      data-cell-id={cell.id}
      data-cell-type={cell.type}
      data-state={state}
      onMouseDown={() => {
        if (!active) handlers.select(index, cell.type === 'code' ? mode : 'command');
      }}
    >
      <div className="gutter">
        <span className="count" data-testid="execution-count">[{count}]</span>
        <span className="run-state" data-testid="run-state">
          {state === 'queued' ? 'queued' : null}
          {state === 'running' && run.startedAt !== undefined ? <Elapsed since={run.startedAt} /> : null}
          {(state === 'done' || state === 'error' || state === 'interrupted') && run.durationMs !== undefined ? formatDuration(run.durationMs) : null}
          {state === 'error' ? ' ✗' : state === 'done' ? ' ✓' : state === 'interrupted' ? ' ■' : null}
        </span>
        {view.stale ? <span className="stale-mark" title="inputs changed since this cell ran">stale</span> : null}
      </div>
      <div className="cell-main">
        <div className="cell-toolbar" onMouseDown={(e) => e.preventDefault()}>
          {cell.type !== 'markdown' ? <button type="button" title="Run (Shift+Enter)" onClick={() => handlers.run(index)}>▶</button> : null}
          <button type="button" title="Move up" onClick={() => handlers.move(index, -1)}>↑</button>
          <button type="button" title="Move down" onClick={() => handlers.move(index, 1)}>↓</button>
          <button type="button" title="Delete (D, D)" onClick={() => handlers.remove(index)}>✕</button>
        </div>
        {body}
        <Outputs outputs={cell.outputs} cellId={cell.id} running={state === 'running'} {...(typeof cell.template?.params.epochs === 'number' ? { expectedEpochs: cell.template.params.epochs } : {})} />
      </div>
    </div>
  );
}

/** A cell, re-rendered only when its own props change. */
export const CellView = memo(CellViewImpl);
