/**
 * A fast path for js-yaml's `dump` of Kubernetes objects: the same text, written directly instead of through
 * js-yaml's document model (which was a third of a large synth). Every scalar's text still comes from js-yaml itself
 * (cached per distinct value: the quoting rules stay js-yaml's and the platform's), and anything the fast path does
 * not handle exactly (multi-line strings, keys that need quoting, sequences directly in sequences, numbers that are
 * not plain) makes it hand the whole object to js-yaml. The tests compare both on every object of the reference
 * platforms and on random objects (test/app/yaml-writer.test.ts).
 */

/** Why the fast path hands an object to js-yaml. */
class NotFast extends Error {}

const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_./-]*$/;
/** Keys YAML 1.1 readers would take for something else than a string (js-yaml quotes them). */
const SPECIAL_KEY = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/** Writes objects as js-yaml's `dump` with the given scalar writer would, or throws NotFast. */
export class FastYamlWriter {
  private readonly scalars = new Map<string, string>();

  /**
   * @param dumpOne js-yaml's dump with the platform's options: used for the text of each distinct string, and for a
   *   whole object when the fast path cannot write it.
   */
  constructor(private readonly dumpOne: (value: unknown) => string) {}

  /** The YAML of one object (ending with a newline), identical to `dumpOne(object)`. */
  public write(object: unknown): string {
    if (object === null || typeof object !== 'object' || Array.isArray(object) || Object.keys(object).length === 0) {
      return this.dumpOne(object);
    }
    try {
      const out: string[] = [];
      this.mapping(object as Record<string, unknown>, 0, out);
      return out.join('');
    } catch (err) {
      if (err instanceof NotFast) {
        return this.dumpOne(object);
      }
      throw err;
    }
  }

  private scalar(value: unknown): string {
    if (value === null) {
      return 'null';
    }
    switch (typeof value) {
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        if (Number.isFinite(value) && !Object.is(value, -0) && Number.isSafeInteger(value)) {
          return String(value);
        }
        throw new NotFast();
      case 'string': {
        let text = this.scalars.get(value);
        if (text === undefined) {
          if (value.includes('\n') || value.includes('\r')) {
            throw new NotFast();
          }
          const dumped = this.dumpOne(value);
          text = dumped.slice(0, -1);
          if (!dumped.endsWith('\n') || text.includes('\n')) {
            throw new NotFast();
          }
          this.scalars.set(value, text);
        }
        return text;
      }
      default:
        throw new NotFast();
    }
  }

  private key(key: string): string {
    if (!PLAIN_KEY.test(key) || SPECIAL_KEY.test(key)) {
      throw new NotFast();
    }
    return key;
  }

  /** A non-empty mapping, each line indented by `indent`. */
  private mapping(map: Record<string, unknown>, indent: number, out: string[]): void {
    const pad = ' '.repeat(indent);
    for (const k of Object.keys(map)) {
      const v = map[k];
      if (v === undefined) {
        throw new NotFast();
      }
      out.push(pad, this.key(k), ':');
      this.value(v, indent, out);
    }
  }

  /** The value after `key:` of a mapping at `indent`. */
  private value(v: unknown, indent: number, out: string[]): void {
    if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) {
        if (v.length === 0) {
          out.push(' []\n');
        } else {
          out.push('\n');
          this.sequence(v, indent + 2, out);
        }
        return;
      }
      if (Object.keys(v).length === 0) {
        out.push(' {}\n');
      } else {
        out.push('\n');
        this.mapping(v as Record<string, unknown>, indent + 2, out);
      }
      return;
    }
    out.push(' ', this.scalar(v), '\n');
  }

  /** A non-empty sequence, each `- ` at `indent`. */
  private sequence(items: readonly unknown[], indent: number, out: string[]): void {
    const pad = ' '.repeat(indent);
    for (const item of items) {
      if (item !== null && typeof item === 'object') {
        if (Array.isArray(item)) {
          throw new NotFast();
        }
        if (Object.keys(item).length === 0) {
          out.push(pad, '- {}\n');
          continue;
        }
        // the mapping at indent + 2, its first line's indentation replaced by "- "
        const lines: string[] = [];
        this.mapping(item as Record<string, unknown>, indent + 2, lines);
        lines[0] = `${pad}- `;
        out.push(...lines);
      } else {
        out.push(pad, '- ', this.scalar(item), '\n');
      }
    }
  }
}
