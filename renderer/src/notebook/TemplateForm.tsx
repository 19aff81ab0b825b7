/**
 * A template cell's parameters as a form generated from the template's JSON Schema: strings
 * (select when `enum`), integers and numbers, booleans, arrays of strings or numbers (one
 * comma-separated field), stored-secret references (one field for the secret's name), scalar
 * alternatives (`oneOf` of string/integer: one text field, a number when it reads as one),
 * discriminated unions of objects (`oneOf` + a tag such as `kind`: a select for the tag, then the
 * chosen branch's fields, nested as needed — the `data.load` template and HTTP pagination), and,
 * for any other object (e.g. a map of headers), a JSON text field. Labels and help come from
 * `title`/`description`; `default` fills the placeholder. Each field is validated against its
 * schema as it changes ({@link validateParams}), and the message ("Epochs must be at least 1")
 * shows under the field; the engine (renderTemplateCode) validates again at run time.
 */
import { useState } from 'react';
import { formFields, isSecretRef, unionTag, validateParam, validateParams, type ParamSchema } from './param-validation.ts';

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

/** A scalar-alternatives field's text as its value: a number when it reads as one and a numeric alternative exists. */
export function parseAlternative(text: string, alternatives: ParamSchema[]): unknown {
  if (text === '') return undefined;
  const numeric = alternatives.some((a) => a.type === 'integer' || a.type === 'number');
  return numeric && /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text;
}

const typeOf = (p: ParamSchema): string | undefined => (Array.isArray(p.type) ? p.type[0] : p.type);

/** Attributes every input carries: id, `data-param` (the dotted path) and the invalid state. */
interface FieldAttributes {
  id: string;
  'data-param': string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

function ListField({ attributes, value, itemType, placeholder, onChange }: { attributes: FieldAttributes; value: unknown; itemType: string | undefined; placeholder: string; onChange(v: unknown[]): void }) {
  const [text, setText] = useState(listText(value));
  return (
    <input
      {...attributes}
      value={text}
      placeholder={placeholder}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseList(e.target.value, itemType));
      }}
    />
  );
}

/** A JSON text field for object values the form has no widget for; invalid JSON is reported and not applied. */
function JsonField({ attributes, value, onChange }: { attributes: FieldAttributes; value: unknown; onChange(v: unknown): void }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  const [problem, setProblem] = useState<string>();
  return (
    <>
      <textarea
        {...attributes}
        className="param-json"
        rows={2}
        value={text}
        placeholder='{"name": "value"}'
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setProblem(undefined);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value) as unknown);
            setProblem(undefined);
          } catch {
            setProblem('not valid JSON yet');
          }
        }}
      />
      {problem ? <span className="param-error">{problem}</span> : null}
    </>
  );
}

/** Props of the fields of one object level. */
interface FieldsProps {
  schema: ParamSchema;
  value: Record<string, unknown>;
  /** Path of this object from the form root (`[]` at the top, `['pagination']` below). */
  path: string[];
  /** Messages by field name, at this level. */
  errors: Record<string, string>;
  onChange(value: Record<string, unknown>): void;
}

