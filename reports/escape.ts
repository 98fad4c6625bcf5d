/** Escaping of strings that come from a CSV: every one passes through here before output. */
import { neutraliseCell } from '../results/csv.js';

/** Text for HTML element content and attribute values (quoted with "). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Text for a Markdown table cell (GitHub-flavoured): HTML-significant characters become
 * entities, the Markdown punctuation that can start emphasis, code, links or strike-through is backslash-escaped, pipes cannot end the cell, and
 * newlines cannot end the row. A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`
 * first) gets a leading `'`, as in the results CSV (the OWASP CSV-injection rule).
 */
export function escapeMarkdown(s: string): string {
  return neutraliseCell(s)
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([`*_[\]|~])/g, '\\$1')
    .replace(/\r?\n|\r/g, ' ');
}
