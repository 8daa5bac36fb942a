// The official Elasticsearch JavaScript client (@elastic/elasticsearch v8), unchanged,
// against the real orrery binary's /es API: create an index, bulk-load, search with
// aggregations (values checked against ones computed here), count, and errors as the
// client reports them. Usage: node elasticsearch_client.test.mjs <orrery binary>
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let Client;
try {
  ({ Client } = await import('@elastic/elasticsearch'));
} catch {
  console.log('SKIP: @elastic/elasticsearch is not installed (run npm ci in tests/compat)');
  process.exit(77);  // meson's "skipped"
}

const binary = process.argv[2];
const root = mkdtempSync(path.join(tmpdir(), 'orrery-compat-'));
writeFileSync(path.join(root, 'orrery.yml'), 'security:\n  enabled: false\n');
const host = spawn(binary, ['--config', path.join(root, 'orrery.yml'), '--set', `path.data=${path.join(root, 'data')}`,
                            '--set', 'server.port=0', '--set', 'interactive_setup.enabled=false'], { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';

// Resolves with the port once the host logs that it is ready; rejects on exit or deadline.
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
  host.stdout.on('data', onData);
  host.stderr.on('data', onData);
  host.on('exit', (code) => reject(new Error(`orrery exited with ${code}:\n${output}`)));
});

const stopped = new Promise((resolve) => host.on('exit', (code, signal) => resolve(code ?? signal)));
const client = new Client({ node: `http://127.0.0.1:${port}/es` });

try {
  const info = await client.info();
  assert.equal(info.tagline, 'You Know, for Search');
  assert.match(info.version.number, /^8\./);

  await client.indices.create({
    index: 'logs',
    settings: { number_of_shards: 2 },
    mappings: { properties: { at: { type: 'date' }, level: { type: 'keyword' }, latency: { type: 'double' }, message: { type: 'text' } } },
  });
  assert.equal(await client.indices.exists({ index: 'logs' }), true);
  assert.equal(await client.indices.exists({ index: 'nothing' }), false);

  const levels = ['info', 'warn', 'error'];
  const docs = [];
  for (let i = 0; i < 90; i++) {
    docs.push({ at: new Date(Date.UTC(2024, 0, 1 + (i % 30))).toISOString(), level: levels[i % 3], latency: (i * 7) % 50 + 0.5,
                message: i % 2 ? 'upstream timed out' : 'request served' });
  }
  const bulk = await client.bulk({ refresh: true, operations: docs.flatMap((doc, i) => [{ index: { _index: 'logs', _id: String(i) } }, doc]) });
  assert.equal(bulk.errors, false);
  assert.equal(bulk.items.length, 90);

  // Expected values, computed here.
  const byLevel = {};
  for (const d of docs) (byLevel[d.level] ??= []).push(d.latency);
  const timedOut = docs.filter((d) => d.message.includes('timed'));

  const result = await client.search({
    index: 'logs',
    size: 3,
    query: { bool: { must: [{ match: { message: 'timed' } }], filter: [{ range: { latency: { gte: 0 } } }] } },
    sort: [{ latency: 'desc' }],
    aggs: {
      levels: { terms: { field: 'level' }, aggs: { avg_latency: { avg: { field: 'latency' } } } },
      per_week: { date_histogram: { field: 'at', calendar_interval: 'week' } },
      max_latency: { max: { field: 'latency' } },
    },
  });
  assert.equal(result.hits.total.value, timedOut.length);
  assert.equal(result.hits.hits.length, 3);
  assert.equal(result.hits.hits[0]._source.latency, Math.max(...timedOut.map((d) => d.latency)));
  assert.equal(result.aggregations.max_latency.value, Math.max(...timedOut.map((d) => d.latency)));
  const expectedLevels = {};
  for (const d of timedOut) (expectedLevels[d.level] ??= []).push(d.latency);
  for (const bucket of result.aggregations.levels.buckets) {
    const values = expectedLevels[bucket.key];
    assert.equal(bucket.doc_count, values.length, `doc_count of ${bucket.key}`);
    assert.ok(Math.abs(bucket.avg_latency.value - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9);
  }
  const weekTotal = result.aggregations.per_week.buckets.reduce((n, b) => n + b.doc_count, 0);
  assert.equal(weekTotal, timedOut.length);

  const count = await client.count({ index: 'logs', query: { term: { level: 'warn' } } });
  assert.equal(count.count, byLevel.warn.length);

  const doc = await client.get({ index: 'logs', id: '5' });
  assert.deepEqual(doc._source, docs[5]);

  await assert.rejects(client.get({ index: 'logs', id: 'missing' }), (error) => error.meta.statusCode === 404);
  await assert.rejects(client.search({ index: 'nothing' }),
                       (error) => error.meta.statusCode === 404 && error.meta.body.error.type === 'index_not_found_exception');
  await assert.rejects(client.search({ index: 'logs', query: { nope: {} } }),
                       (error) => error.meta.statusCode === 400 && error.meta.body.error.type === 'parsing_exception');
  console.log('ok: the official client worked against orrery');
} finally {
  await client.close();
  host.kill('SIGTERM');
  const code = await stopped;
  rmSync(root, { recursive: true, force: true });
  assert.equal(code, 0, `orrery exited with ${code}:\n${output}`);
}
