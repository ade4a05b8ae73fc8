/**
 * Where things are in a file, for the line numbers of `eks-platform check`'s findings: the start of each YAML
 * document and of each field in it (js-yaml's event parser, which gives source offsets), and the key of each resource
 * of a Terraform JSON stack. Computed only for files with findings.
 */
import { EVENT_ID, getScalarValue, parseEvents, type Event } from 'js-yaml';

/** 1-based line numbers of offsets in a text. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      this.starts.push(i + 1);
    }
  }

  /** The line of an offset. */
  public lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** One YAML document: where it starts, and where each field path starts (`spec.containers[0].image`). */
interface DocumentPositions {
  readonly start: number;
  readonly fields: ReadonlyMap<string, number>;
}

/** The positions of a multi-document YAML text, documents in the order `loadAll` returns them. */
export class YamlPositions {
  private readonly lines: LineIndex;
  private readonly documents: DocumentPositions[] = [];

  constructor(text: string) {
    this.lines = new LineIndex(text);
    let events: Event[];
    try {
      events = parseEvents(text, {});
    } catch {
      return;
    }
    // a stack of open collections: for a mapping, the key awaiting its value; for a sequence, the next index
    type Frame = { readonly kind: 'map'; path: string; key?: string; keyAt?: number } | { readonly kind: 'seq'; path: string; index: number };
    let stack: Frame[] = [];
    let fields = new Map<string, number>();
    let start = -1;
    const childPath = (frame: Frame): { path: string; at?: number } => {
      if (frame.kind === 'seq') {
        return { path: `${frame.path}[${frame.index}]` };
      }
      return { path: frame.path === '' ? frame.key! : `${frame.path}.${frame.key!}`, at: frame.keyAt };
    };
    /** A value node began at `offset` (or at its key): record its path; returns the path. */
    const enter = (offset: number): string | undefined => {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (start < 0) start = offset;
        return '';
      }
      const { path, at } = childPath(top);
      fields.set(path, at ?? offset);
      return path;
    };
    /** A value node ended: advance the parent. */
    const leave = () => {
      const top = stack[stack.length - 1];
      if (top?.kind === 'seq') top.index++;
      else if (top?.kind === 'map') top.key = undefined;
    };
    for (const e of events) {
      if (e.type === EVENT_ID.DOCUMENT) {
        stack = [];
        fields = new Map();
        start = -1;
        this.documents.push({ start: -1, fields });
        continue;
      }
      const top = stack[stack.length - 1];
      if (e.type === EVENT_ID.SCALAR && top?.kind === 'map' && top.key === undefined) {
        top.key = getScalarValue(text, e);
        top.keyAt = e.valueStart;
        continue;
      }
      if (e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) {
        const path = enter(e.start) ?? '';
        stack.push(e.type === EVENT_ID.MAPPING ? { kind: 'map', path } : { kind: 'seq', path, index: 0 });
      } else if (e.type === EVENT_ID.SCALAR || e.type === EVENT_ID.ALIAS) {
        enter(e.type === EVENT_ID.SCALAR ? e.valueStart : e.anchorStart);
        leave();
      } else if (e.type === EVENT_ID.POP) {
        if (stack.length === 0) {
          // the document closes
          const doc = this.documents[this.documents.length - 1];
          if (doc !== undefined) this.documents[this.documents.length - 1] = { start, fields: doc.fields };
          continue;
        }
        stack.pop();
        leave();
      }
    }
  }

  /**
   * The line of a field of a document (`prefix` for the items of a `*List`), or of the nearest enclosing field that
   * exists (a finding about a missing field points at its parent), or of the document's start; undefined when the
   * document is not known.
   */
  public lineOf(document: number, field?: string, prefix = ''): number | undefined {
    const doc = this.documents[document];
    if (doc === undefined) {
      return undefined;
    }
    const parts = [prefix.replace(/\.$/, ''), field ?? ''].filter((p) => p !== '').join('.');
    for (let path = parts; path !== ''; path = parentOf(path)) {
      const at = doc.fields.get(path);
      if (at !== undefined) {
        return this.lines.lineOf(at);
      }
    }
    return doc.start >= 0 ? this.lines.lineOf(doc.start) : undefined;
  }
}

/** `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``. */
function parentOf(path: string): string {
  const m = /(\.[^.[\]]+|\[\d+\])$/.exec(path);
  return m === null ? '' : path.slice(0, m.index);
}

/** The line of `"<name>": {` of a resource (`<type>.<name>`) or data source (`data.<type>.<name>`) of a Terraform JSON stack. */
export function terraformResourceLine(text: string, kind: string, name: string): number | undefined {
  const type = kind.startsWith('data.') ? kind.slice(5) : kind;
  const section = text.indexOf(kind.startsWith('data.') ? '"data"' : '"resource"');
  if (section < 0) return undefined;
  const typeAt = text.indexOf(`${JSON.stringify(type)}:`, section);
  if (typeAt < 0) return undefined;
  const nameAt = text.indexOf(`${JSON.stringify(name)}:`, typeAt);
  return nameAt < 0 ? undefined : new LineIndex(text).lineOf(nameAt);
}
