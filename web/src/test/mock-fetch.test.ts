// The component tests' scripted fetch keeps to the contract: a reply the services could never send is
// reported (setup.ts then fails the test that scripted it), and one they could send is not.
import { afterEach, describe, expect, it } from 'vitest';
import { mockFetch, page, problem, shift, takeContractViolations } from './mock-fetch';

const get = (path: string, init?: RequestInit) => fetch(path, init);

describe('mock-fetch checks each scripted reply against the contract', () => {
  // setup.ts expects none left over: each test takes what it provoked.
  afterEach(() => void takeContractViolations());

  it('lets through replies the contract allows, and a problem as the services send it', async () => {
    mockFetch({
      'GET /api/v1/shifts': () => ({
        body: page([shift(1, null, '2025-11-14T21:00:00Z', '2025-11-15T03:00:00Z')]),
      }),
      'PATCH /api/v1/shifts/:id': () => ({ status: 412, body: problem(412, 'version-mismatch') }),
    });
    await get('/api/v1/shifts');
    await get('/api/v1/shifts/1', { method: 'PATCH', body: '{}' });
    expect(takeContractViolations()).toEqual([]);
  });

  it('reports a reply whose field breaks its schema, naming the route and the field', async () => {
    mockFetch({ 'GET /api/v1/shifts': () => ({ body: page([shift(1, null, '', '2025-11-15T03:00:00Z')]) }) });
    await get('/api/v1/shifts');
    expect(takeContractViolations()).toEqual([
      expect.stringMatching(
        /^the reply to GET \/api\/v1\/shifts \(200\) breaks the contract at \/data\/0\/start/,
      ),
    ]);
  });

  it('reports a problem with a code the contract does not list, or a type the services do not send', async () => {
    mockFetch({
      'GET /api/v1/roles': () => ({ status: 409, body: problem(409, 'no-such-code') }),
      'GET /api/v1/locations': () => ({
        status: 404,
        body: { ...problem(404, 'not-found'), type: 'https://example.com/problems/not-found' },
      }),
    });
    await get('/api/v1/roles');
    await get('/api/v1/locations');
    expect(takeContractViolations()).toEqual([
      expect.stringContaining('a code the contract does not list: no-such-code'),
      expect.stringContaining('has type https://example.com/problems/not-found'),
    ]);
  });

  it('reports a route it has no contract schema for, so the table stays complete', async () => {
    mockFetch({ 'GET /api/v1/nowhere': () => ({ body: {} }) });
    await get('/api/v1/nowhere');
    expect(takeContractViolations()).toEqual([
      'no contract schema for GET /api/v1/nowhere: add it to SUCCESS_SCHEMAS',
    ]);
  });
});
