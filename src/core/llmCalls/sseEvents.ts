// Server-sent events, read incrementally: text arrives in chunks cut anywhere (mid-line,
// mid-event), and every complete event's `data` is handed on as soon as its blank line is
// seen. Only `data` matters to the proxy (OpenAI puts the JSON there; the `event:` name
// repeats its `type`). Follows the HTML standard's rules: lines end in \n, \r\n or \r, a
// field's value loses one leading space, several data lines join with \n.

/**
 * Characters of one line kept while it has not ended: past this the line is dropped when it
 * ends (its bytes still pass through the proxy; only the span does not read it). A stream is
 * the provider's to send, and one line need not ever end.
 */
export const MAX_LINE_CHARS = 32 * 1024 * 1024;

export class SseReader {
  /** The current line's text so far, in the pieces it came in: joined once, when the line ends. */
  private partial: string[] = [];
  private partialLength = 0;
  private data: string[] = [];
  /** A \r ended the last chunk: a \n starting the next one belongs to it. */
  private pendingCr = false;

  constructor(private readonly onData: (data: string) => void) {}

  /**
   * Each character is looked at once: the reader used to search the whole unfinished line
   * again at every chunk, and a 12 MB line held the process up for seconds.
   */
  push(text: string): void {
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = text.endsWith('\r');
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const overlong = this.partialLength > MAX_LINE_CHARS;
      const rest = text.slice(start, i);
      const line = this.partial.length ? this.partial.join('') + rest : rest;
      this.partial = [];
      this.partialLength = 0;
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      if (!overlong) this.line(line);
    }
    if (start < text.length) {
      if (this.partialLength <= MAX_LINE_CHARS) this.partial.push(start ? text.slice(start) : text);
      this.partialLength += text.length - start;
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onData(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    const value = colon < 0 ? '' : line.slice(colon + 1);
    this.data.push(value.startsWith(' ') ? value.slice(1) : value);
  }
}
