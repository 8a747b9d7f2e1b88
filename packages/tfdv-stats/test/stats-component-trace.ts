// Preloaded with `node --import` to record every module a process resolves, so a test can prove that loading
// the component's contract (what every container start does) pulls in nothing heavy.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env['TRACE_IMPORTS_FILE'];
if (!out) throw new Error('TRACE_IMPORTS_FILE is not set');
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    appendFileSync(out, `${resolved.url}\n`);
    return resolved;
  },
});
