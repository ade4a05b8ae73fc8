#!/usr/bin/env node
// `npm run switch -- <service> <version>`: makes <version> the active one of a blue-green service in releases.json.
// The pipeline's manual switch-release job runs it, synthesizes, and commits; the model refuses a version the service
// does not run when the job synthesizes, so a typo never reaches a cluster.
import { readFileSync, writeFileSync } from 'node:fs';

const [service, version] = process.argv.slice(2);
const file = new URL('./releases.json', import.meta.url);
const releases = JSON.parse(readFileSync(file, 'utf8'));
if (!service || !version) {
  console.error('usage: npm run switch -- <service> <version>');
  process.exit(2);
}
if (!(service in releases)) {
  console.error(`releases.json has no blue-green service ${service}; it has: ${Object.keys(releases).join(', ')}`);
  process.exit(2);
}
if (releases[service] === version) {
  console.error(`${service} already sends its traffic to ${version}`);
  process.exit(1);
}
releases[service] = version;
writeFileSync(file, `${JSON.stringify(releases, null, 2)}\n`);
console.log(`${service}: traffic switches to ${version} (commit releases.json and the synthesized dist/)`);
