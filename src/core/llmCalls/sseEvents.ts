// Server-sent events, read incrementally: text arrives in chunks cut anywhere (mid-line,
// mid-event), and every complete event's `data` is handed on as soon as its blank line is
// seen. Only `data` matters to the proxy (OpenAI puts the JSON there; the `event:` name
// repeats its `type`). Follows the HTML standard's rules: lines end in \n, \r\n or \r, a
// field's value loses one leading space, several data lines join with \n.

export class SseReader {
  private buffer = '';
  private data: string[] = [];
  /** A \r ended the last chunk: a \n starting the next one belongs to it. */
  private pendingCr = false;

  constructor(private readonly onData: (data: string) => void) {}

  push(text: string): void {
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = text.endsWith('\r');
    this.buffer += text;
    let start = 0;
    for (;;) {
      const end = this.buffer.slice(start).search(/\r\n|\n|\r/);
      if (end < 0) break;
      const line = this.buffer.slice(start, start + end);
      const breakLength = this.buffer.startsWith('\r\n', start + end) ? 2 : 1;
      start += end + breakLength;
      this.line(line);
    }
    this.buffer = this.buffer.slice(start);
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