/** The fields of one object: its properties and, for a discriminated union, the chosen branch's. */
function Fields({ schema, value, path, errors, onChange }: FieldsProps) {
  const { properties, required, tag, tagTitles } = formFields(schema, value);
  const set = (name: string, v: unknown): void => {
    const next = { ...value };
    if (v === undefined || v === '') delete next[name];
    else next[name] = v;
    onChange(next);
  };
  /** A new tag keeps only the fields the new branch (or the object itself) also has. */
  const setTag = (name: string, v: unknown): void => {
    const keep = formFields(schema, { [name]: v }).properties;
    const next: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) if (k in keep) next[k] = x;
    if (v === undefined || v === '') delete next[name];
    else next[name] = v;
    onChange(next);
  };
  return (
    <>
      {Object.entries(properties).map(([name, p]) => {
        const key = [...path, name].join('.');
        const fieldValue = value[name];
        const error = errors[name];
        const attributes: FieldAttributes = { id: `param-${key}`, 'data-param': key, ...(error === undefined ? {} : { 'aria-invalid': true, 'aria-describedby': `param-${key}-error` }) };
        const placeholder = p.default === undefined ? '' : Array.isArray(p.default) ? p.default.join(', ') : typeof p.default === 'object' ? JSON.stringify(p.default) : String(p.default);
        const type = typeOf(p);
        let field;
        let nested = false;
        if (name === tag || p.enum) {
          const choices = p.enum ?? Object.keys(tagTitles ?? {});
          field = (
            <select {...attributes} value={fieldValue === undefined ? '' : String(fieldValue)} onChange={(e) => (name === tag ? setTag : set)(name, e.target.value === '' ? undefined : e.target.value)}>
              <option value="">{placeholder ? `default (${placeholder})` : '—'}</option>
              {choices.map((v) => <option key={String(v)} value={String(v)}>{name === tag ? (tagTitles?.[String(v)] ?? String(v)) : String(v)}</option>)}
            </select>
          );
        } else if (isSecretRef(p)) {
          const secret = typeof fieldValue === 'object' && fieldValue !== null ? String((fieldValue as { secret?: unknown }).secret ?? '') : '';
          field = <input {...attributes} value={secret} placeholder="name of a stored secret" autoComplete="off" onChange={(e) => set(name, e.target.value === '' ? undefined : { secret: e.target.value })} />;
        } else if (unionTag(p) !== undefined) {
          nested = true;
          const inner = typeof fieldValue === 'object' && fieldValue !== null ? (fieldValue as Record<string, unknown>) : {};
          const innerErrors = fieldErrors(p, inner);
          field = (
            <fieldset className="param-group" data-param={key}>
              <Fields schema={p} value={inner} path={[...path, name]} errors={innerErrors} onChange={(v) => set(name, Object.keys(v).length === 0 ? undefined : v)} />
            </fieldset>
          );
        } else if (p.oneOf) {
          field = <input {...attributes} value={fieldValue === undefined ? '' : String(fieldValue)} placeholder={placeholder} onChange={(e) => set(name, parseAlternative(e.target.value, p.oneOf ?? []))} />;
        } else if (type === 'boolean') {
          field = <input {...attributes} type="checkbox" checked={fieldValue === true} onChange={(e) => set(name, e.target.checked)} />;
        } else if (type === 'array') {
          field = <ListField attributes={attributes} value={fieldValue} itemType={p.items ? typeOf(p.items) : undefined} placeholder={placeholder} onChange={(v) => set(name, v.length === 0 && !required.has(name) ? undefined : v)} />;
        } else if (type === 'integer' || type === 'number') {
          field = (
            <input
              {...attributes}
              type="number"
              step={type === 'integer' ? 1 : 'any'}
              {...(p.minimum !== undefined ? { min: p.minimum } : {})}
              {...(p.maximum !== undefined ? { max: p.maximum } : {})}
              value={typeof fieldValue === 'number' ? fieldValue : ''}
              placeholder={placeholder}
              onChange={(e) => set(name, e.target.value === '' ? undefined : Number(e.target.value))}
            />
          );
        } else if (type === 'object') {
          field = <JsonField attributes={attributes} value={fieldValue} onChange={(v) => set(name, v)} />;
        } else {
          field = <input {...attributes} value={typeof fieldValue === 'string' ? fieldValue : ''} placeholder={placeholder} onChange={(e) => set(name, e.target.value)} />;
        }
        const className = `param${nested ? ' param-nested' : ''}${error === undefined || nested ? '' : ' param-invalid'}`;
        const body = (
          <>
            <span className="param-title">{p.title ?? name}{required.has(name) ? ' *' : ''}</span>
            {field}
            {error === undefined || nested ? null : <span id={`param-${key}-error`} className="param-error" role="alert">{error}</span>}
            {p.description ? <span className="param-help">{p.description}</span> : null}
          </>
        );
        // A nested group is a <div>: a <label> must not wrap several inputs.
        return nested ? <div key={name} className={className} title={p.description}>{body}</div> : <label key={name} className={className} title={p.description}>{body}</label>;
      })}
    </>
  );
}

/** Messages of the fields of one object level (the nested levels report their own). */
function fieldErrors(schema: ParamSchema, value: Record<string, unknown>): Record<string, string> {
  const { properties, required } = formFields(schema, value);
  const errors: Record<string, string> = {};
  for (const [name, p] of Object.entries(properties)) {
    if (unionTag(p) !== undefined) continue;
    const message = validateParam(name, p, value[name], required.has(name));
    if (message !== undefined) errors[name] = message;
  }
  return errors;
}

/** The generated form. */
export function TemplateForm({ schema, params, onChange }: TemplateFormProps) {
  const errors = validateParams(schema, params);
  return (
    <form className="template-form" onSubmit={(e) => e.preventDefault()} onKeyDown={(e) => e.stopPropagation()}>
      <Fields schema={schema as ParamSchema} value={params} path={[]} errors={errors} onChange={onChange} />
    </form>
  );
}
