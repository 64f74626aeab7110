// Installs the TypeScript compiler pinned in package-lock.json beside this file into
// target/ts/node_modules (the build's typescript-install step, pom.xml), unless that exact
// version is there already: a build that ran once works offline afterwards.
// Usage: node src/test/ts/install-typescript.mjs <target/ts>
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const into = process.argv[2];
if (!into) throw new Error('usage: install-typescript.mjs <directory>');

const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const wanted = lock.packages['node_modules/typescript'].version;
const installed = join(into, 'node_modules', 'typescript', 'package.json');
if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === wanted) {
  console.log(`typescript ${wanted} already in ${into}`);
} else {
  mkdirSync(into, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(here, file), join(into, file));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: into, stdio: 'inherit', shell: process.platform === 'win32' });
  console.log(`typescript ${wanted} installed in ${into}`);
}
