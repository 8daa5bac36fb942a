// The official Elasticsearch JavaScript client's asyncSearch API (@elastic/elasticsearch
// v8), unchanged, against the real orrery binary: a search held by the `held` fixture
// strategy outlives its submit's wait, shows partial results as the test releases shards,
// is polled to completion, its status read, its keep_alive extended, deleted, and 404
// afterwards; typed_keys on the real engine; another user's client gets 404.
// Usage: node async_search_client.test.mjs <orrery binary> <fixtures build folder>
import assert from 'node:assert/strict';

import { officialClient, startHost } from './host.mjs';

const Client = await officialClient();

const [binary, fixturesDir] = process.argv.slice(2);
const host = await startHost(binary, {
  fixtures: ['held_strategy'],
  fixturesDir,
  users: [{ name: 'alice', password: 'alice-password' }, { name: 'bob', password: 'bob-password' }],
  config: 'logging:\n  loggers:\n    http.access: warn\n',
});
const node = `http://127.0.0.1:${host.port}/es`;
const alice = new Client({ node, auth: { username: 'alice', password: 'alice-password' } });
const bob = new Client({ node, auth: { username: 'bob', password: 'bob-password' } });
const aliceHeader = `Basic ${Buffer.from('alice:alice-password').toString('base64')}`;

// Lets `shards` more shards of the held search `name` finish.
async function release(name, shards) {
  const response = await fetch(`http://127.0.0.1:${host.port}/api/held_searches/${name}/release?shards=${shards}`,
                               { method: 'POST', headers: { authorization: aliceHeader } });
  assert.equal(response.status, 200, await response.text());
}

const notFound = (error) => error.meta?.statusCode === 404 && error.meta.body.error.type === 'resource_not_found_exception';

try {
  // The wait expires: the search is still running, and the answer carries an id.
  const submitted = await alice.asyncSearch.submit({
    index: 'slow', strategy: 'held', wait_for_completion_timeout: '100ms', keep_alive: '1h', body: { shards: 3 },
  });
  assert.equal(submitted.is_running, true);
  assert.equal(submitted.is_partial, true);
  const id = submitted.id;
  assert.ok(id);

  await release('slow', 1);
  const partial = await alice.asyncSearch.get({ id });
  assert.equal(partial.is_running, true);
  assert.equal(partial.response._shards.successful, 1);
  assert.deepEqual(partial.response.hits.total, { value: 10, relation: 'gte' });
  assert.equal(partial.response.aggregations.shards.value, 1);

  await release('slow', 1);
  const status = await alice.asyncSearch.status({ id });
  assert.equal(status.is_running, true);
  assert.equal(status._shards.successful, 2);
  assert.equal(status.completion_status, undefined);

  const extended = await alice.asyncSearch.get({ id, keep_alive: '2d' });
  assert.ok(extended.expiration_time_in_millis > submitted.expiration_time_in_millis);

  await assert.rejects(bob.asyncSearch.get({ id }), notFound);
  await assert.rejects(bob.asyncSearch.delete({ id }), notFound);

  await release('slow', 1);
  const done = await alice.asyncSearch.get({ id, wait_for_completion_timeout: '20s' });
  assert.equal(done.is_running, false);
  assert.equal(done.is_partial, false);
  assert.deepEqual(done.response.hits.total, { value: 30, relation: 'eq' });
  assert.equal((await alice.asyncSearch.status({ id })).completion_status, 200);

  assert.equal((await alice.asyncSearch.delete({ id })).acknowledged, true);
  await assert.rejects(alice.asyncSearch.get({ id }), notFound);
  await assert.rejects(alice.asyncSearch.status({ id }), notFound);

  // On the real engine, finished within the wait: no id, typed_keys as asked.
  await alice.indices.create({ index: 'logs', settings: { number_of_shards: 3 } });
  await alice.bulk({ refresh: true, operations: [1, 2, 3, 4].flatMap((n) => [{ index: { _index: 'logs' } }, { n }]) });
  const typed = await alice.asyncSearch.submit({
    index: 'logs', wait_for_completion_timeout: '30s', typed_keys: true, size: 0, aggs: { top: { max: { field: 'n' } } },
  });
  assert.equal(typed.id, undefined);
  assert.equal(typed.is_running, false);
  assert.equal(typed.response.aggregations['max#top'].value, 4);
  const kept = await alice.asyncSearch.submit({
    index: 'logs', wait_for_completion_timeout: '30s', keep_on_completion: true, size: 0, aggs: { top: { max: { field: 'n' } } },
  });
  assert.ok(kept.id);
  assert.equal((await alice.asyncSearch.get({ id: kept.id })).response.aggregations.top.value, 4);
  await assert.rejects(bob.asyncSearch.get({ id: kept.id }), notFound);

  // Validation as Elasticsearch reports it.
  await assert.rejects(alice.asyncSearch.submit({ index: 'logs', keep_alive: '10ms' }),
                       (error) => error.meta.statusCode === 400 && error.meta.body.error.type === 'action_request_validation_exception');
  console.log('ok: the official client\'s asyncSearch worked against orrery');
} finally {
  await alice.close();
  await bob.close();
  await host.stop();
}
