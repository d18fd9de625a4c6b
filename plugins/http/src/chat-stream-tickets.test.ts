import { describe, expect, it } from 'vitest';
import { MAX_PENDING_TICKETS_PER_CREDENTIAL, STREAM_TICKET_TTL_MS, StreamTickets } from './chat-stream-tickets.js';

describe('StreamTickets', () => {
  const stream = { message: 'hi', userId: 'alice', conversationId: undefined, correlationId: 'req-1', bucketId: 'key:alice' };

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

  it('caps the tickets one credential holds, so a few keys cannot fill the shared pool', () => {
    let now = 0;
    const tickets = new StreamTickets(() => now);
    const issued = Array.from({ length: MAX_PENDING_TICKETS_PER_CREDENTIAL }, () => tickets.issue(stream));
    expect(() => tickets.issue(stream)).toThrow(expect.objectContaining({ status: 429, code: 'too_many_pending_streams' }));
    // Another credential is not affected; a redeemed or expired ticket frees its slot.
    expect(tickets.issue({ ...stream, bucketId: 'key:bob' })).toMatch(/^[\w-]{43}$/);
    tickets.redeem(issued[0]!);
    tickets.issue(stream);
    now = STREAM_TICKET_TTL_MS;
    tickets.issue(stream);
  });
});
