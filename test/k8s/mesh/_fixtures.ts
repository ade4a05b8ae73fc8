/**
 * Hand-made workloads for the mesh tests, shaped like the workloads of issue 4 (pods labelled
 * with `podLabels`, one Deployment per version, a Service selecting `serviceSelector` with ports
 * named `portName`), so that the analyzer has pods and Services to look at.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { podLabels, portName, serviceSelector, type Platform, type ServiceDefinition } from '../../../lib/model';

export interface FixtureOptions {
  /** UID of the pods. @default 10001 */
  readonly runAsUser?: number;
  /** Rename Service ports. @default portName */
  readonly portNameOf?: (service: ServiceDefinition, port: ServiceDefinition['ports'][number]) => string;
  /** Skip the Deployment of these `service/version` pairs. @default none */
  readonly skipVersions?: readonly string[];
}

/** A Deployment per version and a Service per service, as plain ApiObjects. */
export function addWorkloadFixtures(scope: Construct, platform: Platform, options: FixtureOptions = {}): void {
  const root = new Construct(scope, 'Workloads');
  for (const service of platform.services) {
    const s = new Construct(root, `${service.namespace}-${service.name}`);
    new ApiObject(s, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.name, namespace: service.namespace },
      spec: {
        selector: serviceSelector(service),
        ports: service.ports.map((p) => ({ name: options.portNameOf ? options.portNameOf(service, p) : portName(p), port: p.port, targetPort: p.targetPort ?? p.port })),
      },
    });
    for (const version of service.versions) {
      if (options.skipVersions?.includes(`${service.name}/${version.name}`)) {
        continue;
      }
      const labels = podLabels(service, version);
      new ApiObject(s, `Deployment-${version.name}`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${service.name}-${version.name}`, namespace: service.namespace },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/name': service.name, version: version.name } },
          template: {
            metadata: { labels },
            spec: {
              securityContext: { runAsNonRoot: true, runAsUser: options.runAsUser ?? 10001, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [{ name: 'app', image: version.image }],
            },
          },
        },
      });
    }
  }
}
