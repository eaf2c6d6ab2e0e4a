// Usage: node run.mjs SCENARIO.mjs 'JSON-ARGS'
// Runs the scenario's default export (args, lib) and prints one JSON line:
// {"ok":true,"result":...} or {"ok":false,"error":"..."}.
import * as lib from './lib.mjs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [, , scenario, json] = process.argv;
try {
  const mod = await import(pathToFileURL(resolve(scenario)).href);
  const result = await mod.default(JSON.parse(json || '{}'), lib);
  console.log(JSON.stringify({ ok: true, result }));
  process.exit(0);
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e) }));
  process.exit(1);
}
