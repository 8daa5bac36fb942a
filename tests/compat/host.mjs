// Starts the real orrery binary for a compat test: a temp folder with its config and
// data, port 0, and fixture plugins copied into a plugin folder of their own. Resolves
// once the host logs that it is ready; stop() sends SIGTERM and asserts a clean exit (0),
// with the host's output in the message when it is not.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function startHost(binary, { config = '', fixtures = [], fixturesDir = '', users = [] } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'orrery-compat-'));
  const plugins = path.join(root, 'plugins');
  mkdirSync(plugins);
  for (const name of fixtures) {
    // The manifest's library path, relative to the plugin folder it is copied to.
    const manifest = JSON.parse(readFileSync(path.join(fixturesDir, `${name}.json`), 'utf8'));
    manifest.library = path.relative(plugins, path.join(fixturesDir, manifest.library));
    writeFileSync(path.join(plugins, `${name}.json`), JSON.stringify(manifest));
  }
  for (const { name, password, role } of users) {
    execFileSync(binary, ['users', 'add', name, ...(role ? ['--role', role] : []),
                          '--file', path.join(root, 'data', 'security', 'users.yml')], { input: `${password}\n` });
  }
  writeFileSync(path.join(root, 'orrery.yml'), `plugins:\n  paths: [${JSON.stringify(plugins)}]\n${config}`);
  const child = spawn(binary, ['--config', path.join(root, 'orrery.yml'), '--set', `path.data=${path.join(root, 'data')}`,
                               '--set', 'server.port=0', '--set', 'interactive_setup.enabled=false'],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const port = await new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`orrery not ready within 60s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      const listening = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (listening && output.includes('orrery ready in')) {
        clearTimeout(deadline);
        resolve(Number(listening[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => reject(new Error(`orrery exited with ${code}:\n${output}`)));
  });
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(root, { recursive: true, force: true });
      assert.equal(code, 0, `orrery exited with ${code}:\n${output}`);
    },
  };
}

// The official client's Client class; exits with meson's "skipped" (77) when the package
// is not installed (tools/test runs npm ci here).
export async function officialClient() {
  try {
    return (await import('@elastic/elasticsearch')).Client;
  } catch {
    console.log('SKIP: @elastic/elasticsearch is not installed (run npm ci in tests/compat)');
    process.exit(77);
  }
}
