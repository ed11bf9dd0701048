import { describe, expect, it } from 'vitest';
import { boardConfig } from './board-config';

const answer =
  (status: number, body: string, type = 'application/json') =>
  async () =>
    new Response(body, { status, headers: { 'content-type': type } });

describe('boardConfig', () => {
  it("signs in where the environment's config.json says: its issuer and client id", async () => {
    const fetch = answer(200, '{"issuer":"https://id.example.com/realms/shiftstack/","client_id":"board"}');
    expect(await boardConfig('https://shiftstack.example.com', fetch)).toEqual({
      issuer: 'https://id.example.com/realms/shiftstack',
      clientId: 'board',
    });
  });

  it("reads a path as this origin's", async () => {
    const fetch = answer(200, '{"issuer":"/auth"}');
    expect(await boardConfig('http://shiftstack.localhost', fetch)).toEqual({
      issuer: 'http://shiftstack.localhost/auth',
      clientId: 'shiftstack-board',
    });
  });

  it.each([
    ['no config.json', answer(404, 'not found', 'text/plain')],
    ['the page instead of JSON', answer(200, '<!doctype html>', 'text/html')],
    ['no issuer in it', answer(200, '{}')],
    ['no answer at all', async () => Promise.reject(new TypeError('offline'))],
  ])("falls back to this origin's /auth with %s", async (_what, fetch) => {
    expect(await boardConfig('http://localhost:8080', fetch as typeof globalThis.fetch)).toEqual({
      issuer: 'http://localhost:8080/auth',
      clientId: 'shiftstack-board',
    });
  });
});
