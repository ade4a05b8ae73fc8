/**
 * Type-checking is part of `npm test` (jest transpiles with swc, which does not check types): the library, the
 * reference platform and the tests, as `npm run typecheck` does.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

test('the library, apps and tests type-check (tsc -p tsconfig.test.json)', () => {
  const root = path.join(__dirname, '..');
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.test.json'), '--noEmit'], { cwd: root, encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 180000);
