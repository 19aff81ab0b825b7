/**
 * The Models view: registered models with their versions (run, date, aliases, manifest checksum)
 * and their aliases; an alias is moved to another version atomically (`models.setAlias`).
 */
import { useCallback, useEffect, useState } from 'react';
import type { ModelInfo, WorkbenchApi } from '../../../core/api/contract.ts';
import { formatTime, shortId } from './runs-model.ts';
import './runs.css';

const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function AliasForm({ api, model, onMoved }: { api: WorkbenchApi; model: ModelInfo; onMoved(text: string): void }) {
  const existing = Object.keys(model.aliases);
  const [alias, setAlias] = useState(existing[0] ?? 'champion');
  const newest = model.versions[model.versions.length - 1]?.version ?? 1;
  const [version, setVersion] = useState(newest);
  const [error, setError] = useState<string>();
  const valid = ALIAS_NAME.test(alias);
  const submit = (): void => {
    if (!valid) return;
    setError(undefined);
    const before = model.aliases[alias];
    api.models.setAlias({ name: model.name, alias, version }).then(
      (v) => onMoved(`${model.name}: ${alias} -> v${v.version}${before === undefined ? ' (new)' : before === v.version ? ' (unchanged)' : ` (was v${before})`}`),
      (e: unknown) => setError(message(e)),
    );
  };
  return (
    <form className="alias-form" data-testid="alias-form" onSubmit={(e) => { e.preventDefault(); submit(); }} onKeyDown={(e) => e.stopPropagation()}>
      <span>Point alias</span>
      <input aria-label={`alias of ${model.name}`} list={`aliases-${model.name}`} value={alias} onChange={(e) => setAlias(e.target.value.trim())} size={12} />
      <datalist id={`aliases-${model.name}`}>{['champion', 'challenger', ...existing].filter((a, i, xs) => xs.indexOf(a) === i).map((a) => <option key={a} value={a} />)}</datalist>
      <span>at</span>
      <select aria-label={`version of ${model.name}`} value={version} onChange={(e) => setVersion(Number(e.target.value))}>
        {model.versions.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
      </select>
      <button type="submit" disabled={!valid}>Set</button>
      {!valid && alias ? <span className="param-error">lowercase letters, digits, "_" or "-", starting with a letter</span> : null}
      {error ? <span className="param-error" role="alert">{error}</span> : null}
    </form>
  );
}

/** Props of {@link ModelsView}. */
export interface ModelsViewProps {
  api: WorkbenchApi;
  visible: boolean;
  /** Bumped by the parent after a registration elsewhere, to reload. */
  generation: number;
  onStatus(message: string): void;
  /** Opens the run that trained a version in the Runs view. */
  onOpenRun(runId: string): void;
}

/** The Models view. */
export function ModelsView({ api, visible, generation, onStatus, onOpenRun }: ModelsViewProps) {
  const [models, setModels] = useState<ModelInfo[]>();
  const [error, setError] = useState<string>();
  const [local, setLocal] = useState(0);
  const reload = useCallback(() => setLocal((n) => n + 1), []);
  useEffect(() => {
    if (!visible) return undefined;
    let live = true;
    api.models.list({}).then((m) => live && setModels(m), (e: unknown) => live && setError(message(e)));
    return () => {
      live = false;
    };
  }, [api, visible, generation, local]);

  return (
    <div className="runs-view" data-testid="models-view">
      <div className="runs-toolbar" role="toolbar" aria-label="models">
        <span className="view-title">Models</span>
        <button type="button" onClick={reload}>Refresh</button>
        <span className="spacer" />
        <span className="muted">{models ? `${models.length} model${models.length === 1 ? '' : 's'}` : 'loading…'}</span>
      </div>
      {error ? <div className="output-error" role="alert">{error}</div> : null}
      <div className="runs-scroll">
        {models && models.length === 0 ? <p className="runs-empty">No registered models yet: open a run in <em>Runs</em> and press <em>Register…</em>.</p> : null}
        {models?.map((m) => (
          <section key={m.name} className="run-panel model-card" data-testid="model-card" data-model={m.name}>
            <header className="panel-head">
              <h2>{m.name}</h2>
              {Object.entries(m.aliases).map(([a, v]) => <span key={a} className="chip alias" data-testid="model-alias">{a} → v{v}</span>)}
              <span className="spacer" />
              <span className="muted">created {formatTime(m.createdAt)}</span>
            </header>
            {m.description ? <p>{m.description}</p> : null}
            <table className="runs-table versions">
              <thead><tr><th>Version</th><th>Aliases</th><th>Run</th><th>Registered</th><th>Description</th><th>Manifest sha256</th></tr></thead>
              <tbody>
                {[...m.versions].reverse().map((v) => (
                  <tr key={v.version} data-testid="model-version" data-version={v.version}>
                    <td className="mono">v{v.version}</td>
                    <td>{v.aliases.map((a) => <span key={a} className="chip alias">{a}</span>)}</td>
                    <td>{v.runId ? <button type="button" className="link mono" onClick={() => onOpenRun(v.runId ?? '')} title="Open the run that trained this version">{shortId(v.runId)}</button> : '–'}</td>
                    <td className="time">{formatTime(v.createdAt)}</td>
                    <td>{v.description || <span className="muted">–</span>}</td>
                    <td className="mono muted" title={`${v.manifestSha256}\n${v.bundlePath}`}>{v.manifestSha256.slice(0, 12)}…</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <AliasForm key={`${m.name}:${m.versions.length}`} api={api} model={m} onMoved={(text) => {
              onStatus(text);
              reload();
            }} />
          </section>
        ))}
      </div>
    </div>
  );
}
