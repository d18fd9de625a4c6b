/**
 * Turns input lines into messages: a line ending in `\` continues on the next line, and lines
 * between two `"""` lines form one message.
 */
export class LineCollector {
  private lines: string[] = [];
  private inBlock = false;
  private continued = false;

  /** True while a message is being collected over several lines. */
  get pending(): boolean {
    return this.inBlock || this.continued;
  }

  /** Adds a line; returns the finished message, or undefined while more lines are expected. */
  push(line: string): string | undefined {
    if (this.inBlock) {
      if (line.trim() === '"""') {
        this.inBlock = false;
        return this.flush();
      }
      this.lines.push(line);
      return undefined;
    }
    if (!this.continued && line.trim() === '"""') {
      this.inBlock = true;
      return undefined;
    }
    if (line.endsWith('\\')) {
      this.continued = true;
      this.lines.push(line.slice(0, -1));
      return undefined;
    }
    this.continued = false;
    this.lines.push(line);
    return this.flush();
  }

  private flush(): string {
    const message = this.lines.join('\n');
    this.lines = [];
    return message;
  }
}
