/**
 * Monaco editor of one code cell, sized to its content. Notebook keys (Shift+Enter, Ctrl+Enter,
 * Alt+Enter, Esc, Ctrl+S) are editor commands that call the latest handlers through a ref.
 */
import { useEffect, useRef, useState } from 'react';
import { Editor, type OnMount } from '@monaco-editor/react';
import { cellUri, monaco } from './monaco-setup.ts';

/** Handlers of the notebook keys pressed inside the editor. */
export interface EditorKeys {
  runAndAdvance(): void;
  run(): void;
  runAndInsert(): void;
  commandMode(): void;
  save(): void;
}

/** Props of {@link CodeEditor}. */
export interface CodeEditorProps {
  id: string;
  source: string;
  language?: string;
  /** 1-based line to mark as the error line. */
  errorLine?: number;
  /** Focus the editor when mounted (edit mode). */
  focus: boolean;
  readOnly?: boolean;
  onChange(source: string): void;
  onFocus(): void;
  keys: EditorKeys;
}

/** The Monaco editor of a cell. */
export function CodeEditor(props: CodeEditorProps) {
  const [height, setHeight] = useState(Math.max(1, props.source.split('\n').length) * 19 + 10);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const keys = useRef(props.keys);
  keys.current = props.keys;
  const decorations = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);

  const onMount: OnMount = (editor) => {
    editorRef.current = editor;
    const { KeyMod, KeyCode } = monaco;
    const widgetsClosed = '!suggestWidgetVisible && !findWidgetVisible && !renameInputVisible && !parameterHintsVisible';
    editor.addCommand(KeyMod.Shift | KeyCode.Enter, () => keys.current.runAndAdvance());
    editor.addCommand(KeyMod.CtrlCmd | KeyCode.Enter, () => keys.current.run());
    editor.addCommand(KeyMod.Alt | KeyCode.Enter, () => keys.current.runAndInsert());
    editor.addCommand(KeyMod.CtrlCmd | KeyCode.KeyS, () => keys.current.save());
    editor.addCommand(KeyCode.Escape, () => keys.current.commandMode(), widgetsClosed);
    editor.onDidContentSizeChange((e) => setHeight(Math.min(Math.max(e.contentHeight, 28), 2000)));
    editor.onDidFocusEditorText(() => props.onFocus());
    setHeight(Math.max(editor.getContentHeight(), 28));
    if (props.focus) editor.focus();
  };

  useEffect(() => {
    if (props.focus) editorRef.current?.focus();
  }, [props.focus]);

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    decorations.current?.clear();
    if (props.errorLine !== undefined) {
      decorations.current = editor.createDecorationsCollection([
        { range: new monaco.Range(props.errorLine, 1, props.errorLine, 1), options: { isWholeLine: true, className: 'monaco-error-line', linesDecorationsClassName: 'monaco-error-gutter' } },
      ]);
    }
  }, [props.errorLine, height]);

  return (
    <div className="code-editor" style={{ height }} data-testid="monaco">
      <Editor
        path={cellUri(props.id, props.language)}
        defaultLanguage={props.language === 'javascript' ? 'javascript' : 'typescript'}
        defaultValue={props.source}
        keepCurrentModel
        onChange={(value) => props.onChange(value ?? '')}
        onMount={onMount}
        loading={<pre className="code-static">{props.source}</pre>}
        options={{
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          automaticLayout: true,
          fontSize: 13,
          lineNumbers: 'on',
          lineNumbersMinChars: 3,
          folding: false,
          renderLineHighlight: 'none',
          scrollbar: { vertical: 'hidden', alwaysConsumeMouseWheel: false },
          overviewRulerLanes: 0,
          readOnly: props.readOnly ?? false,
          tabSize: 2,
          wordWrap: 'on',
        }}
      />
    </div>
  );
}
