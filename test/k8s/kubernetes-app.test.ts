/**
 * Bad inputs fail synth with a clear error and leave the previous `dist/<env>/` untouched
 * (the synth goes through `writeAtomically`, as apps/cdk8s-app.ts and apps/main.ts do).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { buildKubernetesApp, KUBERNETES_FILE } from '../../lib/app/kubernetes-app';
import { checkOutput } from '../../lib/policy/gate';
import { environments, platform, services, imageSources } from '../fixtures/shop';
import { Microservice } from '../../lib/k8s/microservice';
import { Platform } from '../../lib/model/platform';
import { PortProtocol, type ServiceDefinition } from '../../lib/model/service';
import { listFiles, writeAtomically } from '../../lib/synth';

const GOOD: ServiceDefinition = {
  name: 'cart',
  namespace: 'shop',
  partOf: 'shop',
  versions: [{ name: 'v1', image: 'registry.example.com/shop/cart:4.1.0' }],
  ports: [{ name: 'web', port: 8080, protocol: PortProtocol.HTTP }],
};

let goodDev: string;
beforeAll(() => {
  // one good synth of dev, copied as the "previous output" of every test
  goodDev = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dist-good-')), 'dev');
  writeAtomically([{ dir: goodDev, write: (tmp) => buildKubernetesApp(platform, 'dev', tmp).synth() }], { gate: checkOutput });
});

/** A `dist/dev` holding a previous, good synth; returns its folder and its file's content. */
function previousDist(): { dir: string; before: string } {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dist-kept-')), 'dist', 'dev');
  fs.cpSync(goodDev, dir, { recursive: true });
  return { dir, before: fs.readFileSync(path.join(dir, KUBERNETES_FILE), 'utf8') };
}

/** Synthesizes `define` into `dir` atomically; expects it to throw `message` and `dir` to keep its previous content. */
function expectFailedSynthKeepsDist(define: (chart: Chart) => void, message: RegExp): void {
  const { dir, before } = previousDist();
  expect(() => writeAtomically([{
    dir,
    write: (tmp) => {
      const app = new App({ outdir: tmp });
      define(new Chart(app, 'platform'));
      app.synth();
    },
  }], { gate: checkOutput })).toThrow(message);
  // the previous synth's files (its YAML and the runbooks beside it), unchanged
  expect(listFiles(dir)).toEqual(listFiles(goodDev));
  expect(fs.readFileSync(path.join(dir, KUBERNETES_FILE), 'utf8')).toBe(before);
  expect(fs.readdirSync(path.dirname(dir))).toEqual(['dev']);
}

describe('synth of bad input', () => {
  test('fails when an image is latest (or has no tag), and leaves dist/ untouched', () => {
    expectFailedSynthKeepsDist(
      (chart) => new Microservice(chart, 'Cart', { service: { ...GOOD, versions: [{ name: 'v1', image: 'registry.example.com/shop/cart:latest' }] } }),
      /platform\/Cart: service.versions.v1.image is "registry.example.com\/shop\/cart:latest"; allowed: an image pinned by tag/,
    );
    expectFailedSynthKeepsDist(
      (chart) => new Microservice(chart, 'Cart', { service: { ...GOOD, versions: [{ name: 'v1', image: 'registry.example.com/shop/cart' }] } }),
      /an image without a tag means latest/,
    );
  });

  test('fails when a namespace quota cannot hold the autoscaler maximum, naming the shortfall, and leaves dist/ untouched', () => {
    const { dir, before } = previousDist();
    const dev = environments.find((e) => e.name === 'dev');
    if (!dev) throw new Error('no dev');
    const small = new Platform({ ...imageSources,
      name: 'shop',
      services,
      environments: [{ ...dev, kubernetes: { ...dev.kubernetes, namespaceQuota: { ...dev.kubernetes.namespaceQuota, requestsCpuMillis: 4000, pods: 20 } } }],
    });
    // shop at max: 14 Deployments x 2 replicas = 28 pods; cpu per replica set 12 x 250m + 2 x 500m = 4000m, times 2 = 8000m,
    // plus the injected proxy's 100m in each of the 28 pods = 2800m: 10800m
    expect(() => writeAtomically([{ dir, write: (tmp) => buildKubernetesApp(small, 'dev', tmp).synth() }])).toThrow(
      /platform\/Namespaces\/shop: quota.requestsCpuMillis is 4000; allowed: at least 10800 to hold every workload at its autoscaler maximum \(short by 6800; workloads: cart 700, catalog 1400, [^)]*search 1200[^)]*\)[\s\S]*quota.pods is 20; allowed: at least 28/,
    );
    expect(fs.readFileSync(path.join(dir, KUBERNETES_FILE), 'utf8')).toBe(before);
  });

  test('fails when two ports share a name, and leaves dist/ untouched', () => {
    expectFailedSynthKeepsDist(
      (chart) => new Microservice(chart, 'Cart', { service: { ...GOOD, ports: [GOOD.ports[0], { name: 'web', port: 8081, protocol: PortProtocol.HTTP }] } }),
      /platform\/Cart: ports\[\].name is "http-web"; allowed: unique port names/,
    );
  });

  test('fails when a name is not a DNS-1123 label, and leaves dist/ untouched', () => {
    expectFailedSynthKeepsDist(
      (chart) => new Microservice(chart, 'Cart', { service: { ...GOOD, name: 'Cart_Service' } }),
      /platform\/Cart: service.name is "Cart_Service"; allowed: a DNS-1123 label/,
    );
  });

  test('fails when a host path is mounted, and leaves dist/ untouched', () => {
    expectFailedSynthKeepsDist(
      (chart) => new Microservice(chart, 'Cart', { service: GOOD, hardening: { insecure: { hostPaths: [{ hostPath: '/var/run/docker.sock', mountPath: '/var/run/docker.sock' }] } } }),
      /platform\/Cart: hardening.insecure.hostPaths is \["\/var\/run\/docker.sock"\]; allowed: none in a namespace enforcing "restricted": a host path gives the pod the node's files/,
    );
  });

  test('fails when the pod-security gate finds a violation in the written YAML, and leaves dist/ untouched', () => {
    const { dir, before } = previousDist();
    expect(() => writeAtomically([{ dir, write: (tmp) => fs.writeFileSync(path.join(tmp, 'bad.k8s.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: nginx\n') }], { gate: checkOutput }))
      .toThrow(/Pod bad: spec.hostNetwork: must be unset or false \[baseline\/host-namespaces\]/);
    expect(fs.readFileSync(path.join(dir, KUBERNETES_FILE), 'utf8')).toBe(before);
  });
});
