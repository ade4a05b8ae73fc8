/**
 * Validates synthesized Velero objects against the `openAPIV3Schema` of Velero v1.18.1's CRDs
 * (lib/k8s/backups/velero-models/crds, the files the models there are generated from), with ajv.
 */
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** The CRD folder. */
export const VELERO_CRDS = path.join(__dirname, '..', '..', '..', 'lib', 'k8s', 'backups', 'velero-models', 'crds');

interface Crd { spec: { names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> } }

/**
 * The schema with `additionalProperties: false` on every object that lists its properties (and does not preserve
 * unknown fields): the API server silently prunes an unknown (misspelled) field, which these tests then refuse.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const s = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'enum' || k === 'required' ? v : closed(v)])) as Record<string, unknown>;
  if (s.properties && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) {
    s.additionalProperties = false;
  }
  return s;
}

/** A validator per kind (`velero.io/v1`). */
export function veleroValidators(): Map<string, (o: unknown) => string[]> {
  // Kubernetes' structural-schema keywords (x-kubernetes-*) and formats (int32, int64, byte, date-time) are not JSON
  // Schema's: ignored, as the API server's validation of them is not what is tested here
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const out = new Map<string, (o: unknown) => string[]>();
  for (const file of fs.readdirSync(VELERO_CRDS).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(fs.readFileSync(path.join(VELERO_CRDS, file), 'utf8')) as Crd;
    const v1 = crd.spec.versions.find((v) => v.name === 'v1');
    if (!v1) continue;
    const validate = ajv.compile(closed(v1.schema.openAPIV3Schema) as object);
    out.set(crd.spec.names.kind, (o) => (validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)));
  }
  return out;
}
