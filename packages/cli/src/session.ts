import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Who is talking and in which conversation; kept in `.entity/cli-session.json` so a restarted chat continues. */
export interface Session {
  userId: string;
  conversationId: string;
}

const FILE = ['.entity', 'cli-session.json'] as const;
const DEFAULT_SESSION: Session = { userId: 'default', conversationId: 'default' };

export function readSession(directory: string): Session {
  try {
    const value = JSON.parse(readFileSync(join(directory, ...FILE), 'utf8')) as Partial<Session>;
    return {
      userId: typeof value.userId === 'string' ? value.userId : DEFAULT_SESSION.userId,
      conversationId: typeof value.conversationId === 'string' ? value.conversationId : DEFAULT_SESSION.conversationId,
    };
  } catch {
    return { ...DEFAULT_SESSION };
  }
}

export function writeSession(directory: string, session: Session): void {
  try {
    mkdirSync(join(directory, FILE[0]), { recursive: true });
    writeFileSync(join(directory, ...FILE), `${JSON.stringify(session, null, 2)}\n`);
  } catch {
    // A read-only directory only costs continuity across restarts.
  }
}

/** A fresh conversation id, sortable by time. */
export function newConversationId(): string {
  return `chat-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..+$/, '')}-${Math.random().toString(36).slice(2, 6)}`;
}
