export type Severity = 'error' | 'warning';

/** Where a kickstart fact came from: the file as the caller named it and its 1-based line. */
export interface Location {
  file: string;
  line: number;
}

export interface Diagnostic extends Location {
  severity: Severity;
  message: string;
}

/** Collects every problem a parse can recover from, so lint reports them all rather than the first. */
export class DiagnosticList {
  readonly items: Diagnostic[] = [];

  error(at: Location, message: string): void {
    this.items.push({ file: at.file, line: at.line, severity: 'error', message });
  }

  warning(at: Location, message: string): void {
    this.items.push({ file: at.file, line: at.line, severity: 'warning', message });
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'warning');
  }
}

/** `FILE: line N: message`; line 0 stands for the file as a whole (say, one that cannot be read). */
export function formatDiagnostic(d: Diagnostic): string {
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  const where = d.line > 0 ? `${d.file}: line ${d.line}` : d.file;
  return `${where}: ${prefix}${d.message}`;
}
