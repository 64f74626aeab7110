// The library as a package (docs/client.md, "Types and package"): package.json points at files
// that exist, the hand-written robust-websocket.d.ts declares exactly what the library exports,
// and the guide's TypeScript example is the file the build compiles (src/test/ts/usage.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as library from '../../main/webapp/js/robust-websocket.js';

const root = new URL('../../../', import.meta.url);
const js = new URL('src/main/webapp/js/', root);
const read = (url) => readFileSync(url, 'utf8');

test('the .d.ts declares every value the library exports, and nothing else', () => {
  const declared = [...read(new URL('robust-websocket.d.ts', js)).matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]);
  assert.deepEqual([...declared].sort(), Object.keys(library).sort());
});

test('package.json: an ES module package whose exports and types point at files beside it, no build step', () => {
  const pkg = JSON.parse(read(new URL('package.json', js)));
  assert.equal(pkg.name, '@robustws/robust-websocket');
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.types, './robust-websocket.d.ts');
  assert.deepEqual(pkg.exports['.'], { types: './robust-websocket.d.ts', default: './robust-websocket.js' });
  assert.equal(pkg.scripts, undefined, 'nothing to build');
  assert.equal(pkg.dependencies, undefined, 'no dependencies');
  for (const file of [...pkg.files, pkg.main, pkg.types]) assert.ok(existsSync(new URL(file, js)), file);
  const imported = [...read(new URL('robust-websocket.js', js)).matchAll(/^import .* from '\.\/(.+)';$/gm)].map((m) => m[1]);
  for (const file of imported) assert.ok(pkg.files.includes(file), `${file} is imported, so published`);
  const pom = read(new URL('pom.xml', root)).match(/<artifactId>robust-websocket<\/artifactId>\s*<version>([^<]+)<\/version>/)[1];
  assert.equal(pkg.version, pom.replace(/-SNAPSHOT$/, ''), 'the version follows the pom\'s');
});

test('an application that installs the folder imports the library by the package name', async () => {
  const app = mkdtempSync(join(tmpdir(), 'rws-app-'));
  try {
    mkdirSync(join(app, 'node_modules', '@robustws'), { recursive: true });
    symlinkSync(fileURLToPath(js), join(app, 'node_modules', '@robustws', 'robust-websocket'), 'dir');
    writeFileSync(join(app, 'app.mjs'), "export { RobustWebSocket, PublishError } from '@robustws/robust-websocket';\n");
    const imported = await import(pathToFileURL(join(app, 'app.mjs')).href);
    assert.equal(imported.RobustWebSocket, library.RobustWebSocket);
    assert.equal(imported.PublishError, library.PublishError);
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});

test('docs/client.md shows the TypeScript example the build compiles, word for word', () => {
  const guide = read(new URL('docs/client.md', root));
  const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 1, 'one TypeScript example');
  const usage = read(new URL('src/test/ts/usage.ts', root)).replace(/^(\/\/.*\n)+/, '');
  assert.equal(blocks[0], usage);
});
