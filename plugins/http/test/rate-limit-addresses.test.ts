import { Agent, inMemoryLogger } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../src/index.js';
import { API_KEYS } from './helpers.js';

describe('per-address rate limit', () => {
  it('treats the addresses of one IPv6 /64 as one client', async () => {
    const agent = new Agent({ resources: { llm: scriptedLLM(['unused']), logging: inMemoryLogger({ echoLevel: false }) }, zeroConfig: false });
    const handler = createHandler(agent, { auth: { apiKeys: API_KEYS }, rateLimit: { perIp: { capacity: 2, refillPerSecond: 0.001 }, perKey: false } });
    const from = (remoteAddress: string) => handler.fetch(new Request('http://agent.example/v1/agent'), { incoming: { socket: { remoteAddress } } });
    const statuses = [];
    for (let index = 1; index <= 4; index++) statuses.push((await from(`2001:db8:1:2::${index.toString(16)}`)).status);
    // 401: no key, but past the per-address limit, checked first.
    expect(statuses).toEqual([401, 401, 429, 429]);
    expect((await from('2001:db8:1:3::1')).status).toBe(401);
    await agent.stop();
  });
});
