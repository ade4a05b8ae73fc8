import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { platform as referencePlatform } from '../../apps/platform';
import { KubernetesApp, buildKubernetesApp, stringifyYaml } from '../../lib/app/kubernetes-app';
import { readKubernetesObjects } from '../../lib/policy/gate';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kubernetes-app-test-'));
}

/** What a YAML 1.1 reader (kubectl, Argo CD: go-yaml) makes of a text, modelled by the `yaml` package in 1.1 mode. */
function readAsYaml11(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS());
}

describe('KubernetesApp', () => {
  const tricky = { yes: 'yes', on: 'on', n: 'n', dot: '.', version: '1.0', octal: '0777', time: '1:20', date: '2026-11-22', nul: 'null', tilde: '~', empty: '', minus: '-1', plus: '+1', hex: '0x1F', inf: '.inf', multi: 'line 1\nline 2\n' };

  test('writes one file per chart, objects in dependency order, that YAML 1.1 and 1.2 readers read alike', () => {
    const outdir = scratch();
    const app = new KubernetesApp({ outdir });
    const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
    const config = new ApiObject(chart, 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', namespace: 'erp' }, data: tricky });
    const ns = new ApiObject(chart, 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'erp' } });
    config.node.addDependency(ns);
    app.synth();
    expect(fs.readdirSync(outdir)).toEqual(['platform.k8s.yaml']);
    const text = fs.readFileSync(path.join(outdir, 'platform.k8s.yaml'), 'utf8');
    const expected = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'erp' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', namespace: 'erp' }, data: tricky }];
    expect(loadAll(text)).toEqual(expected);
    expect(readAsYaml11(text)).toEqual(expected);
  });

  test('orders the objects below a construct after those below the construct it depends on', () => {
    const outdir = scratch();
    const app = new KubernetesApp({ outdir });
    const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
    const workloads = new ApiObject(chart, 'A', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'erp' } });
    const namespaces = new ApiObject(chart, 'Z', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'erp' } });
    workloads.node.addDependency(namespaces);
    app.synth();
    const kinds = (loadAll(fs.readFileSync(path.join(outdir, 'platform.k8s.yaml'), 'utf8')) as Array<{ kind: string }>).map((o) => o.kind);
    expect(kinds).toEqual(['Namespace', 'ServiceAccount']);
  });

  test('fails when a construct\'s validation fails, and writes nothing', () => {
    const outdir = path.join(scratch(), 'out');
    const app = new KubernetesApp({ outdir });
    const chart = new Chart(app, 'platform');
    chart.node.addValidation({ validate: () => ['quota too small'] });
    expect(() => app.synth()).toThrow('Validation failed with the following errors:\n  [platform] quota too small');
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('quotes every string a YAML 1.1 reader would take for something else', () => {
    const text = stringifyYaml([{ data: tricky }]);
    expect(readAsYaml11(text)).toEqual([{ data: tricky }]);
    expect(text).toContain('dot: "."');
    expect(text).toContain('"yes": "yes"');
  });
});

describe('the gate\'s use of the objects KubernetesApp wrote', () => {
  test('the YAML writer round-trips every environment of the reference platform (load(dump(x)) equals x)', () => {
    for (const env of referencePlatform.environments) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-roundtrip-'));
      const app = buildKubernetesApp(referencePlatform, env.name, dir);
      app.synth();
      expect([...app.written.keys()].sort()).toEqual(['argocd.k8s.yaml', 'platform.k8s.yaml']);
      for (const [file, { text, objects }] of app.written) {
        expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(text);
        expect(loadAll(text)).toEqual(objects);
      }
    }
  });

  test('a file changed after it was written is parsed from disk, not taken from the writer', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-known-'));
    const app = buildKubernetesApp(referencePlatform, 'dev', dir);
    app.synth();
    const [file] = [...app.written.keys()];
    fs.appendFileSync(path.join(dir, file), '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added-later\n  namespace: shop\n');
    const kinds = readKubernetesObjects(dir, app.written).map((o) => `${o.object.kind}/${o.object.metadata?.name}`);
    expect(kinds).toContain('ConfigMap/added-later');
  });
});
