/** Markdown rendered with marked and sanitized with DOMPurify (no raw HTML from documents reaches the DOM). */
import { useMemo } from 'react';
import DOMPurify from 'dompurify';
import { marked } from 'marked';

/** Markdown text to sanitized HTML. */
export function markdownToHtml(text: string): string {
  return DOMPurify.sanitize(marked.parse(text, { async: false, gfm: true }));
}

/** Rendered markdown. */
export function Markdown({ text, onDoubleClick }: { text: string; onDoubleClick?: () => void }) {
  const html = useMemo(() => markdownToHtml(text), [text]);
  return <div className="markdown" onDoubleClick={onDoubleClick} dangerouslySetInnerHTML={{ __html: html }} />;
}
