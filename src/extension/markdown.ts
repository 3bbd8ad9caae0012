// Building Markdown (for tooltips) from text we did not write. Span names, inputs and errors
// come from whatever a script sent, so every such value is escaped: no link, image, HTML tag
// or code fence in it survives as syntax. The vscode side renders the result with
// `isTrusted: false` and `supportHtml: false` as a second line of defence.

const MD_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&:"']/g;

export function escapeMarkdown(text: string): string {
  // Line breaks become spaces: a value must not start a heading, list or fence on a new line.
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(MD_SPECIAL, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `**Label** value`, the value escaped. */
export function field(label: string, value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : `**${label}** ${escapeMarkdown(value)}`;
}
