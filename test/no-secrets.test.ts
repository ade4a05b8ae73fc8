/**
 * No secret value in any output file: credentials are named by Secret reference only (webhook URLs, routing keys,
 * passwords), and nothing that looks like a key or token is written anywhere.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { platform } from '../apps/platform';
import { synthesize } from '../lib/app/synthesize';
import { listFiles } from '../lib/synth';

/** Fields that name a Secret or a key in one (a reference), or a user name: not a secret value. */
const REFERENCE_FIELDS = new Set(['existingSecret', 'passwordKey', 'userKey', 'secretName', 'credentialName', 'authUsername', 'authIdentity']);
const SECRET_FIELD = /(password|passwd|secret|token|routing.?key|api.?url|webhook|private.?key|auth)/i;
const SECRET_VALUE = [/hooks\.slack\.com\/services\//, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bAKIA[0-9A-Z]{16}\b/, /\bxox[abp]-[0-9A-Za-z-]+/, /\bghp_[0-9A-Za-z]{36}\b/];

/** Every string under a field whose name says secret, except references by name. */
function secretLikeFields(value: unknown, at: string, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => secretLikeFields(v, `${at}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_FIELD.test(k) && typeof v === 'string' && !REFERENCE_FIELDS.has(k)) {
        out.push(`${at}.${k}`);
      }
      secretLikeFields(v, `${at}.${k}`, out);
    }
  }
  return out;
}

describe('the output of every environment', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-secrets-'));
  synthesize(platform, { outdir });
  const files = listFiles(outdir).filter((f) => !f.startsWith('.eks-platform/'));

  test('names credentials by Secret reference only: no field that holds a secret has a value', () => {
    const found: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.yaml'))) {
      loadAll(fs.readFileSync(path.join(outdir, file), 'utf8')).forEach((doc) => {
        const o = doc as { kind?: string; metadata?: { name?: string } } | null;
        if (o) secretLikeFields(o, `${file}#${o.kind}/${o.metadata?.name}`, found);
      });
    }
    expect(found).toEqual([]);
    // the references are there: Alertmanager's receivers read their credentials from the Secret `alerting`
    expect(fs.readFileSync(path.join(outdir, 'dist', 'prod', 'platform.k8s.yaml'), 'utf8')).toContain('key: pagerduty-routing-key');
  });

  test('holds nothing that looks like a key, a token or a webhook URL, in any file of either world', () => {
    for (const file of files) {
      const text = fs.readFileSync(path.join(outdir, file), 'utf8');
      for (const pattern of SECRET_VALUE) {
        expect({ file, found: pattern.test(text) }).toEqual({ file, found: false });
      }
    }
  });

  test('the scan finds a secret value when there is one', () => {
    expect(secretLikeFields({ spec: { receivers: [{ slackConfigs: [{ apiURL: 'https://hooks.slack.com/services/T000/B000/XXX' }] }] } }, 'x')).toEqual(['x.spec.receivers[0].slackConfigs[0].apiURL']);
    expect(SECRET_VALUE.some((p) => p.test('url: https://hooks.slack.com/services/T000/B000/XXX'))).toBe(true);
  });
});
