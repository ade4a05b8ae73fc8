/**
 * docs/model.md's "Field domains" table against the model: a row for every field of every type reachable from
 * `PlatformProps` (enumerated with the TypeScript compiler), no row for a field that is gone, and every test a row
 * cites present in the test sources.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { modelFieldPaths } from './_model-fields';

const ROOT = path.join(__dirname, '..', '..');

interface Row {
  readonly field: string;
  readonly allowed: string;
  readonly why: string;
  readonly test: string;
}

/** The rows of the table under "## Field domains" in docs/model.md. */
function tableRows(): Row[] {
  const doc = readFileSync(path.join(ROOT, 'docs', 'model.md'), 'utf8');
  const start = doc.indexOf('\n## Field domains');
  if (start < 0) {
    throw new Error('docs/model.md has no "## Field domains" section');
  }
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return section.split('\n').filter((line) => line.startsWith('| `')).map((line) => {
    const cells = line.slice(1, -1).split(' | ').map((c) => c.trim());
    const unquote = (c: string | undefined) => (c ?? '').replace(/^`|`$/g, '');
    return { field: unquote(cells[0]), allowed: cells[1] ?? '', why: cells[2] ?? '', test: unquote(cells[3]) };
  });
}

/** The text of every test source file (test/**\/*.ts). */
function testSources(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) {
        walk(full);
      } else if (entry.endsWith('.ts')) {
        files.push(full);
      }
    }
  };
  walk(path.join(ROOT, 'test'));
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('docs/model.md field domains', () => {
  const fields = modelFieldPaths(ROOT);
  const rows = tableRows();

  test('the compiler finds the fields of every model type reachable from PlatformProps', () => {
    expect(fields).toEqual(expect.arrayContaining([
      'name',
      'environments[].nodeGroups[].taints[].effect',
      'environments[].kubernetes.serviceOverrides.<key>.minReplicas',
      'services[].ports[].name',
      'services[].release.options.testerRoute.header',
      'services[].alerts.<key>.for',
      'observability.alerting.maintenanceWindows[].times[].start',
      'dataStores[].engine',
      'registry.accountId',
    ]));
    expect(fields.length).toBeGreaterThan(200);
  });

  test('fails when a field of the model has no row in the table', () => {
    const documented = new Set(rows.map((r) => r.field));
    expect(fields.filter((f) => !documented.has(f))).toEqual([]);
  });

  test('fails when a row names a field the model no longer has, or a field twice', () => {
    const known = new Set(fields);
    expect(rows.filter((r) => !known.has(r.field)).map((r) => r.field)).toEqual([]);
    const names = rows.map((r) => r.field);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  test('fails when a row leaves its domain, its reason or its test empty', () => {
    expect(rows.filter((r) => r.allowed === '' || r.why === '' || r.test === '').map((r) => r.field)).toEqual([]);
  });

  test('fails when a row cites a test that no test file has', () => {
    const sources = testSources();
    // a name in a test file is a string literal: quoted as is, or with its quotes escaped
    const present = (name: string) => [`'${name.replace(/'/g, "\\'")}'`, `"${name.replace(/"/g, '\\"')}"`, `\`${name}\``].some((quoted) => sources.includes(quoted));
    expect(rows.filter((r) => !r.test.startsWith('fails when ') || !present(r.test)).map((r) => `${r.field}: ${r.test}`)).toEqual([]);
  });
});
