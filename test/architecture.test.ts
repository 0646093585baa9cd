// The backend (src/) never imports the demo (demo/): the demo depends on the backend, and the
// `orrery` bin that knows both is assembled on the demo side (demo/cli/main.ts). ESLint refuses such
// imports too (eslint.config.js); this test also sees dynamic import() and re-exports.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/server/paths.js';

const ROOT = packageRoot();

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Module specifiers of static imports, re-exports and import() with a literal or template. */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g, // import … from '…', export … from '…'
    /\bimport\s*['"]([^'"]+)['"]/g, // import '…'
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]/g, // import('…'), import(`…`)
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** Whether a relative specifier in `file` lands inside demo/. */
export function reachesDemo(file: string, specifier: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier));
  return target === 'demo' || target.startsWith(`demo${path.sep}`);
}

describe('src/ never imports demo/', () => {
  it('recognises the ways a module can import another', () => {
    const file = path.join(ROOT, 'src/cli/commands/x.ts');
    const src = `import a from '../../../demo/a.js';\nexport { b } from "../../../demo/b.js";\nimport '../../../demo/c.js';\nconst d = await import('../../../demo/d.js');\nconst e = await import(\`../../../demo/\${name}.js\`);\nimport f from '../../names/f.js';`;
    const specs = importSpecifiers(src);
    expect(specs.filter((s) => reachesDemo(file, s))).toHaveLength(5);
    expect(specs.filter((s) => !reachesDemo(file, s))).toEqual(['../../names/f.js']);
  });

  it('holds for every file under src/, tests included', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(path.join(ROOT, 'src'))) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8')))
        if (reachesDemo(file, spec)) offenders.push(`${path.relative(ROOT, file)} imports ${spec}`);
    }
    expect(offenders).toEqual([]);
  });
});
