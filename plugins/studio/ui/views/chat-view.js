import { call, getJson, readEvents } from '../api.js';
import { badge, emptyState, errorState, field, h, replace } from '../dom.js';
import { duration, tokens, when } from '../format.js';
import { icon } from '../icons.js';

const newConversationId = () => `studio-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;

/** Chat playground: pick a user and conversation, stream answers through /v1/chat with tool calls as they happen. */
export function chatView(main, { session }) {
  const firstUser = Array.isArray(session.userIds) && session.userIds.length > 0 ? session.userIds[0] : 'studio';
  const state = { userId: sessionStorage.getItem('entity-studio-user') ?? firstUser, conversationId: undefined, sending: false, abort: undefined };
  const userInput = h('input', { value: state.userId, name: 'userId', 'aria-label': 'User id', spellcheck: false });
  const conversationList = h('ul.conversations', { 'aria-label': 'Conversations' });
  const thread = h('div.thread', { 'aria-live': 'polite' });
  const textarea = h('textarea', { name: 'message', rows: 2, placeholder: session.canChat ? 'Message the agent…  (Enter sends, Shift+Enter for a new line)' : 'Viewer keys read only', disabled: !session.canChat, 'aria-label': 'Message' });
  const send = h('button.primary', { type: 'submit', disabled: !session.canChat }, 'Send');
  const title = h('h2', null, 'New conversation');

  const composer = h(
    'form.composer',
    {
      onsubmit: (event) => {
        event.preventDefault();
        sendMessage();
      },
    },
    textarea,
    send,
  );
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      sendMessage();
    }
  });

  replace(
    main,
    h('header.page-header', null, h('div', null, h('h1', null, 'Chat'), h('p.muted', null, 'Talk to the agent as any user your key may act for. Answers stream; tool calls show as they run.'))),
    h(
      'div.chat',
      null,
      h(
        'section.chat-side.card',
        null,
        field('User', userInput),
        h('button.secondary.wide', { type: 'button', disabled: !session.canChat, onclick: () => openConversation(undefined) }, '+ New conversation'),
        h('div.side-title', null, 'Conversations'),
        conversationList,
      ),
      h(
        'section.chat-main.card',
        null,
        h('div.chat-head', null, title),
        thread,
        session.canChat ? null : h('div.notice', { role: 'note' }, 'This is a viewer key: you can read conversations, runs and logs, but sending needs a user or admin key.'),
        composer,
      ),
    ),
  );

  userInput.addEventListener('change', () => {
    const userId = userInput.value.trim() || firstUser;
    if (userId === state.userId) return;
    state.userId = userId;
    sessionStorage.setItem('entity-studio-user', state.userId);
    openConversation(undefined);
    loadConversations();
  });

  async function loadConversations() {
    replace(conversationList, h('li.muted.small', null, 'Loading…'));
    try {
      const body = await getJson(`/v1/conversations?userId=${encodeURIComponent(state.userId)}`);
      const items = body.conversations.sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
      if (items.length === 0) return replace(conversationList, h('li.muted.small', null, 'No conversations yet for this user.'));
      replace(
        conversationList,
        items.map((item) =>
          h(
            `li${item.conversationId === state.conversationId ? '.active' : ''}`,
            null,
            h(
              'button',
              { type: 'button', onclick: () => openConversation(item.conversationId) },
              h('span.conversation-id', null, item.conversationId),
              h('span.muted.small', null, `${item.messageCount} messages · ${when(Date.parse(item.lastMessageAt))}`),
            ),
          ),
        ),
      );
    } catch (error) {
      replace(conversationList, h('li', null, errorState(error, loadConversations)));
    }
  }

  function showEmptyThread() {
    replace(thread, emptyState('Start a conversation', session.canChat ? 'Type a message below. The answer streams in, with each tool call as it happens.' : 'Pick a conversation on the left to read it.'));
  }

  async function openConversation(conversationId) {
    state.conversationId = conversationId;
    title.textContent = conversationId ?? 'New conversation';
    for (const item of conversationList.querySelectorAll('li')) item.classList.toggle('active', item.querySelector('.conversation-id')?.textContent === conversationId);
    if (!conversationId) return showEmptyThread();
    replace(thread, h('p.muted', null, 'Loading…'));
    try {
      const body = await getJson(`/v1/conversations/${encodeURIComponent(conversationId)}?userId=${encodeURIComponent(state.userId)}`);
      replace(thread, historyOf(body.messages));
      thread.scrollTop = thread.scrollHeight;
    } catch (error) {
      replace(thread, errorState(error, () => openConversation(conversationId)));
    }
  }

  /** Stored messages as the live view shows them: tool calls (with their results) above the answer that follows. */
  function historyOf(messages) {
    const results = new Map(messages.filter((message) => message.role === 'tool').map((message) => [message.toolCallId, message.content]));
    const shown = [];
    let cards = [];
    for (const message of messages) {
      if (message.role === 'assistant' && message.toolCalls?.length) {
        cards.push(...message.toolCalls.map((call) => toolCard(call.name, call.arguments, results.has(call.id) ? { ok: true, value: results.get(call.id) } : undefined)));
        continue;
      }
      if (message.role === 'user') shown.push(bubble('user', message.content));
      else if (message.role === 'assistant') {
        const element = bubble('assistant', message.content);
        if (cards.length > 0) element.querySelector('.message-role').after(h('div.tool-calls', null, cards));
        cards = [];
        shown.push(element);
      }
    }
    return shown.length > 0 ? shown : emptyState('No messages', 'This conversation has no user or agent messages yet.');
  }

  function toolCard(name, args, result) {
    const status = badge(result ? (result.ok ? 'done' : 'failed') : 'running', result ? (result.ok ? 'ok' : 'error') : 'info');
    const card = h('details.tool-call', { open: !result }, h('summary', null, icon('tool'), h('span.tool-name', null, name), status), h('pre.code', null, JSON.stringify(args, null, 2)));
    if (result?.value !== undefined) card.append(resultBlock(result.value));
    card.statusBadge = status;
    return card;
  }

  function resultBlock(value) {
    return h('div.tool-result', null, h('span.muted.small', null, 'result'), h('pre.code', null, typeof value === 'string' ? value : JSON.stringify(value, null, 2)));
  }

  function bubble(role, text) {
    return h(`div.message.${role}`, null, h('div.message-role', null, role === 'user' ? state.userId : 'agent'), h('div.message-text', null, typeof text === 'string' ? text : JSON.stringify(text)));
  }

  async function sendMessage() {
    const message = textarea.value.trim();
    if (!message || state.sending || !session.canChat) return;
    state.sending = true;
    send.disabled = true;
    send.textContent = 'Sending…';
    state.conversationId ??= newConversationId();
    title.textContent = state.conversationId;
    if (thread.querySelector('.empty')) thread.replaceChildren();
    textarea.value = '';
    thread.append(bubble('user', message));
    const answerText = h('div.message-text.streaming', null, '');
    const tools = h('div.tool-calls');
    const meta = h('div.message-meta');
    const answer = h('div.message.assistant', null, h('div.message-role', null, 'agent'), tools, answerText, meta);
    thread.append(answer);
    const toolCards = new Map();
    const controller = new AbortController();
    state.abort = controller;
    const scroll = () => {
      thread.scrollTop = thread.scrollHeight;
    };
    try {
      const response = await call('/v1/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message, userId: state.userId, conversationId: state.conversationId }),
        signal: controller.signal,
      });
      await readEvents(
        response,
        (type, event) => {
          if (type === 'run-start' && session.canInspect) replace(meta, h('a.run-link', { href: `#/runs/${encodeURIComponent(event.runId)}` }, 'View run timeline →'));
          else if (type === 'token') answerText.append(event.text);
          else if (type === 'tool-call') {
            const card = toolCard(event.name, event.arguments, undefined);
            toolCards.set(event.callId, { card, status: card.statusBadge });
            tools.append(card);
          } else if (type === 'tool-result') {
            const entry = toolCards.get(event.callId);
            if (entry) {
              entry.status.replaceWith(badge(event.ok ? 'done' : 'failed', event.ok ? 'ok' : 'error'));
              if (event.value !== undefined) entry.card.append(resultBlock(event.value));
              entry.card.open = false;
            }
          } else if (type === 'error') {
            if (event.discardPartialOutput) answerText.textContent = '';
            answer.append(h('div.inline-error', null, `${event.stage} · ${event.plugin}: ${event.message}`));
          } else if (type === 'response') answerText.textContent = event.text;
          else if (type === 'done') {
            const info = event.info ?? {};
            const usage = info.usage ?? {};
            meta.prepend(h('span.muted.small', null, [duration(info.durationMs), `${tokens(usage.totalTokens ?? 0)} tokens`, info.iterations ? `${info.iterations} iteration${info.iterations > 1 ? 's' : ''}` : null].filter(Boolean).join(' · ')));
          }
          scroll();
        },
        controller.signal,
      );
    } catch (error) {
      if (error?.name !== 'AbortError') answer.append(h('div.inline-error', { role: 'alert' }, `${error.title ?? 'Failed'}: ${error.message}`));
    } finally {
      answerText.classList.remove('streaming');
      state.sending = false;
      send.disabled = !session.canChat;
      send.textContent = 'Send';
      state.abort = undefined;
      scroll();
      loadConversations();
    }
  }

  showEmptyThread();
  loadConversations();
  return () => state.abort?.abort();
}
