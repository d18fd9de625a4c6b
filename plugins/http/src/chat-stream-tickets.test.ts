import { describe, expect, it } from 'vitest';
import { STREAM_TICKET_TTL_MS, StreamTickets } from './chat-stream-tickets.js';

describe('StreamTickets', () => {
  const stream = { message: 'hi', userId: 'alice', conversationId: undefined, correlationId: 'req-1' };

  it('redeems a ticket once', () => {
    const tickets = new StreamTickets(() => 0);
    const ticket = tickets.issue(stream);
    expect(ticket).toMatch(/^[\w-]{43}$/);
    expect(tickets.redeem(ticket)).toMatchObject({ message: 'hi', userId: 'alice' });
    expect(tickets.redeem(ticket)).toBeUndefined();
    expect(tickets.redeem('not-a-ticket')).toBeUndefined();
  });

  it('refuses a ticket past its lifetime', () => {
    let now = 0;
    const tickets = new StreamTickets(() => now);
    const ticket = tickets.issue(stream);
    now = STREAM_TICKET_TTL_MS;
    expect(tickets.redeem(ticket)).toBeUndefined();
  });
});
