/**
 * Validates synthesized Argo CD Applications against the schema of `@kubernetes-models/argo-cd`
 * (ESM-only: loaded with `await import()`, which jest keeps under --experimental-vm-modules).
 */
export async function validateApplications(objects: readonly { apiVersion: string; kind: string; metadata: { name: string } }[]): Promise<{ checked: number; errors: string[] }> {
  const { Application } = await import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application');
  const errors: string[] = [];
  let checked = 0;
  for (const o of objects.filter((x) => x.apiVersion === 'argoproj.io/v1alpha1' && x.kind === 'Application')) {
    checked += 1;
    try {
      new Application(o as never).validate();
    } catch (e) {
      errors.push(`Application ${o.metadata.name}: ${(e as Error).message}`);
    }
  }
  return { checked, errors };
}
