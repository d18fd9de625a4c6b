import type { ChatMessage } from '@entity/core';

/** A conversation as plain text for a model to read: one `Role: content` paragraph per message. */
export function transcript(messages: readonly ChatMessage[], maxCharsPerMessage = 4_000): string {
  return messages
    .map((message) => {
      const content = clip(message.content, maxCharsPerMessage);
      switch (message.role) {
        case 'tool':
          return `Tool ${message.name} returned: ${content}`;
        case 'assistant':
          return message.toolCalls?.length
            ? `Assistant called ${message.toolCalls.map((call) => call.name).join(', ')}${content ? `: ${content}` : ''}`
            : `Assistant: ${content}`;
        default:
          return `${message.role === 'user' ? 'User' : 'System'}: ${content}`;
      }
    })
    .join('\n\n');
}

export function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}…`;
}
