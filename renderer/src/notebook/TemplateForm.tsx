/**
 * A template cell's parameters as a form generated from the template's JSON Schema: strings
 * (select when `enum`), integers and numbers, booleans, and arrays of strings or numbers (one
 * comma-separated field). Labels and help come from `title`/`description`; `default` fills the
 * placeholder. Each field is validated against its schema as it changes ({@link validateParams}),
 * and the message ("Epochs must be at least 1") shows under the field; the engine
 * (renderTemplateCode) validates again at run time.
 */
import { useState } from 'react';
import { validateParams, type ParamSchema } from './param-validation.ts';

/** Props of {@link TemplateForm}. */
export interface TemplateFormProps {
  schema: Record<string, unknown>;
  params: Record<string, unknown>;
  onChange(params: Record<string, unknown>): void;
}

function listText(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : '';
}

/** Parses a comma-separated field into an array of strings or numbers. */
export function parseList(text: string, itemType: string | undefined): unknown[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return itemType === 'integer' || itemType === 'number' ? parts.map((s) => (Number.isFinite(Number(s)) ? Number(s) : s)) : parts;
}

function ListField({ name, value, itemType, placeholder, invalid, onChange }: { name: string; value: unknown; itemType: string | undefined; placeholder: string; invalid: Record<string, unknown>; onChange(v: unknown[]): void }) {
  const [text, setText] = useState(listText(value));
  return (
    <input
      id={`param-${name}`}
      data-param={name}
      {...invalid}
      value={text}
      placeholder={placeholder}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseList(e.target.value, itemType));
      }}
    />
  );
}

/** The generated form. */
export function TemplateForm({ schema, params, onChange }: TemplateFormProps) {
  const properties = (schema.properties ?? {}) as Record<string, ParamSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const errors = validateParams(schema, params);
  const set = (name: string, value: unknown): void => {
    const next = { ...params };
    if (value === undefined || value === '') delete next[name];
    else next[name] = value;
    onChange(next);
  };
  return (
    <form className="template-form" onSubmit={(e) => e.preventDefault()} onKeyDown={(e) => e.stopPropagation()}>
      {Object.entries(properties).map(([name, p]) => {
        const type = Array.isArray(p.type) ? p.type[0] : p.type;
        const value = params[name];
        const error = errors[name];
        const invalid = error === undefined ? {} : { 'aria-invalid': true, 'aria-describedby': `param-${name}-error` };
        const placeholder = p.default === undefined ? '' : Array.isArray(p.default) ? p.default.join(', ') : String(p.default);
        let field;
        if (p.enum) {
          field = (
            <select id={`param-${name}`} data-param={name} {...invalid} value={value === undefined ? '' : String(value)} onChange={(e) => set(name, e.target.value === '' ? undefined : e.target.value)}>
              <option value="">{placeholder ? `default (${placeholder})` : '—'}</option>
              {p.enum.map((v) => <option key={String(v)} value={String(v)}>{String(v)}</option>)}
            </select>
          );
        } else if (type === 'boolean') {
          field = <input id={`param-${name}`} data-param={name} {...invalid} type="checkbox" checked={value === true} onChange={(e) => set(name, e.target.checked)} />;
        } else if (type === 'array') {
          field = <ListField name={name} value={value} itemType={Array.isArray(p.items?.type) ? p.items.type[0] : p.items?.type} placeholder={placeholder} invalid={invalid} onChange={(v) => set(name, v.length === 0 && !required.has(name) ? undefined : v)} />;
        } else if (type === 'integer' || type === 'number') {
          field = (
            <input
              id={`param-${name}`}
              data-param={name}
              {...invalid}
              type="number"
              step={type === 'integer' ? 1 : 'any'}
              {...(p.minimum !== undefined ? { min: p.minimum } : {})}
              {...(p.maximum !== undefined ? { max: p.maximum } : {})}
              value={typeof value === 'number' ? value : ''}
              placeholder={placeholder}
              onChange={(e) => set(name, e.target.value === '' ? undefined : Number(e.target.value))}
            />
          );
        } else {
          field = <input id={`param-${name}`} data-param={name} {...invalid} value={typeof value === 'string' ? value : ''} placeholder={placeholder} onChange={(e) => set(name, e.target.value)} />;
        }
        return (
          <label key={name} className={error === undefined ? 'param' : 'param param-invalid'} title={p.description}>
            <span className="param-title">{p.title ?? name}{required.has(name) ? ' *' : ''}</span>
            {field}
            {error === undefined ? null : <span id={`param-${name}-error`} className="param-error" role="alert">{error}</span>}
            {p.description ? <span className="param-help">{p.description}</span> : null}
          </label>
        );
      })}
    </form>
  );
}
